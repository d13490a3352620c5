package intake

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"dossier/internal/fixture/docfix"
)

// A file name that is not valid UTF-8 (Latin-1 from an old CD) stays
// mappable to the real file in JSON: "pathBytes" holds its exact bytes, and
// reading the JSON back gives the path that opens the file.
func TestJSONKeepsNamesThatAreNotUTF8(t *testing.T) {
	dir := t.TempDir()
	name := "r\xe9sultat\xff.pdf" // Latin-1 é and a stray byte
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, docfix.PDF("Compte rendu"), 0o600); err != nil {
		t.Skip("this file system refuses names that are not UTF-8:", err)
	}
	inv := scan(t, Options{}, dir)
	data, err := json.Marshal(inv)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Items []struct {
			Path      string `json:"path"`
			PathBytes []byte `json:"pathBytes"`
		} `json:"items"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, it := range doc.Items {
		if it.PathBytes != nil {
			found = true
			if !bytes.Equal(it.PathBytes, []byte(p)) {
				t.Errorf("pathBytes %q, want %q", it.PathBytes, p)
			}
			if _, err := os.Stat(string(it.PathBytes)); err != nil {
				t.Errorf("pathBytes does not lead to the file: %v", err)
			}
		}
	}
	if !found {
		t.Fatalf("no pathBytes in %s", data)
	}
	// Valid names carry no pathBytes.
	if bytes.Count(data, []byte(`"pathBytes"`)) != 1 {
		t.Errorf("pathBytes on valid names: %s", data)
	}
	// Read back, the item's path is the real one.
	var back Inventory
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	ok := false
	for _, it := range back.Items {
		if it.Path == p {
			ok = true
		}
	}
	if !ok {
		t.Error("the path read back is not the file's")
	}
}
