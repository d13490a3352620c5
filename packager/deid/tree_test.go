package deid

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"dossier/internal/fixture/dcmfix"
	"dossier/internal/fixture/docfix"
	"dossier/internal/fixture/tifffix"
	"dossier/packager/i18n"
	"dossier/packager/intake"
	"dossier/packager/leakscan"
	"dossier/packager/privacy"
)

// identity of the fixture case: every spelling below must vanish.
const (
	patientName = "DOE^JANE"
	patientID   = "PID-0042"
	birth       = "19610203"
	accession   = "ACC-777"
)

func write(t *testing.T, dir, rel string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	os.MkdirAll(filepath.Dir(p), 0o755)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// buildCase writes a case full of identity: DICOM (CT, and an ultrasound
// with burned-in risk), slides, PDFs with and without the name in their
// text, a photo with EXIF, a DOCX and a text note.
func buildCase(t *testing.T) string {
	dir := t.TempDir()
	for i := 1; i <= 3; i++ {
		write(t, dir, "cd/DICOM/IM"+string(rune('0'+i)), dcmfix.Instance(dcmfix.Spec{
			PatientName: patientName, PatientID: patientID, BirthDate: birth, Accession: accession, Sex: "F",
			StudyUID: "1.2.826.0.1.3680043.10.1999.1", SeriesUID: "1.2.826.0.1.3680043.10.1999.1.1",
			SOPUID: "1.2.826.0.1.3680043.10.1999.1.1." + string(rune('0'+i)), Modality: "CT", InstanceNumber: i,
			Institution: "Springfield General", ReferringPhysician: "HOUSE^GREGORY", Private: true,
			PatientAddress: "12 Elm Street, Springfield", PatientPhone: "+1 555 0100",
		}))
	}
	write(t, dir, "cd/DICOM/US1", dcmfix.Instance(dcmfix.Spec{PatientName: patientName, PatientID: patientID, BirthDate: birth,
		StudyUID: "1.2.826.0.1.3680043.10.1999.2", SeriesUID: "1.2.826.0.1.3680043.10.1999.2.1", SOPUID: "1.2.826.0.1.3680043.10.1999.2.1.1", Modality: "US"}))
	write(t, dir, "slides/a.svs", tifffix.SVS(tifffix.SVSOptions{}))
	write(t, dir, "reports/named.pdf", docfix.PDF("Pathology report for Jane Doe, born 03/02/1961", "ER positive"))
	write(t, dir, "reports/clean.pdf", docfix.PDFWithMetadata(map[string]string{"Author": "Jane Doe"}, "<x>Jane Doe</x>", "Treatment summary", "Cycle 1 of FOLFOX"))
	write(t, dir, "reports/note.txt", []byte("Question: is surgery first right?\n"))
	write(t, dir, "reports/letter.docx", docfix.DOCX("Dear colleague,", "the plan is chemotherapy first."))
	write(t, dir, "photos/letter.jpg", docfix.JPEG(320, 240))
	return dir
}

func scanCase(t *testing.T, dir string) *intake.Inventory {
	inv, err := intake.Scan(context.Background(), []string{dir}, intake.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

func decision(t *testing.T, ds []Decision, suffix string) Decision {
	for _, d := range ds {
		if strings.HasSuffix(d.Path, suffix) {
			return d
		}
	}
	t.Fatalf("no decision for %s", suffix)
	return Decision{}
}

func TestPlanPseudonymised(t *testing.T) {
	dir := buildCase(t)
	inv := scanCase(t, dir)
	ds, err := Plan(context.Background(), inv, privacy.Pseudonymised, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for suffix, want := range map[string]Action{
		"DICOM/IM1": Transform, "DICOM/US1": Review, "slides/a.svs": Transform,
		"named.pdf": Redact, "clean.pdf": Transform, "note.txt": Copy, "letter.docx": Transform, "letter.jpg": Review,
	} {
		if d := decision(t, ds, suffix); d.Action != want {
			t.Errorf("%s: %s (%s), want %s", suffix, d.Action, d.Reason, want)
		}
	}
	// With --no-redact a document naming the patient waits for review.
	held, err := Plan(context.Background(), inv, privacy.Pseudonymised, Options{NoRedact: true})
	if err != nil {
		t.Fatal(err)
	}
	if d := decision(t, held, "named.pdf"); d.Action != Review || !strings.Contains(d.Reason.String(), "mentions the patient") || strings.Contains(d.Reason.String(), "Jane") {
		t.Errorf("no redaction: named.pdf: %s, review reason %q", d.Action, d.Reason)
	}
	for _, d := range ds {
		if d.Writes() && (strings.Contains(d.Name, "IM1") || strings.Contains(strings.ToLower(d.Name), "letter")) {
			t.Errorf("output name %q carries the original name", d.Name)
		}
		for _, part := range strings.Split(d.Name, "/") {
			if strings.HasPrefix(d.Name, "DICOM/") && len(part) > 8 {
				t.Errorf("DICOM path component %q longer than 8", part)
			}
		}
	}
	// Identified: everything readable is copied as is.
	ds, _ = Plan(context.Background(), inv, privacy.Identified, Options{})
	for _, d := range ds {
		if d.Action != Copy && d.Action != Exclude {
			t.Errorf("identified: %s is %s", d.Path, d.Action)
		}
	}
}

func TestWriteTreeLeavesNoIdentity(t *testing.T) {
	dir := buildCase(t)
	inv := scanCase(t, dir)
	secret, _ := privacy.NewSecret()
	for _, tc := range []struct {
		level privacy.Level
		check bool // CheckDICOMOnWrite
	}{{privacy.Pseudonymised, false}, {privacy.Anonymised, false}, {privacy.Pseudonymised, true}} {
		level := tc.level
		t.Run(fmt.Sprintf("%s/checkOnWrite=%v", level, tc.check), func(t *testing.T) {
			p, err := privacy.NewParams(level, secret, "DOSSIER-TEST-0001")
			if err != nil {
				t.Fatal(err)
			}
			ds, _ := Plan(context.Background(), inv, level, Options{CheckDICOMOnWrite: tc.check})
			out := t.TempDir()
			res, err := WriteTree(context.Background(), out, inv, ds, p, TreeOptions{})
			if err != nil {
				t.Fatal(err)
			}
			// 3 CT images, the slide, clean.pdf, note.txt, letter.docx and
			// named.pdf redacted; the ultrasound and the photo wait for the
			// user's review.
			if len(res.Written) != 8 {
				t.Errorf("%d files written, want 8: %+v", len(res.Written), res.Written)
			}
			reviews := 0
			for _, d := range res.LeftOut {
				if d.Action == Review {
					reviews++
				}
			}
			if reviews != 2 {
				t.Errorf("%d items left for review, want 2", reviews)
			}
			// Independent leak scan of everything on disk.
			sc := leakscan.New(inv.Identity.Needles())
			filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				if hits := sc.String("name", p); len(hits) > 0 {
					t.Errorf("file name %s carries identity", p)
				}
				b, _ := os.ReadFile(p)
				if hits := sc.Bytes(p, b); len(hits) > 0 {
					t.Errorf("%v", hits)
				}
				if strings.Contains(string(b), "Jane Doe") || strings.Contains(string(b), "Springfield General") {
					t.Errorf("%s still names the patient or hospital", p)
				}
				return nil
			})
			entries, _ := os.ReadDir(out)
			for _, e := range entries {
				if strings.HasPrefix(e.Name(), ".dossier-partial") {
					t.Errorf("staging folder left behind: %s", e.Name())
				}
			}
		})
	}
}

func TestIncludedReviewItemsAreWrittenWithWarnings(t *testing.T) {
	dir := buildCase(t)
	inv := scanCase(t, dir)
	named := filepath.Join(dir, "reports", "named.pdf")
	photo := filepath.Join(dir, "photos", "letter.jpg")
	ds, _ := Plan(context.Background(), inv, privacy.Anonymised, Options{NoRedact: true, Include: map[string]bool{named: true, photo: true}})
	p, _ := privacy.NewParams(privacy.Anonymised, nil, "")
	res, err := WriteTree(context.Background(), t.TempDir(), inv, ds, p, TreeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, w := range res.Written {
		if w.Path == named {
			found++
			if !w.Included || len(w.Warnings) == 0 {
				t.Errorf("included named PDF: %+v", w)
			}
			// The warnings are kept as format and values, written in Chinese at the edge.
			for _, warn := range w.Warnings {
				if zh := i18n.MustLoad("zh-Hans").Text(warn); zh == warn.String() {
					t.Errorf("warning %q has no Chinese", warn.String())
				}
			}
		}
		if w.Path == photo {
			found++
		}
	}
	if found != 2 {
		t.Errorf("%d of 2 included items written", found)
	}
}

func TestWriteTreeHoldsLeakingFilesAndSendsTheRest(t *testing.T) {
	dir := buildCase(t)
	inv := scanCase(t, dir)
	// Force leaks: plan at identified level (plain copies) but write with
	// anonymised parameters, so copies that still carry the name are scanned.
	ds, _ := Plan(context.Background(), inv, privacy.Identified, Options{})
	p, _ := privacy.NewParams(privacy.Anonymised, nil, "")
	out := t.TempDir()
	res, err := WriteTree(context.Background(), out, inv, ds, p, TreeOptions{})
	if err != nil {
		t.Fatalf("a leak stopped the whole export: %v", err)
	}
	held := map[string]Decision{}
	for _, d := range res.LeftOut {
		if d.Action == Held {
			held[filepath.Base(d.Path)] = d
		}
	}
	for _, name := range []string{"IM1", "named.pdf"} {
		d, ok := held[name]
		if !ok {
			t.Errorf("%s was not held back (left out: %+v)", name, res.LeftOut)
			continue
		}
		if len(d.Leaks) == 0 || d.Reason.IsZero() || d.Name != "" {
			t.Errorf("%s: %+v", name, d)
		}
		for _, l := range d.Leaks {
			if l.Kind == "" || l.Place == "" || l.Source == "" {
				t.Errorf("%s: leak without kind, place or source: %+v", name, l)
			}
		}
		for _, s := range []string{"Jane", "JANE", "DOE", "PID-0042", "1961", "byte"} {
			if strings.Contains(d.Reason.String(), s) {
				t.Errorf("%s: the reason quotes %q: %s", name, s, d.Reason)
			}
		}
	}
	if d := held["IM1"]; !slices.ContainsFunc(d.Leaks, func(l Leak) bool { return l.Place == "Patient's Name (0010,0010)" && l.Kind == "name" }) {
		t.Errorf("the DICOM file's leaks do not name the attribute: %+v", d.Leaks)
	}
	if d := held["named.pdf"]; len(d.Leaks) > 0 && !slices.ContainsFunc(d.Leaks, func(l Leak) bool { return l.Place == placeText && l.Kind == "name" }) {
		t.Errorf("the named PDF's leaks do not say the name is in its text: %+v", d.Leaks)
	}
	wrote := map[string]bool{}
	for _, w := range res.Written {
		wrote[filepath.Base(w.Path)] = true
		if _, err := os.Stat(filepath.Join(out, filepath.FromSlash(w.Name))); err != nil {
			t.Errorf("%s listed as written: %v", w.Name, err)
		}
	}
	if !wrote["note.txt"] || !wrote["letter.docx"] {
		t.Errorf("the clean files were not sent: %v", wrote)
	}
	var files []string
	filepath.WalkDir(out, func(p string, e os.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			files = append(files, p)
		}
		if e != nil && e.IsDir() && strings.HasPrefix(e.Name(), ".dossier-partial-") {
			t.Errorf("staging folder left behind: %s", p)
		}
		return nil
	})
	if len(files) != len(res.Written) {
		t.Errorf("%d files in the output, %d written", len(files), len(res.Written))
	}
}

func TestPlanRefusesWithoutAnyIdentity(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "report.pdf", docfix.PDF("Pathology report", "ER positive"))
	inv := scanCase(t, dir)
	for _, level := range []privacy.Level{privacy.Pseudonymised, privacy.Anonymised} {
		if _, err := Plan(context.Background(), inv, level, Options{}); !errors.Is(err, ErrNoIdentity) {
			t.Errorf("%s: err = %v, want ErrNoIdentity", level, err)
		}
	}
	if _, err := Plan(context.Background(), inv, privacy.Identified, Options{}); err != nil {
		t.Errorf("identified: %v", err)
	}
}

func TestWriteTreeCancelLeavesNothing(t *testing.T) {
	dir := buildCase(t)
	inv := scanCase(t, dir)
	ds, _ := Plan(context.Background(), inv, privacy.Identified, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	out := t.TempDir()
	p, _ := privacy.NewParams(privacy.Identified, nil, "")
	_, err := WriteTree(ctx, out, inv, ds, p, TreeOptions{Progress: func(done, total int) {
		if done == 2 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("output folder not empty after cancel: %v", entries)
	}
}

func TestPlanLeavesOutWhatCannotBeDeidentified(t *testing.T) {
	dir := t.TempDir()
	// No SOP Instance UID: no disc index can list it.
	var elems []dcmfix.Element
	for _, e := range (dcmfix.Spec{}).Elements() {
		if e.Tag != dcmfix.T(0x0008, 0x0018) {
			elems = append(elems, e)
		}
	}
	write(t, dir, "nouid", dcmfix.File(elems, dcmfix.FileOptions{MediaStorageSOPClassUID: dcmfix.SOPClassCT, MediaStorageSOPInstanceUID: "1.2.3.4.4"}))
	// Deflated: the DICOM de-identifier refuses it, found before writing.
	write(t, dir, "deflated", dcmfix.Instance(dcmfix.Spec{SOPUID: "1.2.3.4.5", TransferSyntaxUID: dcmfix.UIDDeflatedLE}))
	write(t, dir, "fine", dcmfix.Instance(dcmfix.Spec{SOPUID: "1.2.3.4.6"}))
	inv := scanCase(t, dir)
	for _, level := range []privacy.Level{privacy.Pseudonymised, privacy.Anonymised} {
		ds, err := Plan(context.Background(), inv, level, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if d := decision(t, ds, "/fine"); d.Action != Transform {
			t.Errorf("%s fine: %s %s", level, d.Action, d.Reason)
		}
		for _, name := range []string{"/nouid", "/deflated"} {
			d := decision(t, ds, name)
			if d.Action != Exclude || d.Reason.IsZero() || name == "/nouid" && !strings.Contains(d.Reason.String(), "lacks the numbers") {
				t.Errorf("%s %s: %s %q", level, name, d.Action, d.Reason)
			}
		}
	}
	ds, _ := Plan(context.Background(), inv, privacy.Identified, Options{})
	if d := decision(t, ds, "/nouid"); d.Action != Exclude {
		t.Errorf("identified: a DICOM file without identifiers is %s", d.Action)
	}
}

// TestPlanHoldsDocumentsItCannotReadFully: a PDF whose text is in a font
// Dossier cannot read is never clean at a private level.
func TestPlanHoldsDocumentsItCannotReadFully(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "IM1", dcmfix.Instance(dcmfix.Spec{PatientName: patientName, PatientID: patientID}))
	write(t, dir, "type3.pdf", docfix.PDFType3("Jane Doe"))
	inv := scanCase(t, dir)
	for _, level := range []privacy.Level{privacy.Pseudonymised, privacy.Anonymised} {
		ds, err := Plan(context.Background(), inv, level, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if d := decision(t, ds, "type3.pdf"); d.Action != Review || !strings.Contains(d.Reason.String(), "font") {
			t.Errorf("%s: %s %q", level, d.Action, d.Reason)
		}
	}
}

// TestCheckDICOMOnWriteLeavesOutTheSame plans a folder with DICOM files the
// de-identifier refuses (a character set it does not know, one that
// changed after it was added)
// with and without CheckDICOMOnWrite: both leave out the same files for the
// same reasons and write the same others, and nothing of a refused file is
// left in the output.
func TestCheckDICOMOnWriteLeavesOutTheSame(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a-fine", dcmfix.Instance(dcmfix.Spec{PatientName: patientName, SOPUID: "1.2.3.4.6", InstanceNumber: 1}))
	// A series of its own: its folder must not be left behind empty.
	write(t, dir, "b-charset", dcmfix.Instance(dcmfix.Spec{PatientName: patientName, SOPUID: "1.2.3.4.5", SeriesUID: "1.2.3.4.99", CharacterSet: []string{"ISO_IR 999"}}))
	changed := write(t, dir, "c-changed", dcmfix.Instance(dcmfix.Spec{PatientName: patientName, SOPUID: "1.2.3.4.7", InstanceNumber: 3}))
	write(t, dir, "d-fine", dcmfix.Instance(dcmfix.Spec{PatientName: patientName, SOPUID: "1.2.3.4.8", InstanceNumber: 4}))
	inv := scanCase(t, dir)
	if err := os.WriteFile(changed, dcmfix.Instance(dcmfix.Spec{PatientName: patientName, SOPUID: "1.2.3.4.7", InstanceNumber: 33, Rows: 32}), 0o644); err != nil {
		t.Fatal(err)
	}
	secret, _ := privacy.NewSecret()
	p, err := privacy.NewParams(privacy.Pseudonymised, secret, "DOSSIER-TEST-0001")
	if err != nil {
		t.Fatal(err)
	}
	type outcome struct {
		written []string          // the originals written
		left    map[string]string // reason by original
		files   int               // files in the output
	}
	run := func(check bool) outcome {
		ds, err := Plan(context.Background(), inv, privacy.Pseudonymised, Options{CheckDICOMOnWrite: check})
		if err != nil {
			t.Fatal(err)
		}
		if check {
			if d := decision(t, ds, "b-charset"); d.Action != Transform {
				t.Errorf("checked on write, the file in an unknown character set was planned as %s (%s) before writing", d.Action, d.Reason)
			}
		}
		out := t.TempDir()
		res, err := WriteTree(context.Background(), out, inv, ds, p, TreeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		o := outcome{left: map[string]string{}}
		for _, w := range res.Written {
			o.written = append(o.written, filepath.Base(w.Path))
		}
		for _, d := range res.LeftOut {
			if d.Action != Exclude || d.Name != "" {
				t.Errorf("check %v: %s left out as %s named %q", check, d.Path, d.Action, d.Name)
			}
			o.left[filepath.Base(d.Path)] = d.Reason.String()
		}
		filepath.WalkDir(out, func(path string, e os.DirEntry, err error) error {
			if err == nil && !e.IsDir() {
				o.files++
			}
			if entries, _ := os.ReadDir(path); err == nil && e.IsDir() && len(entries) == 0 {
				t.Errorf("check %v: an empty folder %s is left in the output", check, path)
			}
			return err
		})
		return o
	}
	before, after := run(false), run(true)
	if !slices.Equal(before.written, []string{"a-fine", "d-fine"}) || len(before.left) != 2 || before.files != 2 {
		t.Fatalf("checked when planned: %+v", before)
	}
	if !slices.Equal(after.written, before.written) || after.files != before.files {
		t.Errorf("checked on write: wrote %v (%d files), want %v", after.written, after.files, before.written)
	}
	for name, reason := range before.left {
		if after.left[name] != reason {
			t.Errorf("checked on write, %s was left out for %q, want %q", name, after.left[name], reason)
		}
	}
}

// TestWriteTreeChecksums: every written file has its SHA-256, unless the
// caller asks for none.
func TestWriteTreeChecksums(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "IM1", dcmfix.Instance(dcmfix.Spec{PatientName: patientName, SOPUID: "1.2.3.4.6"}))
	inv := scanCase(t, dir)
	p, _ := privacy.NewParams(privacy.Anonymised, nil, "")
	ds, _ := Plan(context.Background(), inv, privacy.Anonymised, Options{})
	for _, none := range []bool{false, true} {
		out := t.TempDir()
		res, err := WriteTree(context.Background(), out, inv, ds, p, TreeOptions{NoChecksums: none})
		if err != nil || len(res.Written) != 1 {
			t.Fatalf("%v, %+v", err, res)
		}
		w := res.Written[0]
		b, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(w.Name)))
		if err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf("%x", sha256.Sum256(b))
		if none {
			want = ""
		}
		if w.SHA256 != want || w.Bytes != int64(len(b)) {
			t.Errorf("NoChecksums %v: sha256 %q, %d bytes; want %q, %d", none, w.SHA256, w.Bytes, want, len(b))
		}
	}
}
