package deid

import (
	"encoding/json"

	"dossier/packager/i18n"
	"dossier/packager/intake"
)

// A path that is not valid UTF-8 (a Latin-1 or Shift-JIS name from an old
// CD) cannot be held by JSON: encoding/json would replace its bytes with
// U+FFFD. Like intake's items, a decision and a written file then also
// carry the path's exact bytes, base64-encoded, in "pathBytes".

// MarshalJSON writes the decision, adding "pathBytes" when its path is not
// valid UTF-8. Its reason is written in English ("reason", a string, as
// before) and as format and values ("reasonText", see i18n.Text), to be
// written in another language.
func (d Decision) MarshalJSON() ([]byte, error) {
	type plain Decision
	var text *i18n.Text
	if !d.Reason.IsZero() {
		text = &d.Reason
	}
	return json.Marshal(struct {
		plain
		Reason     string     `json:"reason,omitempty"`
		ReasonText *i18n.Text `json:"reasonText,omitempty"`
		PathBytes  []byte     `json:"pathBytes,omitempty"`
	}{plain(d), d.Reason.String(), text, intake.RawPath(d.Path)})
}

// MarshalJSON writes the written file, adding "pathBytes" when its path is
// not valid UTF-8.
func (w Written) MarshalJSON() ([]byte, error) {
	type plain Written
	return json.Marshal(struct {
		plain
		PathBytes []byte `json:"pathBytes,omitempty"`
	}{plain(w), intake.RawPath(w.Path)})
}
