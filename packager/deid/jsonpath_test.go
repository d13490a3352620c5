package deid

import (
	"bytes"
	"dossier/packager/i18n"
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

// A decision's reason is in the JSON in English, as it always was, and as
// format and values; reading it back gives the same text.
func TestDecisionReasonJSON(t *testing.T) {
	d := Decision{Path: "a.pdf", Action: Review, Reason: i18n.NewText(reasonMentions, i18n.List{"name", "date of birth"})}
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var plain struct {
		Reason     string `json:"reason"`
		ReasonText struct {
			Format string `json:"format"`
		} `json:"reasonText"`
	}
	if err := json.Unmarshal(b, &plain); err != nil {
		t.Fatal(err)
	}
	if plain.Reason != "its text mentions the patient (name, date of birth)" || plain.ReasonText.Format != reasonMentions {
		t.Errorf("JSON %s", b)
	}
	var back Decision
	if err := json.Unmarshal(b, &back); err != nil || back.Reason.String() != plain.Reason {
		t.Errorf("read back %#v (%v)", back.Reason, err)
	}
	if b, _ := json.Marshal(Decision{Path: "b", Action: Copy}); bytes.Contains(b, []byte("reason")) {
		t.Errorf("a decision without a reason: %s", b)
	}
}
