package deid

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"dossier/internal/fixture/docfix"
	"dossier/packager/identity"
	"dossier/packager/intake"
	"dossier/packager/privacy"
)

// TestIncludedDocumentsAreCleaned writes, at both private levels, office
// documents and photos that mention the patient and that the user chose
// to include anyway: what is written must hold the name in none of the
// hidden places (comments, headers, footers, hidden text, tracked changes,
// properties, alt text; PDF forms, notes, bookmarks, attachments, Info,
// XMP; RTF info; HEIC metadata). Visible body text is the user's choice.
func TestIncludedDocumentsAreCleaned(t *testing.T) {
	n := docfix.PlantedName
	body := []string{"Discharge letter", "The patient did well."}
	files := map[string][]byte{
		"letter.docx": docfix.DOCXWithParts(docfix.DOCXParts{Body: body, Header: n, Footer: n, Comment: n, CommentAuthor: n, Hidden: n,
			HiddenStyled: n, Deleted: n, RevisionAuthor: n, Core: n, App: n, Custom: n, CustomXML: n, AltText: n, PictureName: n}),
		"letter.odt": docfix.ODT(docfix.ODTParts{Body: body, Header: n, Footer: n, Annotation: n, AnnotationAuthor: n, Meta: n, Hidden: n, Deleted: n, AltText: n}),
		"letter.rtf": docfix.RTF(1252, map[string]string{"author": n, "operator": n, "title": n}, body...),
		"report.pdf": docfix.PDFWithParts(docfix.PDFParts{Lines: body, Field: n, Note: n, Outline: n, Attachment: n, JavaScript: n, Alt: n,
			PieceInfo: n, Info: map[string]string{"Author": n}, XMP: "<x:xmpmeta>" + n + "</x:xmpmeta>"}),
		"photo.heic": docfix.HEIC(docfix.HEICParts{Exif: n, XMP: n}),
	}
	for _, level := range []privacy.Level{privacy.Pseudonymised, privacy.Anonymised} {
		t.Run(string(level), func(t *testing.T) {
			dir := t.TempDir()
			include := map[string]bool{}
			for name, data := range files {
				include[write(t, dir, name, data)] = true
			}
			inv, err := intake.Scan(context.Background(), []string{dir}, intake.Options{}, nil)
			if err != nil {
				t.Fatal(err)
			}
			inv.Identity = identity.NewSet()
			inv.Identity.Add(identity.Name, n, "the test")
			ds, err := Plan(context.Background(), inv, level, Options{Include: include, NoRedact: true}) // sent as they are, by choice
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range ds {
				if filepath.Ext(d.Path) == ".pdf" && (d.Action == Transform || d.Action == Redact) {
					continue // cleaned (and redacted where its page text names the patient): the hidden parts go
				}
				if d.Action != Review || !d.Included {
					t.Errorf("%s: %s (%s), want review, included", filepath.Base(d.Path), d.Action, d.Reason)
				}
			}
			out := t.TempDir()
			res, err := WriteTree(context.Background(), out, inv, ds, privacy.Params{Level: level, Secret: make([]byte, privacy.SecretSize)}, TreeOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Written) != len(files) {
				t.Fatalf("written %d of %d: left out %+v", len(res.Written), len(files), res.LeftOut)
			}
			formats := map[string]string{".DOCX": "docx", ".ODT": "odf", ".RTF": "rtf", ".PDF": "pdf", ".HEIC": "heic"}
			for _, w := range res.Written {
				data, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(w.Name)))
				if err != nil {
					t.Fatal(err)
				}
				if places := layersWithPlanted(t, data, formats[filepath.Ext(w.Name)]); len(places) > 0 {
					t.Errorf("%s (%s): the name is still in %v", w.Name, filepath.Base(w.Path), places)
				}
			}
		})
	}
}

// TestPlanSpreadsheets: workbooks and presentations are read like letters:
// one that names the patient (in a comment here) needs review, one that
// does not is cleaned and sent.
func TestPlanSpreadsheets(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "labs.xlsx", docfix.XLSX([]string{"Haemoglobin 120"}, "", ""))
	write(t, dir, "named.xlsx", docfix.XLSX([]string{"Haemoglobin 120"}, "for "+docfix.PlantedName, "Nurse"))
	write(t, dir, "board.pptx", docfix.PPTX([]string{"Tumour board"}, "", "ok", docfix.PlantedName))
	inv, err := intake.Scan(context.Background(), []string{dir}, intake.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	inv.Identity = identity.NewSet()
	inv.Identity.Add(identity.Name, docfix.PlantedName, "the test")
	ds, err := Plan(context.Background(), inv, privacy.Pseudonymised, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Action{"labs.xlsx": Transform, "named.xlsx": Review, "board.pptx": Review}
	for _, d := range ds {
		if got := d.Action; got != want[filepath.Base(d.Path)] {
			t.Errorf("%s: %s (%s)", filepath.Base(d.Path), got, d.Reason)
		}
	}
}
