package intake

import (
	"dossier/internal/testtool"

	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"dossier/internal/fixture/dcmfix"
	"dossier/internal/fixture/docfix"
	"dossier/packager/i18n"
	"dossier/packager/identity"
	"dossier/packager/slide"
)

func scan(t testing.TB, opts Options, paths ...string) *Inventory {
	t.Helper()
	inv, err := Scan(context.Background(), paths, opts, nil)
	if err != nil {
		t.Fatalf("Scan: %v", err)
	}
	return inv
}

func itemAt(t testing.TB, inv *Inventory, suffix string) *Item {
	t.Helper()
	for _, it := range inv.Items {
		if strings.HasSuffix(filepath.ToSlash(it.Path), suffix) {
			return it
		}
	}
	var paths []string
	for _, it := range inv.Items {
		paths = append(paths, it.Path)
	}
	t.Fatalf("no item ending in %q among:\n%s", suffix, strings.Join(paths, "\n"))
	return nil
}

func hasProblem(inv *Inventory, code string) *Problem {
	for i := range inv.Problems {
		if inv.Problems[i].Code == code {
			return &inv.Problems[i]
		}
	}
	return nil
}

func TestScanMixedCase(t *testing.T) {
	dir := t.TempDir()
	buildCase(t, dir)
	inv := scan(t, Options{}, dir)

	kinds := map[string]Kind{
		"cd/DICOMDIR":                                    KindDICOMDIR,
		"cd/DICOM/ST000001/SE000001/IM000001":            KindDICOM,
		"cd/DICOM/ST000001/SE000002/IM000001":            KindDICOM,
		"cd/AUTORUN.INF":                                 KindSkipped,
		"cd/VIEWER/viewer.exe":                           KindSkipped,
		"cd/VIEWER/res/splash.png":                       KindSkipped,
		"cd/IHE_PDI/IMG00001.JPG":                        KindSkipped,
		"cd/icons/open.png":                              KindSkipped,
		"loose/IM0001":                                   KindDICOM,
		"portal/download.zip":                            KindArchive,
		"download.zip!/reports/pathology.pdf":            KindPDF,
		"download.zip!/letters/clinic letter.docx":       KindDocument,
		"download.zip!/images/IM1":                       KindDICOM,
		"download.zip!/__MACOSX/reports/._pathology.pdf": KindSkipped,
		"slides/classic.svs":                             KindSlide,
		"slides/bigtiff.svs":                             KindSlide,
		"reports/Discharge letter.pdf":                   KindPDF,
		"reports/notes.txt":                              KindDocument,
		"photos/IMG_2041.JPG":                            KindImage,
		"photos/.DS_Store":                               KindSkipped,
	}
	for suffix, want := range kinds {
		it := itemAt(t, inv, suffix)
		if it.Kind != want {
			t.Errorf("%s: kind %q (%v %q), want %q", suffix, it.Kind, it.Problems, it.Reason, want)
		}
		if it.Kind == KindSkipped && it.Reason.IsZero() {
			t.Errorf("%s: skipped without a reason", suffix)
		}
		if it.Problems == nil {
			t.Errorf("%s: problems is nil, want a list", suffix)
		}
	}
	if f := itemAt(t, inv, "letters/clinic letter.docx").Format; f != "docx" {
		t.Errorf("docx format = %q", f)
	}

	// Studies: two from the CD, one loose, one in the ZIP.
	if len(inv.Studies) != 4 {
		t.Fatalf("%d studies, want 4", len(inv.Studies))
	}
	byUID := map[string]*Study{}
	for _, st := range inv.Studies {
		byUID[st.StudyInstanceUID] = st
	}
	ct := byUID[cdSeries[0].study]
	if ct == nil || ct.Date != "2026-01-10" || ct.Description != "CT CHEST ABDOMEN PELVIS" || !slices.Equal(ct.Modalities, []string{"CT", "PT", "SR"}) {
		t.Fatalf("CT study = %+v", ct)
	}
	wantSeries := []struct {
		mod   string
		count int
	}{{"CT", 6}, {"PT", 4}, {"SR", 1}}
	for i, w := range wantSeries {
		se := ct.Series[i]
		if se.Modality != w.mod || se.Instances != w.count {
			t.Errorf("CT study series %d = %s x%d, want %s x%d", i, se.Modality, se.Instances, w.mod, w.count)
		}
	}
	mr := byUID[cdSeries[1].study]
	if mr == nil || !slices.Equal(mr.Modalities, []string{"MR", "US"}) {
		t.Fatalf("MR study = %+v", mr)
	}
	if len(mr.Series[0].Problems) == 0 || !strings.Contains(mr.Series[0].Problems[0].String(), "1 of 6 images is missing") {
		t.Errorf("MR series with a gap: problems %q", mr.Series[0].Problems)
	}
	if mr.Series[1].BurnedIn != 2 {
		t.Errorf("US series burned-in count = %d, want 2", mr.Series[1].BurnedIn)
	}
	if !itemAt(t, inv, "ST000002/SE000002/IM000001").BurnedIn {
		t.Error("ultrasound image not flagged as burned-in risk")
	}
	if itemAt(t, inv, "ST000001/SE000001/IM000001").BurnedIn {
		t.Error("CT image flagged as burned-in risk")
	}
	if it := itemAt(t, inv, "ST000001/SE000002/IM000001"); it.DICOM.TransferSyntaxUID != dcmfix.UIDJPEGBaseline {
		t.Errorf("compressed PET transfer syntax = %q", it.DICOM.TransferSyntaxUID)
	}

	// Slides.
	if len(inv.Slides) != 2 {
		t.Fatalf("%d slides, want 2", len(inv.Slides))
	}
	for _, s := range inv.Slides {
		if s.Vendor != slide.VendorAperio || s.Levels != 2 || !s.Label || !s.Macro || len(s.IdentifyingMetadata) == 0 {
			t.Errorf("slide %s = %+v", s.Path, s)
		}
	}

	// One patient, and the findings a reviewer would ask about.
	if len(inv.Patients) != 1 || inv.Patients[0].Name != patient.Name || inv.Patients[0].ID != patient.ID || inv.Patients[0].BirthDate != "1961-02-03" {
		t.Errorf("patients = %+v", inv.Patients)
	}
	for _, code := range []string{ProblemBurnedIn, ProblemMissingInstances} {
		if hasProblem(inv, code) == nil {
			t.Errorf("no %q problem in %+v", code, inv.Problems)
		}
	}
	for _, code := range []string{ProblemSeveralPatients, ProblemImagingNotDICOM, ProblemDuplicateSOP, ProblemDICOMDIRMismatch, ProblemDamaged} {
		if p := hasProblem(inv, code); p != nil {
			t.Errorf("unexpected problem %+v", p)
		}
	}

	// Identity gathered on the way, from DICOM and from the slides.
	want := map[identity.Kind]string{
		identity.Name: patient.Name, identity.ID: patient.ID, identity.BirthDate: patient.Birth,
		identity.Accession: patient.Accession, identity.Address: "12 Elm Street, Springfield", identity.Phone: "+1 555 0100",
	}
	got := map[identity.Kind][]string{}
	for _, tok := range inv.Identity.Tokens() {
		got[tok.Kind] = append(got[tok.Kind], tok.Value)
	}
	for k, v := range want {
		if !slices.Contains(got[k], v) {
			t.Errorf("identity %s: %q not among %q", k, v, got[k])
		}
	}
	if !slices.ContainsFunc(inv.Identity.Tokens(), func(tok identity.Token) bool { return strings.HasPrefix(tok.Source, "aperio.") }) {
		t.Error("no identity gathered from the slides' metadata")
	}
}

func TestScanJSONShape(t *testing.T) {
	dir := t.TempDir()
	buildCase(t, dir)
	inv := scan(t, Options{}, dir)
	b, err := json.Marshal(inv)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Items   []map[string]any `json:"items"`
		Studies []struct {
			StudyInstanceUID string   `json:"studyInstanceUID"`
			Date             string   `json:"date"`
			Description      *string  `json:"description"`
			Modalities       []string `json:"modalities"`
			Series           []map[string]any
		} `json:"studies"`
		Slides   []map[string]any `json:"slides"`
		Patients []map[string]any `json:"patients"`
		Problems []map[string]any `json:"problems"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	for _, it := range doc.Items {
		for _, k := range []string{"path", "kind", "problems"} {
			if _, ok := it[k]; !ok {
				t.Fatalf("item without %q: %v", k, it)
			}
		}
		if it["kind"] == "dicom" {
			for _, k := range []string{"modality", "studyInstanceUID"} {
				if _, ok := it[k]; !ok {
					t.Errorf("DICOM item without %q: %v", k, it)
				}
			}
		}
	}
	for _, st := range doc.Studies {
		if st.StudyInstanceUID == "" || st.Description == nil || len(st.Modalities) == 0 || len(st.Series) == 0 {
			t.Errorf("study %+v", st)
		}
		for _, se := range st.Series {
			for _, k := range []string{"seriesInstanceUID", "modality", "description", "instances"} {
				if _, ok := se[k]; !ok {
					t.Errorf("series without %q: %v", k, se)
				}
			}
		}
	}
	for _, s := range doc.Slides {
		for _, k := range []string{"path", "vendor", "levels", "label", "macro"} {
			if _, ok := s[k]; !ok {
				t.Errorf("slide without %q: %v", k, s)
			}
		}
	}
	for _, p := range doc.Patients {
		for _, k := range []string{"name", "id", "birthDate"} {
			if _, ok := p[k]; !ok {
				t.Errorf("patient without %q: %v", k, p)
			}
		}
	}
	if doc.Problems == nil {
		t.Error("problems missing")
	}
	if bytes.Contains(b, []byte(`"Identity"`)) {
		t.Error("identity set leaked into the JSON")
	}
}

func TestBurnedInAndSeveralPatients(t *testing.T) {
	dir := t.TempDir()
	mk := func(name, sop, modality, burned string, class string) {
		writeFile(t, dir, name, dcmfix.Instance(dcmfix.Spec{PatientName: name + "^X", PatientID: name, BirthDate: "19700101",
			StudyUID: "1.2.3." + sop, SeriesUID: "1.2.3." + sop + ".1", SOPUID: "1.2.3." + sop + ".1.1", SOPClassUID: class, Modality: modality, BurnedIn: burned}))
	}
	mk("A", "1", "CT", "", "")
	mk("B", "2", "XA", "", "")
	mk("C", "3", "SC", "", "")
	mk("D", "4", "CT", "YES", "")
	mk("E", "5", "CT", "NO", "")
	mk("F", "6", "ES", "", "")
	mk("G", "7", "DOC", "", "")
	inv := scan(t, Options{}, dir)
	for name, want := range map[string]bool{"A": false, "B": true, "C": true, "D": true, "E": false, "F": true, "G": true} {
		if got := itemAt(t, inv, "/"+name).BurnedIn; got != want {
			t.Errorf("%s burnedIn = %v, want %v", name, got, want)
		}
	}
	if p := hasProblem(inv, ProblemSeveralPatients); p == nil || !strings.Contains(p.Message, "7 different people") {
		t.Errorf("several-patients problem = %+v", p)
	}
}

func TestSamePersonSeveralHospitalIDs(t *testing.T) {
	dir := t.TempDir()
	for i, id := range []string{"H1-123", "H2-999"} {
		writeFile(t, dir, id, dcmfix.Instance(dcmfix.Spec{PatientName: "DOE^JANE", PatientID: id, BirthDate: "19610203",
			StudyUID: "1.2.5." + id[1:2], SOPUID: "1.2.5.9." + string(rune('1'+i))}))
	}
	inv := scan(t, Options{}, dir)
	if len(inv.Patients) != 2 {
		t.Errorf("%d patients, want 2 (distinct IDs)", len(inv.Patients))
	}
	if p := hasProblem(inv, ProblemSeveralPatients); p != nil {
		t.Errorf("one person with two hospital IDs flagged: %+v", p)
	}
}

func TestDuplicateSOPInstance(t *testing.T) {
	dir := t.TempDir()
	data := dcmfix.Instance(dcmfix.Spec{SOPUID: "1.2.9.1", StudyUID: "1.2.9", SeriesUID: "1.2.9.0"})
	writeFile(t, dir, "a/IM1", data)
	writeFile(t, dir, "b/IM1", data)
	inv := scan(t, Options{}, dir)
	p := hasProblem(inv, ProblemDuplicateSOP)
	if p == nil || len(p.Paths) != 1 {
		t.Fatalf("duplicate problem = %+v", p)
	}
	if !strings.HasPrefix(p.Message, "1 image appears twice") {
		t.Errorf("one duplicate: %q", p.Message)
	}
	if inv.Studies[0].Instances != 1 {
		t.Errorf("duplicate counted twice: %d instances", inv.Studies[0].Instances)
	}
}

func TestImagingOnlyAsPictures(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "export/CT_001.jpg", docfix.JPEG(512, 512))
	writeFile(t, dir, "report.pdf", docfix.PDF("Radiology report"))
	inv := scan(t, Options{}, dir)
	if p := hasProblem(inv, ProblemImagingNotDICOM); p == nil || len(p.Paths) != 1 {
		t.Errorf("imaging-not-dicom problem = %+v", p)
	}
}

func TestDICOMDIRListsMissingFiles(t *testing.T) {
	dir := t.TempDir()
	buildCD(t, dir)
	os.Remove(filepath.Join(dir, "DICOM", "ST000001", "SE000001", "IM000002"))
	inv := scan(t, Options{}, dir)
	it := itemAt(t, inv, "DICOMDIR")
	if len(it.Problems) != 1 || !strings.Contains(it.Problems[0].String(), "1 of them were not found") {
		t.Errorf("DICOMDIR problems = %q", it.Problems)
	}
	if hasProblem(inv, ProblemDICOMDIRMismatch) == nil {
		t.Error("no dicomdir-mismatch problem")
	}
}

func TestCDNamesAreMatchedLikeADrive(t *testing.T) {
	// A Linux mount shows a CD's names in lower case with ";1" versions.
	dir := t.TempDir()
	src := t.TempDir()
	buildCD(t, src)
	filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		name := strings.ToLower(rel)
		if !strings.Contains(name, "dicomdir") {
			name += ";1"
		}
		data, _ := os.ReadFile(p)
		writeFile(t, dir, name, data)
		return nil
	})
	inv := scan(t, Options{}, dir)
	if it := itemAt(t, inv, "dicomdir"); len(it.Problems) != 0 {
		t.Errorf("DICOMDIR problems on a lower-case CD: %q", it.Problems)
	}
}

func TestBadInputs(t *testing.T) {
	dir := t.TempDir()
	good := dcmfix.Instance(dcmfix.Spec{Rows: 64, Cols: 64})
	writeFile(t, dir, "truncated-header", good[:300])
	writeFile(t, dir, "truncated-pixels", good[:len(good)-100])
	implicit := dcmfix.Instance(dcmfix.Spec{Rows: 64, Cols: 64, Syntax: dcmfix.ImplicitLE})
	huge, err := dcmfix.PatchLength(implicit, dcmfix.T(0x0010, 0x0010), 0xFFFFFFF0)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "huge-length", huge)
	unknownTS, err := dcmfix.ReplaceTransferSyntax(good, "1.2.3.4.5.6.7")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "unknown-syntax", unknownTS)
	writeFile(t, dir, "empty", nil)
	writeFile(t, dir, "cut.pdf", docfix.PDF("report")[:200])
	writeFile(t, dir, "garbage.jpg", []byte{0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3})
	writeFile(t, dir, "bad.zip", []byte("PK\x03\x04 not really a zip"))
	os.Symlink(filepath.Join(dir, "nowhere"), filepath.Join(dir, "dangling"))
	os.Symlink(filepath.Join(dir, "self"), filepath.Join(dir, "self"))
	os.Mkdir(filepath.Join(dir, "loop"), 0o755)
	os.Symlink(dir, filepath.Join(dir, "loop", "back-to-top"))

	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	before := ms.TotalAlloc
	inv := scan(t, Options{}, dir)
	runtime.ReadMemStats(&ms)
	if grew := ms.TotalAlloc - before; grew > 64<<20 {
		t.Errorf("scanning bad inputs allocated %d MB", grew>>20)
	}

	for name, want := range map[string]string{
		"truncated-header": "damaged DICOM",
		"truncated-pixels": "",
		"huge-length":      "damaged DICOM",
		"unknown-syntax":   "",
		"empty":            "empty",
		"cut.pdf":          "cut short",
		"garbage.jpg":      "damaged",
		"bad.zip":          "damaged ZIP",
		"dangling":         "leads nowhere",
		"self":             "leads nowhere or loops",
	} {
		it := itemAt(t, inv, "/"+name)
		if len(it.Problems) == 0 {
			t.Errorf("%s: kind %s with no problem", name, it.Kind)
			continue
		}
		if want != "" && !strings.Contains(strings.Join(i18n.Strings(it.Problems), "; "), want) {
			t.Errorf("%s: problems %q, want one mentioning %q", name, it.Problems, want)
		}
	}
	if it := itemAt(t, inv, "loop/back-to-top"); it.Kind != KindSkipped || !strings.Contains(it.Reason.String(), "loops") {
		t.Errorf("symlink loop: %+v", it)
	}
	if hasProblem(inv, ProblemDamaged) == nil {
		t.Error("no damaged-files problem")
	}
}

func TestUnreadableFile(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "locked.pdf", docfix.PDF("x"))
	if os.Geteuid() != 0 && runtime.GOOS != "windows" {
		// A real permission failure, where the OS enforces one (not for root).
		os.Chmod(p, 0)
		defer os.Chmod(p, 0o644)
		it := itemAt(t, scan(t, Options{}, dir), "locked.pdf")
		if it.Kind != KindUnreadable || !strings.Contains(it.Problems[0].String(), "permission denied") {
			t.Errorf("locked file: %+v", it)
		}
	}
	// The same path through an injected failure, which works for every user.
	orig := openRead
	openRead = func(src source) (readFile, error) {
		if strings.HasSuffix(src.disk, "locked.pdf") {
			return nil, &fs.PathError{Op: "open", Path: src.disk, Err: fs.ErrPermission}
		}
		return orig(src)
	}
	defer func() { openRead = orig }()
	it := itemAt(t, scan(t, Options{}, dir), "locked.pdf")
	if it.Kind != KindUnreadable || !strings.Contains(it.Problems[0].String(), "permission denied") || strings.Contains(it.Problems[0].String(), dir) {
		t.Errorf("locked file: %+v", it)
	}
	// The walker did not stat it; its size is still known.
	if it.Size != int64(len(docfix.PDF("x"))) {
		t.Errorf("locked file's size = %d", it.Size)
	}
}

// notRegularFile is an open file that turns out not to be a regular file.
type notRegularFile struct{ readFile }

func (notRegularFile) info() (fileInfo, error) { return fileInfo{}, nil }

func TestFileReplacedBeforeItIsOpened(t *testing.T) {
	// The walker saw a regular file; when a worker opened the name, it was
	// something else (a pipe, say). The open file says so.
	dir := t.TempDir()
	writeFile(t, dir, "report.pdf", docfix.PDF("x"))
	writeFile(t, dir, "other.pdf", docfix.PDF("y"))
	orig := openRead
	openRead = func(src source) (readFile, error) {
		f, err := orig(src)
		if err == nil && strings.HasSuffix(src.disk, "report.pdf") {
			return notRegularFile{f}, nil
		}
		return f, err
	}
	defer func() { openRead = orig }()
	inv := scan(t, Options{}, dir)
	if it := itemAt(t, inv, "report.pdf"); it.Kind != KindSkipped || !strings.Contains(it.Reason.String(), "not a regular file") {
		t.Errorf("replaced file: %+v", it)
	}
	if it := itemAt(t, inv, "other.pdf"); it.Kind != KindPDF || it.Size != int64(len(docfix.PDF("y"))) || it.ModTime.IsZero() {
		t.Errorf("other file: %+v", it)
	}
}

func TestFilesGetSizeAndTimeFromTheOpenFile(t *testing.T) {
	dir := t.TempDir()
	var want []string
	for i := range 3 * batchSize {
		p := writeFile(t, dir, fmt.Sprintf("d%d/f%03d.txt", i%3, i), []byte(strings.Repeat("x", i)))
		when := time.Date(2020, 1, 2, 3, 4, 5, i*1000, time.UTC)
		if err := os.Chtimes(p, when, when); err != nil {
			t.Fatal(err)
		}
		want = append(want, p)
	}
	inv := scan(t, Options{}, dir)
	if len(inv.Items) != len(want) {
		t.Fatalf("%d items, want %d", len(inv.Items), len(want))
	}
	for _, p := range want {
		it := itemAt(t, inv, strings.TrimPrefix(filepath.ToSlash(p), filepath.ToSlash(dir)))
		fi, err := os.Lstat(p)
		if err != nil {
			t.Fatal(err)
		}
		if it.Size != fi.Size() || !it.ModTime.Equal(fi.ModTime()) || it.ModTime.Location() != fi.ModTime().Location() {
			t.Errorf("%s: size %d, time %v; Lstat says %d, %v", filepath.Base(p), it.Size, it.ModTime, fi.Size(), fi.ModTime())
		}
	}
}

func TestZipGuards(t *testing.T) {
	dir := t.TempDir()
	zeros := make([]byte, 40<<20)
	writeFile(t, dir, "bomb.zip", docfix.Zip(docfix.ZipEntry{Name: "zeros.bin", Data: zeros}))
	writeFile(t, dir, "evil.zip", docfix.Zip(
		docfix.ZipEntry{Name: "../../etc/evil.pdf", Data: docfix.PDF("x")},
		docfix.ZipEntry{Name: "/abs/evil.pdf", Data: docfix.PDF("x")},
		docfix.ZipEntry{Name: `..\win\evil.pdf`, Data: docfix.PDF("x")},
		docfix.ZipEntry{Name: "C:/evil.pdf", Data: docfix.PDF("x")},
		docfix.ZipEntry{Name: "ok/fine.pdf", Data: docfix.PDF("x")},
	))
	inner := docfix.Zip(docfix.ZipEntry{Name: "deep.pdf", Data: docfix.PDF("x")})
	for i := 0; i < 4; i++ {
		inner = docfix.Zip(docfix.ZipEntry{Name: "level.zip", Data: inner})
	}
	writeFile(t, dir, "nested.zip", inner)
	big := docfix.Zip(docfix.ZipEntry{Name: "a.bin", Data: bytes.Repeat([]byte("abcdefgh"), 1<<17)}, docfix.ZipEntry{Name: "b.bin", Data: bytes.Repeat([]byte("abcdefgh"), 1<<17)})
	writeFile(t, dir, "budget/over.zip", big)

	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	before := ms.TotalAlloc
	inv := scan(t, Options{}, filepath.Join(dir, "bomb.zip"), filepath.Join(dir, "evil.zip"), filepath.Join(dir, "nested.zip"))
	runtime.ReadMemStats(&ms)
	if grew := ms.TotalAlloc - before; grew > 48<<20 {
		t.Errorf("zip bomb: scan allocated %d MB", grew>>20)
	}
	if it := itemAt(t, inv, "bomb.zip!/zeros.bin"); it.Kind != KindUnreadable || !strings.Contains(it.Problems[0].String(), "zip bomb") {
		t.Errorf("bomb entry: %+v", it)
	}
	unsafe := 0
	for _, it := range inv.Items {
		if strings.Contains(it.Path, "evil.zip!/") && strings.Contains(it.Path, "evil.pdf") {
			unsafe++
			if it.Kind != KindSkipped || !strings.Contains(it.Reason.String(), "outside the archive") {
				t.Errorf("unsafe entry %s: %+v", it.Path, it)
			}
		}
	}
	if unsafe != 4 {
		t.Errorf("%d unsafe entries reported, want 4", unsafe)
	}
	if it := itemAt(t, inv, "evil.zip!/ok/fine.pdf"); it.Kind != KindPDF {
		t.Errorf("safe entry: %+v", it)
	}
	deepest := ""
	for _, it := range inv.Items {
		if it.Kind == KindArchive && strings.Contains(strings.Join(i18n.Strings(it.Problems), ""), "nested more than") {
			deepest = it.Path
		}
		if strings.HasSuffix(it.Path, "deep.pdf") {
			t.Errorf("archive nested 5 deep was opened: %s", it.Path)
		}
	}
	if deepest == "" {
		t.Error("no item says the nesting limit was reached")
	}

	inv = scan(t, Options{MaxArchiveBytes: 1 << 20}, filepath.Join(dir, "budget"))
	if it := itemAt(t, inv, "over.zip"); !strings.Contains(strings.Join(i18n.Strings(it.Problems), ""), "more data than Dossier accepts") {
		t.Errorf("budget: archive problems %q", it.Problems)
	}

	// Entries larger than the in-memory limit go through a temporary file
	// that is removed afterwards.
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	inv = scan(t, Options{MemoryEntryBytes: 1024}, filepath.Join(dir, "evil.zip"))
	if it := itemAt(t, inv, "evil.zip!/ok/fine.pdf"); it.Kind != KindPDF {
		t.Errorf("entry via temporary file: %+v", it)
	}
	left, _ := os.ReadDir(tmp)
	if len(left) != 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

func TestScanCancel(t *testing.T) {
	dir := t.TempDir()
	buildCD(t, dir)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Scan(ctx, []string{dir}, Options{}, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestProgressIsThrottled(t *testing.T) {
	dir := t.TempDir()
	for i := range 400 {
		writeFile(t, dir, filepath.Join("f", strings.Repeat("x", 1+i%5), string(rune('a'+i%26))+string(rune('a'+i/26))), []byte("some text\n"))
	}
	calls := 0
	var last Progress
	start := time.Now()
	_, err := Scan(context.Background(), []string{dir}, Options{}, func(p Progress) { calls++; last = p })
	if err != nil {
		t.Fatal(err)
	}
	allowed := int(time.Since(start)/progressInterval) + 2
	if calls > allowed {
		t.Errorf("%d progress calls in %v (at most %d allowed)", calls, time.Since(start), allowed)
	}
	if last.Files != 400 {
		t.Errorf("final progress = %+v, want 400 files", last)
	}
}

func TestCombine(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	buildCD(t, a)
	writeFile(t, b, "report.pdf", docfix.PDF("x"))
	inv1, inv2 := scan(t, Options{}, a), scan(t, Options{}, b)
	all := Combine(inv1, inv2, inv2)
	if len(all.Items) != len(inv1.Items)+len(inv2.Items) {
		t.Errorf("combined %d items, want %d", len(all.Items), len(inv1.Items)+len(inv2.Items))
	}
	if len(all.Studies) != 2 || all.Identity.Len() != inv1.Identity.Len() {
		t.Errorf("combined studies %d, identity %d", len(all.Studies), all.Identity.Len())
	}
}

func TestMIRAXFolderBelongsToSlide(t *testing.T) {
	dir := t.TempDir()
	if _, err := mrxsFixture(dir); err != nil {
		t.Fatal(err)
	}
	inv := scan(t, Options{}, dir)
	if len(inv.Items) != 1 || inv.Items[0].Kind != KindSlide || inv.Items[0].Slide.Vendor != slide.VendorMirax {
		for _, it := range inv.Items {
			t.Logf("%s %s %v", it.Path, it.Kind, it.Problems)
		}
		t.Fatalf("MIRAX slide scanned as %d items", len(inv.Items))
	}
	if len(inv.Slides[0].Files) < 3 {
		t.Errorf("MIRAX slide files = %v", inv.Slides[0].Files)
	}
}

func TestPydicomCorpus(t *testing.T) {
	dir := filepath.Join(testtool.PydicomData(t), "test_files")
	inv := scan(t, Options{}, dir)
	read, damaged := 0, 0
	for _, it := range inv.Items {
		switch {
		case it.Kind == KindDICOM || it.Kind == KindDICOMDIR:
			read++
		case it.Kind == KindUnreadable && it.Format == "dicom":
			damaged++
			if len(it.Problems) == 0 || it.Problems[0].String() == "damaged DICOM file: " {
				t.Errorf("%s: damaged without a specific reason", it.Path)
			}
		}
	}
	t.Logf("pydicom corpus: %d items, %d DICOM read, %d reported damaged", len(inv.Items), read, damaged)
	if read < 100 {
		t.Errorf("only %d pydicom files read as DICOM", read)
	}
}

// TestSharedWSISamples checks every sample slide beside the repository
// (../shared/testdata/wsi): real and synthetic Aperio files and DICOM WSI.
func TestSharedWSISamples(t *testing.T) {
	dir := testtool.Shared(t, "testdata/wsi")
	inv := scan(t, Options{}, dir)
	want := map[string]struct {
		vendor       string
		label, macro bool
	}{
		"CMU-1-Small-Region.svs":              {"aperio", true, true},
		"synthetic-aperio.svs":                {"aperio", true, true},
		"synthetic-aperio-bigtiff.svs":        {"aperio", true, true},
		"openslide-python-fixtures/small.svs": {"aperio", false, false},
	}
	for name, w := range want {
		it := itemAt(t, inv, name)
		if it.Kind != KindSlide || it.Slide.Vendor != w.vendor || it.Slide.Label != w.label || it.Slide.Macro != w.macro {
			t.Errorf("%s: %s %+v, want %+v", name, it.Kind, it.Slide, w)
		}
	}
	var dicomSlides []*Slide
	for _, s := range inv.Slides {
		if s.Vendor == "dicom" {
			dicomSlides = append(dicomSlides, s)
		}
	}
	if len(dicomSlides) != 1 || len(dicomSlides[0].Files) != 2 || !dicomSlides[0].Thumbnail || dicomSlides[0].Levels != 1 {
		t.Errorf("DICOM WSI (boxes_0/1.dcm) = %+v", dicomSlides)
	}
	for _, n := range []string{"boxes_0.dcm", "boxes_1.dcm"} {
		if it := itemAt(t, inv, n); it.Kind != KindDICOM || it.Format != "dicom-wsi" {
			t.Errorf("%s: %s/%s %v", n, it.Kind, it.Format, it.Problems)
		}
	}
}

// TestScanKeepsListsOnce: the images of a series share one Image Type
// slice, an image whose Image Type differs has its own, and a scanned
// DICOMDIR lets go of the files it lists once they were checked.
func TestScanKeepsListsOnce(t *testing.T) {
	dir := t.TempDir()
	for i, it := range [][]string{{"ORIGINAL", "PRIMARY", "AXIAL"}, {"ORIGINAL", "PRIMARY", "AXIAL"}, {"DERIVED", "SECONDARY"}, {"ORIGINAL", "PRIMARY", "AXIAL"}} {
		writeFile(t, dir, fmt.Sprintf("IM%d", i), dcmfix.Instance(dcmfix.Spec{SOPUID: fmt.Sprintf("1.2.9.1.%d", i), StudyUID: "1.2.9", SeriesUID: "1.2.9.0", ImageType: it}))
	}
	inv := scan(t, Options{}, dir)
	lists := map[string][]string{}
	for i := range 4 {
		lists[fmt.Sprint(i)] = itemAt(t, inv, fmt.Sprintf("IM%d", i)).DICOM.ImageType
	}
	if got := lists["0"]; !reflect.DeepEqual(got, []string{"ORIGINAL", "PRIMARY", "AXIAL"}) || !reflect.DeepEqual(lists["2"], []string{"DERIVED", "SECONDARY"}) {
		t.Fatalf("image types %q", lists)
	}
	if &lists["0"][0] != &lists["1"][0] || &lists["0"][0] != &lists["3"][0] || &lists["0"][0] == &lists["2"][0] {
		t.Error("the same Image Type is not one slice, or different ones share it")
	}

	cd := t.TempDir()
	buildCD(t, cd)
	for _, it := range scan(t, Options{}, cd).Items {
		if it.dirFiles != nil {
			t.Errorf("%s keeps its listed files", it.Path)
		}
	}
}

// The images of a series share one DICOMDetail, and each keeps its own
// Instance Number.
func TestScanSharesSeriesDetail(t *testing.T) {
	dir := t.TempDir()
	buildCD(t, dir)
	inv := scan(t, Options{}, dir)
	bySeries := map[string]*DICOMDetail{}
	numbers := map[string]map[int32]bool{}
	images := 0
	for _, it := range inv.Items {
		if it.Kind != KindDICOM {
			continue
		}
		images++
		if d, ok := bySeries[it.SeriesInstanceUID]; ok && d != it.DICOM {
			t.Errorf("%s: a DICOMDetail of its own in a series whose images have the same values", it.Path)
		}
		bySeries[it.SeriesInstanceUID] = it.DICOM
		if numbers[it.SeriesInstanceUID] == nil {
			numbers[it.SeriesInstanceUID] = map[int32]bool{}
		}
		if it.InstanceNumber <= 0 || numbers[it.SeriesInstanceUID][it.InstanceNumber] {
			t.Errorf("%s: Instance Number %d (missing or repeated)", it.Path, it.InstanceNumber)
		}
		numbers[it.SeriesInstanceUID][it.InstanceNumber] = true
	}
	if images < 2*len(bySeries) {
		t.Fatalf("%d images in %d series: too few to show sharing", images, len(bySeries))
	}
}
