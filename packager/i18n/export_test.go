package i18n

import (
	"io/fs"
	"testing"
)

// NewTestCatalog is a catalog of language lang whose messages are read from
// DIR/LANG.json in fsys, with "," and ";" as its separators.
func NewTestCatalog(t *testing.T, fsys fs.FS, dir, lang string) *Catalog {
	t.Helper()
	tables, err := readMessages(fsys, dir)
	if err != nil {
		t.Fatal(err)
	}
	return &Catalog{lang: lang, table: tables[lang],
		msgs: map[string]string{"pdf.list.separator": ",", "pdf.findings.separator": ";"}}
}
