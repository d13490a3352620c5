package deid

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"dossier/internal/fixture/docfix"
	"dossier/internal/testtool"
	"dossier/packager/doctext"
)

// checkZipDocument checks a cleaned ZIP-based document: unzip tests it,
// every XML part parses, every internal relationship and content-type
// override names a part that exists. It returns what `unzip -p` prints
// (every part, concatenated).
func checkZipDocument(t *testing.T, data []byte) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, f := range zr.File {
		have[f.Name] = true
	}
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		if !strings.HasSuffix(f.Name, ".xml") && !strings.HasSuffix(f.Name, ".rels") {
			continue
		}
		dec := xml.NewDecoder(bytes.NewReader(b))
		for {
			tok, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Errorf("%s does not parse: %v", f.Name, err)
				break
			}
			se, ok := tok.(xml.StartElement)
			if !ok {
				continue
			}
			for _, a := range se.Attr {
				switch {
				case se.Name.Local == "Override" && a.Name.Local == "PartName":
					if !have[strings.TrimPrefix(a.Value, "/")] {
						t.Errorf("%s names a missing part", f.Name)
					}
				case se.Name.Local == "Relationship" && a.Name.Local == "Target" && !strings.Contains(string(b), `TargetMode="External"`):
					target := path.Join(path.Dir(path.Dir(f.Name)), a.Value)
					if !have[target] {
						t.Errorf("%s points to a missing part %s", f.Name, target)
					}
				}
			}
		}
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "doc.zip")
	os.WriteFile(p, data, 0o644)
	unzip := testtool.Look(t, "unzip", "unzip")
	if o, err := exec.Command(unzip, "-tq", p).CombinedOutput(); err != nil {
		t.Errorf("unzip -t: %v\n%s", err, o)
	}
	out, err := exec.Command(unzip, "-p", p).Output()
	if err != nil {
		t.Fatalf("unzip -p: %v", err)
	}
	return string(out)
}

func TestStripOOXMLHiddenParts(t *testing.T) {
	n := docfix.PlantedName
	body := []string{"Discharge letter", "The patient did well."}
	removed := map[string]docfix.DOCXParts{
		"comment": {Comment: n}, "comment author": {Comment: "ok", CommentAuthor: n}, "hidden": {Hidden: n},
		"hidden by style": {HiddenStyled: n}, "hidden by a style's base": {HiddenInherited: n}, "hidden paragraph": {HiddenParagraph: n}, "deleted": {Deleted: n}, "revision author": {Inserted: "x", Deleted: "y", RevisionAuthor: n},
		"core properties": {Core: n}, "app properties": {App: n}, "custom properties": {Custom: n}, "custom xml": {CustomXML: n},
		"alt text": {AltText: n}, "picture name": {PictureName: n + ".jpg"}, "header": {Header: n}, "footer": {Footer: n},
		"everything": {Comment: n, CommentAuthor: n, Hidden: n, HiddenStyled: n, Deleted: n, RevisionAuthor: n, Core: n, App: n, Custom: n, CustomXML: n, AltText: n, PictureName: n},
	}
	for label, p := range removed {
		t.Run(label, func(t *testing.T) {
			p.Body = body
			in := docfix.DOCXWithParts(p)
			if len(layersWithPlanted(t, in, "docx")) == 0 {
				t.Fatal("fixture: the layer reader does not see the name in the input")
			}
			var out bytes.Buffer
			if err := StripOOXML(&out, bytes.NewReader(in), int64(len(in))); err != nil {
				t.Fatal(err)
			}
			if places := layersWithPlanted(t, out.Bytes(), "docx"); len(places) > 0 {
				t.Errorf("the name is still in %v", places)
			}
			if docfix.HasPlanted(checkZipDocument(t, out.Bytes())) {
				t.Error("unzip -p shows the name")
			}
			text, err := doctext.Extract(context.Background(), bytes.NewReader(out.Bytes()), int64(out.Len()), "docx", doctext.Options{})
			if err != nil || !strings.Contains(text, "Discharge letter\nThe patient did well.") {
				t.Errorf("body lost: %q %v", text, err)
			}
			if p.Hidden != "" && !strings.Contains(text, "Visible") {
				t.Errorf("the visible part of a paragraph with hidden text is lost: %q", text)
			}
			if p.HiddenInherited != "" && !strings.Contains(text, "Shown") {
				t.Errorf("a run that turns hiding off is lost: %q", text)
			}
		})
	}
	// Content the reader sees is kept (the plan holds such a document for
	// review); accepted insertions stay.
	kept := map[string]docfix.DOCXParts{"footnote": {Footnote: n}, "endnote": {Endnote: n}, "inserted": {Inserted: n, RevisionAuthor: "Editor"}}
	for label, p := range kept {
		p.Body = body
		in := docfix.DOCXWithParts(p)
		var out bytes.Buffer
		if err := StripOOXML(&out, bytes.NewReader(in), int64(len(in))); err != nil {
			t.Fatal(err)
		}
		checkZipDocument(t, out.Bytes())
		text, _ := doctext.Extract(context.Background(), bytes.NewReader(out.Bytes()), int64(out.Len()), "docx", doctext.Options{})
		if !docfix.HasPlanted(text) {
			t.Errorf("%s: visible content lost: %q", label, text)
		}
	}
}

func TestStripODFHiddenParts(t *testing.T) {
	n := docfix.PlantedName
	body := []string{"Discharge letter", "The patient did well."}
	removed := map[string]docfix.ODTParts{
		"annotation": {Annotation: n}, "annotation author": {Annotation: "ok", AnnotationAuthor: n}, "meta": {Meta: n},
		"hidden": {Hidden: n}, "deleted": {Deleted: n}, "alt text": {AltText: n}, "header": {Header: n}, "footer": {Footer: n},
	}
	for label, p := range removed {
		t.Run(label, func(t *testing.T) {
			p.Body = body
			in := docfix.ODT(p)
			if len(layersWithPlanted(t, in, "odf")) == 0 {
				t.Fatal("fixture: the layer reader does not see the name in the input")
			}
			var out bytes.Buffer
			if err := StripODF(&out, bytes.NewReader(in), int64(len(in))); err != nil {
				t.Fatal(err)
			}
			if places := layersWithPlanted(t, out.Bytes(), "odf"); len(places) > 0 {
				t.Errorf("the name is still in %v", places)
			}
			if docfix.HasPlanted(checkZipDocument(t, out.Bytes())) {
				t.Error("unzip -p shows the name")
			}
			zr, _ := zip.NewReader(bytes.NewReader(out.Bytes()), int64(out.Len()))
			if zr.File[0].Name != "mimetype" || zr.File[0].Method != zip.Store {
				t.Error("mimetype is not the first, stored entry")
			}
			for _, f := range zr.File {
				if strings.HasPrefix(f.Name, "Thumbnails/") {
					t.Error("the thumbnail is kept")
				}
			}
			text, err := doctext.Extract(context.Background(), bytes.NewReader(out.Bytes()), int64(out.Len()), "odf", doctext.Options{})
			if err != nil || !strings.Contains(text, "Discharge letter") || !strings.Contains(text, "The patient did well.") {
				t.Errorf("body lost: %q %v", text, err)
			}
		})
	}
}

func TestStripRTF(t *testing.T) {
	n := docfix.PlantedName
	in := docfix.RTF(1252, map[string]string{"author": n, "operator": n, "title": "Brev til " + n, "company": n}, "Discharge letter", "The patient did well.")
	in = bytes.Replace(in, []byte(`\uc1`), []byte(`{\*\annotation {\*\atnauthor `+"K\\'e5re"+`}note for \'d8deg\'e5rd}{\*\userprops {\propname Patient}\proptype30{\staticval Kaare}}\uc1`), 1)
	if len(layersWithPlanted(t, in, "rtf")) == 0 {
		t.Fatal("fixture: the layer reader does not see the name")
	}
	var out bytes.Buffer
	if err := StripRTF(&out, bytes.NewReader(in)); err != nil {
		t.Fatal(err)
	}
	if places := layersWithPlanted(t, out.Bytes(), "rtf"); len(places) > 0 {
		t.Errorf("the name is still in %v:\n%s", places, out.Bytes())
	}
	text := doctext.RTFText(out.Bytes())
	if !strings.Contains(text, "Discharge letter\nThe patient did well.") {
		t.Errorf("body lost: %q", text)
	}
	if bytes.Contains(out.Bytes(), []byte(`\info`)) || !bytes.Contains(out.Bytes(), []byte(`\fonttbl`)) {
		t.Errorf("info kept or too much removed:\n%s", out.Bytes())
	}
	// Hidden text goes, in every form; the formatting after it stays.
	hidden := []byte(`{\rtf1\ansi Visible {\v K\'e5re \u216?deg\'e5rd} after \v Kaare\v0  tail {\b\v Odegard\plain  plain}}`)
	out.Reset()
	if err := StripRTF(&out, bytes.NewReader(hidden)); err != nil {
		t.Fatal(err)
	}
	if text := doctext.RTFText(out.Bytes()); docfix.HasPlanted(text) || !strings.Contains(text, "Visible") || !strings.Contains(text, "after") || !strings.Contains(text, "tail") || !strings.Contains(text, "plain") {
		t.Errorf("hidden text: %q from %s", text, out.Bytes())
	}
	// Braces in escapes and binary data do not confuse the group matching.
	tricky := []byte("{\\rtf1{\\info{\\title a\\}b{c}}}{\\pict\\bin3 }}}keep}")
	out.Reset()
	if err := StripRTF(&out, bytes.NewReader(tricky)); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "{\\rtf1{\\pict\\bin3 }}}keep}" {
		t.Errorf("got %q", got)
	}
	// A broken \'xx escape does not hide the group after it, nor does a
	// space after \*.
	for _, in := range []string{`{\rtf1\'{\info Kaare}}`, `{\rtf1{\* \info Kaare}x}`} {
		out.Reset()
		if err := StripRTF(&out, strings.NewReader(in)); err != nil || strings.Contains(out.String(), "Kaare") {
			t.Errorf("%s: got %q, %v", in, out.String(), err)
		}
	}
	for _, bad := range [][]byte{[]byte("not rtf"), []byte(`{\rtf1{\info{\title x}`)} {
		if err := StripRTF(io.Discard, bytes.NewReader(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestStripOOXMLEmbedded cleans a Word document embedded in another (as a
// chart's workbook or a pasted document is): its properties and comments
// go too.
func TestStripOOXMLEmbedded(t *testing.T) {
	inner := docfix.DOCXWithParts(docfix.DOCXParts{Body: []string{"Pasted"}, Core: docfix.PlantedName, Comment: docfix.PlantedName})
	outer := docfix.DOCXWithParts(docfix.DOCXParts{Body: []string{"Discharge letter"}})
	zr, _ := zip.NewReader(bytes.NewReader(outer), int64(len(outer)))
	var entries []docfix.ZipEntry
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		entries = append(entries, docfix.ZipEntry{Name: f.Name, Data: b})
	}
	entries = append(entries, docfix.ZipEntry{Name: "word/embeddings/Microsoft_Word_Document.docx", Data: inner})
	in := docfix.Zip(entries...)
	places := layersWithPlanted(t, in, "docx")
	if len(places) == 0 || !strings.HasPrefix(places[0], "word/embeddings/Microsoft_Word_Document.docx!/") {
		t.Fatalf("fixture: the layers of the embedded document are not read: %v", places)
	}
	var out bytes.Buffer
	if err := StripOOXML(&out, bytes.NewReader(in), int64(len(in))); err != nil {
		t.Fatal(err)
	}
	if places := layersWithPlanted(t, out.Bytes(), "docx"); len(places) > 0 {
		t.Errorf("the name is still in %v", places)
	}
	checkZipDocument(t, out.Bytes())
}

// TestStripOOXMLSpreadsheetComments: a workbook's comments, threaded
// comments and their authors go; its cells stay.
func TestStripOOXMLSpreadsheetComments(t *testing.T) {
	n := docfix.PlantedName
	head := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"
	rels := func(body string) []byte {
		return []byte(head + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` + body + `</Relationships>`)
	}
	in := docfix.Zip(
		docfix.ZipEntry{Name: "[Content_Types].xml", Data: []byte(head + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/comments1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"/><Override PartName="/xl/persons/person.xml" ContentType="application/vnd.ms-excel.person+xml"/></Types>`)},
		docfix.ZipEntry{Name: "_rels/.rels", Data: rels(`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>`)},
		docfix.ZipEntry{Name: "xl/workbook.xml", Data: []byte(head + `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Labs" sheetId="1" r:id="rId1"/></sheets></workbook>`)},
		docfix.ZipEntry{Name: "xl/_rels/workbook.xml.rels", Data: rels(`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.microsoft.com/office/2017/10/relationships/person" Target="persons/person.xml"/>`)},
		docfix.ZipEntry{Name: "xl/worksheets/sheet1.xml", Data: []byte(head + `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Haemoglobin 120</t></is></c></row></sheetData></worksheet>`)},
		docfix.ZipEntry{Name: "xl/worksheets/_rels/sheet1.xml.rels", Data: rels(`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments" Target="../comments1.xml"/>`)},
		docfix.ZipEntry{Name: "xl/comments1.xml", Data: []byte(head + `<comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><authors><author>` + n + `</author></authors><commentList><comment ref="A1" authorId="0"><text><t>for ` + n + `</t></text></comment></commentList></comments>`)},
		docfix.ZipEntry{Name: "xl/persons/person.xml", Data: []byte(head + `<personList xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments"><person displayName="` + n + `" id="{1}"/></personList>`)},
	)
	if len(layersWithPlanted(t, in, "xlsx")) == 0 {
		t.Fatal("fixture: the name is not seen")
	}
	var out bytes.Buffer
	if err := StripOOXML(&out, bytes.NewReader(in), int64(len(in))); err != nil {
		t.Fatal(err)
	}
	if places := layersWithPlanted(t, out.Bytes(), "xlsx"); len(places) > 0 {
		t.Errorf("the name is still in %v", places)
	}
	if all := checkZipDocument(t, out.Bytes()); !strings.Contains(all, "Haemoglobin 120") {
		t.Error("the cells are lost")
	}
}

// TestStripOOXMLPresentationComments: a presentation's comments and their
// authors go; slides and notes stay.
func TestStripOOXMLPresentationComments(t *testing.T) {
	n := docfix.PlantedName
	for _, in := range [][]byte{docfix.PPTX([]string{"Tumour board"}, "Discuss surgery", n, "Reviewer"), docfix.PPTX([]string{"Tumour board"}, "", "ok", n)} {
		if len(layersWithPlanted(t, in, "pptx")) == 0 {
			t.Fatal("fixture: the name is not seen")
		}
		var out bytes.Buffer
		if err := StripOOXML(&out, bytes.NewReader(in), int64(len(in))); err != nil {
			t.Fatal(err)
		}
		if places := layersWithPlanted(t, out.Bytes(), "pptx"); len(places) > 0 {
			t.Errorf("the name is still in %v", places)
		}
		text, err := doctext.Extract(context.Background(), bytes.NewReader(out.Bytes()), int64(out.Len()), "pptx", doctext.Options{})
		checkZipDocument(t, out.Bytes())
		if err != nil || !strings.Contains(text, "Tumour board") {
			t.Errorf("slides lost: %q %v", text, err)
		}
	}
}
