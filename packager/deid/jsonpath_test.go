package deid

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestJSONPathBytes: a decision or written file whose path is not valid
// UTF-8 carries its exact bytes in "pathBytes"; a valid path does not.
func TestJSONPathBytes(t *testing.T) {
	latin1 := "/cd/R\xe9sultat.pdf" // "Résultat" in Latin-1
	for _, v := range []any{Decision{Path: latin1, Action: Review}, Written{Path: latin1, Name: "IHE_XDM/SUBSET01/DOC00001.PDF"}} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			Path      string `json:"path"`
			PathBytes []byte `json:"pathBytes"`
			Name      string `json:"name"`
		}
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		if string(got.PathBytes) != latin1 {
			t.Errorf("%T: pathBytes %q, want the real name's bytes (%s)", v, got.PathBytes, b)
		}
		if _, ok := v.(Written); ok && got.Name == "" {
			t.Errorf("the other fields are lost: %s", b)
		}
	}
	b, _ := json.Marshal(Decision{Path: "/cd/report.pdf", Action: Copy})
	if strings.Contains(string(b), "pathBytes") || !strings.Contains(string(b), `"action":"copy"`) {
		t.Errorf("a valid path: %s", b)
	}
}
