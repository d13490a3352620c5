package dicomdir_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"dossier/internal/fixture/dcmfix"
	"dossier/internal/testtool"
	"dossier/packager/dicomdir"
	"dossier/packager/dicomx"
)

// fixture is one instance of the test file-set.
type fixture struct {
	fileID []string
	data   []byte
	header *dicomx.Header
}

const (
	patientA = "PSEUDO0001"
	patientB = "PSEUDO0002"
)

// caseFixtures builds 20 instances: patient A with a CT study (2 series of
// 4) and an MR study with an SR and a PDF; patient B (non-ASCII name) with
// an MR study of 2 series.
func caseFixtures(t testing.TB) []fixture {
	t.Helper()
	type group struct {
		patientName, patientID, study, date, desc, acc string
		modality                                       string
		seriesNumber, count                            int
		charset                                        []string
	}
	groups := []group{
		{"Doe^Jane", patientA, "1.2.826.0.1.3680043.10.1999.20.1", "20240102", "CT CHEST", "ACC1", "CT", 1, 4, nil},
		{"Doe^Jane", patientA, "1.2.826.0.1.3680043.10.1999.20.1", "20240102", "CT CHEST", "ACC1", "CT", 2, 4, nil},
		{"Doe^Jane", patientA, "1.2.826.0.1.3680043.10.1999.20.2", "20240305", "MR PELVIS", "ACC2", "MR", 1, 3, nil},
		{"Doe^Jane", patientA, "1.2.826.0.1.3680043.10.1999.20.2", "20240305", "MR PELVIS", "ACC2", "SR", 90, 1, nil},
		{"Doe^Jane", patientA, "1.2.826.0.1.3680043.10.1999.20.2", "20240305", "MR PELVIS", "ACC2", "DOC", 91, 1, nil},
		{"Müller^Zoë", patientB, "1.2.826.0.1.3680043.10.1999.20.3", "20231111", "MRT Schädel", "", "MR", 3, 4, []string{"ISO_IR 192"}},
		{"Müller^Zoë", patientB, "1.2.826.0.1.3680043.10.1999.20.3", "20231111", "MRT Schädel", "", "MR", 4, 3, []string{"ISO_IR 192"}},
	}
	var out []fixture
	st := map[string]int{}
	for _, g := range groups {
		if _, ok := st[g.study]; !ok {
			st[g.study] = len(st) + 1
		}
		series := fmt.Sprintf("%s.%d", g.study, g.seriesNumber)
		for i := 1; i <= g.count; i++ {
			data := dcmfix.Instance(dcmfix.Spec{
				PatientName: g.patientName, PatientID: g.patientID, Accession: g.acc,
				StudyUID: g.study, SeriesUID: series, SOPUID: fmt.Sprintf("%s.%d", series, i),
				Modality: g.modality, StudyDate: g.date, StudyDescription: g.desc,
				SeriesNumber: g.seriesNumber, InstanceNumber: i, CharacterSet: g.charset,
			})
			h, err := dicomx.ReadHeader(context.Background(), bytes.NewReader(data), int64(len(data)))
			if err != nil {
				t.Fatalf("fixture: %v", err)
			}
			out = append(out, fixture{
				fileID: []string{"DICOM", fmt.Sprintf("ST%06d", st[g.study]), fmt.Sprintf("SE%06d", g.seriesNumber), fmt.Sprintf("IM%06d", i)},
				data:   data,
				header: h,
			})
		}
	}
	return out
}

func entriesOf(fx []fixture) []dicomdir.Entry {
	e := make([]dicomdir.Entry, len(fx))
	for i, f := range fx {
		e[i] = dicomdir.Entry{FileID: f.fileID, Header: f.header}
	}
	return e
}

func build(t testing.TB, fx []fixture) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := dicomdir.Write(&b, "DOSSIER_TEST", entriesOf(fx)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// writeFileSet writes the instances and the DICOMDIR under a new directory.
func writeFileSet(t *testing.T, fx []fixture, dir []byte) string {
	t.Helper()
	root := t.TempDir()
	for _, f := range fx {
		p := filepath.Join(append([]string{root}, f.fileID...)...)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, "DICOMDIR"), dir, 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

// A minimal, independent Explicit VR Little Endian reader for the test.

type element struct {
	tag   uint32
	vr    string
	value []byte
}

func isLong(vr string) bool {
	switch vr {
	case "OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV":
		return true
	}
	return false
}

// readElement reads one element at off (defined lengths only).
func readElement(t *testing.T, b []byte, off int) (element, int) {
	t.Helper()
	if off+8 > len(b) {
		t.Fatalf("element header at %d beyond end %d", off, len(b))
	}
	tag := uint32(binary.LittleEndian.Uint16(b[off:]))<<16 | uint32(binary.LittleEndian.Uint16(b[off+2:]))
	vr := string(b[off+4 : off+6])
	var n, hdr int
	if isLong(vr) {
		if b[off+6] != 0 || b[off+7] != 0 {
			t.Fatalf("reserved bytes not zero at %d", off)
		}
		n, hdr = int(binary.LittleEndian.Uint32(b[off+8:])), 12
	} else {
		n, hdr = int(binary.LittleEndian.Uint16(b[off+6:])), 8
	}
	if n == 0xFFFFFFFF || off+hdr+n > len(b) {
		t.Fatalf("element (%08X) at %d: bad length %d", tag, off, n)
	}
	if n%2 != 0 {
		t.Fatalf("element (%08X) at %d: odd length %d", tag, off, n)
	}
	return element{tag, vr, b[off+hdr : off+hdr+n]}, off + hdr + n
}

func elements(t *testing.T, b []byte, off, end int) map[uint32]element {
	t.Helper()
	m := map[uint32]element{}
	prev := uint32(0)
	for off < end {
		var e element
		e, off = readElement(t, b, off)
		if e.tag <= prev && prev != 0 {
			t.Fatalf("tags out of order: (%08X) after (%08X)", e.tag, prev)
		}
		prev = e.tag
		m[e.tag] = e
	}
	if off != end {
		t.Fatalf("elements overrun: %d > %d", off, end)
	}
	return m
}

func str(m map[uint32]element, tag uint32) string {
	return strings.TrimRight(string(m[tag].value), " \x00")
}

func u32(t *testing.T, m map[uint32]element, tag uint32) int {
	t.Helper()
	e, ok := m[tag]
	if !ok || e.vr != "UL" || len(e.value) != 4 {
		t.Fatalf("(%08X) missing or not UL", tag)
	}
	return int(binary.LittleEndian.Uint32(e.value))
}

type parsed struct {
	top     map[uint32]element
	meta    map[uint32]element
	records map[int]map[uint32]element // by item offset
	order   []int                      // item offsets in sequence order
}

func parse(t *testing.T, b []byte) parsed {
	t.Helper()
	if len(b) < 132 || string(b[128:132]) != "DICM" || !bytes.Equal(b[:128], make([]byte, 128)) {
		t.Fatal("no preamble / DICM")
	}
	gl, off := readElement(t, b, 132)
	if gl.tag != 0x00020000 || gl.vr != "UL" {
		t.Fatal("no meta group length")
	}
	metaEnd := off + int(binary.LittleEndian.Uint32(gl.value))
	p := parsed{meta: elements(t, b, off, metaEnd), records: map[int]map[uint32]element{}}
	for off = metaEnd; off < len(b); {
		var e element
		start := off
		e, off = readElement(t, b, off)
		if p.top == nil {
			p.top = map[uint32]element{}
		}
		p.top[e.tag] = e
		if e.tag == 0x00041220 {
			pos := start + 12
			for pos < off {
				if binary.LittleEndian.Uint32(b[pos:]) != 0xE000FFFE {
					t.Fatalf("no item tag at %d", pos)
				}
				n := int(binary.LittleEndian.Uint32(b[pos+4:]))
				if n == 0xFFFFFFFF {
					t.Fatal("undefined-length item")
				}
				p.records[pos] = elements(t, b, pos+8, pos+8+n)
				p.order = append(p.order, pos)
				pos += 8 + n
			}
			if pos != off {
				t.Fatal("items overrun the sequence")
			}
		}
	}
	return p
}

type found struct {
	patientID, patientName, studyUID, seriesUID, modality string
	recordType                                            string
	fileID                                                string
	sopClass, sopInstance, ts                             string
}

// walk follows the offsets from the root and returns one row per leaf.
func walk(t *testing.T, b []byte) ([]found, parsed) {
	t.Helper()
	p := parse(t, b)
	seen := map[int]bool{}
	var rows []found
	var level func(off int, depth int, parent found, lastWant int)
	level = func(off, depth int, parent found, lastWant int) {
		last := 0
		for off != 0 {
			if seen[off] {
				t.Fatalf("record at %d reached twice", off)
			}
			seen[off] = true
			r, ok := p.records[off]
			if !ok {
				t.Fatalf("offset %d is not the start of a record", off)
			}
			if got := binary.LittleEndian.Uint16(r[0x00041410].value); got != 0xFFFF {
				t.Fatalf("record in use flag %04X", got)
			}
			typ := str(r, 0x00041430)
			cur := parent
			cur.recordType = typ
			want := []string{"PATIENT", "STUDY", "SERIES", "LEAF"}[depth]
			switch {
			case want == "PATIENT" && typ == want:
				cur.patientID, cur.patientName = str(r, 0x00100020), str(r, 0x00100010)
			case want == "STUDY" && typ == want:
				cur.studyUID = str(r, 0x0020000D)
			case want == "SERIES" && typ == want:
				cur.seriesUID, cur.modality = str(r, 0x0020000E), str(r, 0x00080060)
			case want == "LEAF" && (typ == "IMAGE" || typ == "ENCAP DOC" || typ == "SR DOCUMENT"):
				cur.fileID = str(r, 0x00041500)
				cur.sopClass, cur.sopInstance, cur.ts = str(r, 0x00041510), str(r, 0x00041511), str(r, 0x00041512)
			default:
				t.Fatalf("record %q at depth %d", typ, depth)
			}
			lower := u32(t, r, 0x00041420)
			if depth == 3 {
				if lower != 0 {
					t.Fatalf("leaf with lower-level offset %d", lower)
				}
				rows = append(rows, cur)
			} else {
				if lower == 0 {
					t.Fatalf("%s record without children", typ)
				}
				level(lower, depth+1, cur, 0)
			}
			last = off
			off = u32(t, r, 0x00041400)
		}
		if lastWant != 0 && last != lastWant {
			t.Fatalf("last root record at %d, (0004,1202) says %d", last, lastWant)
		}
	}
	level(u32(t, p.top, 0x00041200), 0, found{}, u32(t, p.top, 0x00041202))
	if len(seen) != len(p.records) {
		t.Fatalf("%d records reachable of %d", len(seen), len(p.records))
	}
	return rows, p
}

func TestWriteStructure(t *testing.T) {
	fx := caseFixtures(t)
	b := build(t, fx)
	rows, p := walk(t, b)

	if got := str(p.meta, 0x00020002); got != dicomx.SOPClassMediaStorageDirectory {
		t.Errorf("media storage SOP class %q", got)
	}
	if got := str(p.meta, 0x00020010); got != "1.2.840.10008.1.2.1" {
		t.Errorf("transfer syntax %q", got)
	}
	if got := str(p.top, 0x00041130); got != "DOSSIER_TEST" {
		t.Errorf("file-set ID %q", got)
	}
	if f := p.top[0x00041212]; len(f.value) != 2 || binary.LittleEndian.Uint16(f.value) != 0 {
		t.Errorf("consistency flag %v", f.value)
	}
	if len(rows) != len(fx) {
		t.Fatalf("%d leaves, want %d", len(rows), len(fx))
	}
	bySOP := map[string]found{}
	for _, r := range rows {
		if _, dup := bySOP[r.sopInstance]; dup {
			t.Fatalf("instance listed twice")
		}
		bySOP[r.sopInstance] = r
	}
	for _, f := range fx {
		r, ok := bySOP[f.header.SOPInstanceUID]
		if !ok {
			t.Fatalf("instance %s missing", f.header.SOPInstanceUID)
		}
		if r.fileID != strings.Join(f.fileID, `\`) {
			t.Errorf("file ID %q, want %q", r.fileID, strings.Join(f.fileID, `\`))
		}
		if r.patientID != f.header.PatientID || r.patientName != f.header.PatientName ||
			r.studyUID != f.header.StudyInstanceUID || r.seriesUID != f.header.SeriesInstanceUID {
			t.Errorf("%s: wrong hierarchy %+v", f.header.SOPInstanceUID, r)
		}
		if r.modality != f.header.Modality {
			t.Errorf("modality %q, want %q", r.modality, f.header.Modality)
		}
		if r.sopClass != f.header.MediaStorageSOPClassUID || r.ts != f.header.TransferSyntaxUID {
			t.Errorf("referenced class/syntax %q %q", r.sopClass, r.ts)
		}
		wantType := "IMAGE"
		if f.header.SOPClassUID == dcmfix.SOPClassPDF {
			wantType = "ENCAP DOC"
		}
		if r.recordType != wantType {
			t.Errorf("%s: record type %q, want %q", f.header.Modality, r.recordType, wantType)
		}
	}
	// Counts per level.
	count := map[string]int{}
	for _, off := range p.order {
		count[str(p.records[off], 0x00041430)]++
	}
	if count["PATIENT"] != 2 || count["STUDY"] != 3 || count["SERIES"] != 7 {
		t.Errorf("record counts %v", count)
	}
	// Character set only where a value is non-ASCII.
	for _, off := range p.order {
		r := p.records[off]
		nonASCII := false
		for tag, e := range r {
			if tag != 0x00080005 && e.vr != "UL" && e.vr != "US" && !isASCII(e.value) {
				nonASCII = true
			}
		}
		cs, has := r[0x00080005]
		if nonASCII != has || (has && str(r, 0x00080005) != "ISO_IR 192") {
			t.Errorf("%s record: non-ASCII %v, charset %q", str(r, 0x00041430), nonASCII, cs.value)
		}
	}

	// dicomx reads it as a DICOMDIR with every record.
	h, err := dicomx.ReadHeader(context.Background(), bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if !h.IsDICOMDIR || len(h.DirRecords) != len(p.order) {
		t.Fatalf("dicomx: IsDICOMDIR %v, %d records, want %d", h.IsDICOMDIR, len(h.DirRecords), len(p.order))
	}
	if len(h.Warnings) > 0 {
		t.Errorf("dicomx warnings: %v", h.Warnings)
	}
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

func TestDeterministic(t *testing.T) {
	fx := caseFixtures(t)
	a := build(t, fx)
	if b := build(t, fx); !bytes.Equal(a, b) {
		t.Fatal("same input, different bytes")
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 5 {
		sh := slices.Clone(fx)
		r.Shuffle(len(sh), func(i, j int) { sh[i], sh[j] = sh[j], sh[i] })
		if b := build(t, sh); !bytes.Equal(a, b) {
			t.Fatal("shuffled input, different bytes")
		}
	}
	// Different content gives a different Media Storage SOP Instance UID.
	c := build(t, fx[:len(fx)-1])
	if str(parse(t, a).meta, 0x00020003) == str(parse(t, c).meta, 0x00020003) {
		t.Error("instance UID does not depend on content")
	}
}

func TestEmpty(t *testing.T) {
	var b bytes.Buffer
	if err := dicomdir.Write(&b, "", nil); err != nil {
		t.Fatal(err)
	}
	p := parse(t, b.Bytes())
	if len(p.order) != 0 || u32(t, p.top, 0x00041200) != 0 || u32(t, p.top, 0x00041202) != 0 {
		t.Fatal("empty directory has records or offsets")
	}
	if _, ok := p.top[0x00041220]; !ok {
		t.Fatal("no record sequence")
	}
	dcmdump(t, b.Bytes())
	dciodvfy(t, b.Bytes())
}

func TestValidFileID(t *testing.T) {
	good := [][]string{
		{"DICOM", "ST000001", "SE000001", "IM000001"},
		{"A"},
		{"IM_1"},
		{"1", "2", "3", "4", "5", "6", "7", "8"},
	}
	for _, c := range good {
		if err := dicomdir.ValidFileID(c); err != nil {
			t.Errorf("%q: %v", c, err)
		}
	}
	bad := [][]string{
		nil,
		{},
		{"dicom", "IM1"},
		{"DICOM", "IM0000001"},
		{"1", "2", "3", "4", "5", "6", "7", "8", "9"},
		{"IM.DCM"},
		{"IM-1"},
		{"IM 1"},
		{"DICOM", ""},
		{"DICOM/IM"},
		{`DICOM\IM`},
		{"ÄRZTE"},
		{"IM;1"},
	}
	for _, c := range bad {
		err := dicomdir.ValidFileID(c)
		if !errors.Is(err, dicomdir.ErrInvalidFileID) {
			t.Errorf("%q: got %v, want ErrInvalidFileID", c, err)
		}
	}
}

func TestWriteErrors(t *testing.T) {
	fx := caseFixtures(t)
	secret := fx[0].header.PatientName
	mod := func(f func(e []dicomdir.Entry)) []dicomdir.Entry {
		e := entriesOf(fx)
		for i := range e {
			h := *e[i].Header
			e[i].Header = &h
		}
		f(e)
		return e
	}
	cases := []struct {
		name    string
		setID   string
		entries []dicomdir.Entry
		want    error
	}{
		{"lower-case file ID", "X", mod(func(e []dicomdir.Entry) { e[3].FileID = []string{"dicom", "im1"} }), dicomdir.ErrInvalidFileID},
		{"DICOMDIR as file", "X", mod(func(e []dicomdir.Entry) { e[3].FileID = []string{"DICOMDIR"} }), dicomdir.ErrInvalidFileID},
		{"nil header", "X", mod(func(e []dicomdir.Entry) { e[2].Header = nil }), dicomdir.ErrInvalidEntry},
		{"bad SOP UID", "X", mod(func(e []dicomdir.Entry) { e[2].Header.SOPInstanceUID = secret }), dicomdir.ErrInvalidEntry},
		{"no study UID", "X", mod(func(e []dicomdir.Entry) { e[2].Header.StudyInstanceUID = "" }), dicomdir.ErrInvalidEntry},
		{"no transfer syntax", "X", mod(func(e []dicomdir.Entry) { e[2].Header.TransferSyntaxUID = "" }), dicomdir.ErrInvalidEntry},
		{"duplicate file", "X", mod(func(e []dicomdir.Entry) { e[2].FileID = e[1].FileID }), dicomdir.ErrDuplicate},
		{"duplicate SOP", "X", mod(func(e []dicomdir.Entry) { e[2].Header.SOPInstanceUID = e[1].Header.SOPInstanceUID }), dicomdir.ErrDuplicate},
		{"file-set ID lower case", "dossier", entriesOf(fx), dicomdir.ErrInvalidFileSetID},
		{"file-set ID too long", "ABCDEFGHIJKLMNOPQ", entriesOf(fx), dicomdir.ErrInvalidFileSetID},
	}
	for _, c := range cases {
		var b bytes.Buffer
		err := dicomdir.Write(&b, c.setID, c.entries)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
			continue
		}
		if b.Len() != 0 {
			t.Errorf("%s: %d bytes written on error", c.name, b.Len())
		}
		for _, v := range []string{secret, "Doe", "Jane", patientA} {
			if strings.Contains(err.Error(), v) {
				t.Errorf("%s: error %q contains a patient value", c.name, err)
			}
		}
	}
	// A failing writer is reported, wrapped.
	boom := errors.New("disk full")
	if err := dicomdir.Write(failWriter{boom}, "X", entriesOf(fx)); !errors.Is(err, boom) {
		t.Errorf("writer error: %v", err)
	}
}

type failWriter struct{ err error }

func (f failWriter) Write([]byte) (int, error) { return 0, f.err }

// TestPlaceholders checks that Type 1 keys a header lacks are filled and
// over-long values are cut, so the directory stays valid.
func TestPlaceholders(t *testing.T) {
	fx := caseFixtures(t)[:1]
	h := *fx[0].header
	h.PatientID = ""
	h.StudyDate = "2024.01.02"
	h.StudyTime = ""
	h.Modality = ""
	h.StudyDescription = strings.Repeat("x", 100) + "\\y"
	h.PatientName = "Doe^Jane\\Q"
	var b bytes.Buffer
	if err := dicomdir.Write(&b, "X", []dicomdir.Entry{{FileID: fx[0].fileID, Header: &h}}); err != nil {
		t.Fatal(err)
	}
	p := parse(t, b.Bytes())
	get := func(typ string, tag uint32) string {
		for _, off := range p.order {
			if str(p.records[off], 0x00041430) == typ {
				return str(p.records[off], tag)
			}
		}
		return "(none)"
	}
	for _, c := range []struct {
		typ  string
		tag  uint32
		want string
	}{
		{"PATIENT", 0x00100020, "UNKNOWN"},
		{"PATIENT", 0x00100010, "Doe^Jane Q"},
		{"STUDY", 0x00080020, "19000101"},
		{"STUDY", 0x00080030, "000000"},
		{"STUDY", 0x00081030, strings.Repeat("x", 64)},
		{"STUDY", 0x00200010, "1"},
		{"SERIES", 0x00080060, "OT"},
	} {
		if got := get(c.typ, c.tag); got != c.want {
			t.Errorf("%s (%08X) = %q, want %q", c.typ, c.tag, got, c.want)
		}
	}
	dcmdump(t, b.Bytes())
	dciodvfy(t, b.Bytes())
}

func dcmdump(t *testing.T, dir []byte) {
	t.Helper()
	bin := testtool.Look(t, "dcmdump", "dcmtk")
	p := filepath.Join(t.TempDir(), "DICOMDIR")
	if err := os.WriteFile(p, dir, 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, "-dc", p)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("dcmdump: %v\n%s", err, stderr.String())
	}
	if stderr.Len() > 0 {
		t.Fatalf("dcmdump stderr:\n%s", stderr.String())
	}
	if !strings.Contains(stdout.String(), "MediaStorageDirectoryStorage") {
		t.Fatalf("dcmdump: not a Media Storage Directory:\n%s", stdout.String())
	}
}

func TestDcmdump(t *testing.T) {
	dcmdump(t, build(t, caseFixtures(t)))
}

// dciodvfy checks dir (written beside the instances when root is not
// empty) with dicom3tools' IOD verifier: no errors and no warnings.
func dciodvfy(t *testing.T, dir []byte) {
	t.Helper()
	bin := testtool.Look(t, "dciodvfy", "dicom3tools")
	p := filepath.Join(t.TempDir(), "DICOMDIR")
	if err := os.WriteFile(p, dir, 0o644); err != nil {
		t.Fatal(err)
	}
	out, _ := exec.Command(bin, p).CombinedOutput()
	text := string(out)
	if !strings.Contains(text, "BasicDirectory") {
		t.Fatalf("dciodvfy did not recognise a Basic Directory:\n%s", text)
	}
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "Error") || strings.HasPrefix(line, "Warning") {
			t.Errorf("dciodvfy: %s", line)
		}
	}
	t.Logf("dciodvfy: %q", strings.TrimSpace(text))
}

func TestDciodvfy(t *testing.T) {
	dciodvfy(t, build(t, caseFixtures(t)))
}

const pyFileSet = `
import json, sys
from pydicom import dcmread
from pydicom.fileset import FileSet
fs = FileSet(dcmread(sys.argv[1]))
out = {"count": len(fs), "sops": sorted(i.SOPInstanceUID for i in fs), "patients": {}, "loaded": 0}
for pid in sys.argv[2:]:
    found = fs.find(PatientID=pid)
    out["patients"][pid] = sorted(i.SOPInstanceUID for i in found)
for inst in fs:
    ds = inst.load()
    assert ds.SOPInstanceUID == inst.SOPInstanceUID, "instance mismatch"
    assert ds.PatientID == inst.PatientID, "patient mismatch"
    assert ds.StudyInstanceUID == inst.StudyInstanceUID, "study mismatch"
    assert ds.SeriesInstanceUID == inst.SeriesInstanceUID, "series mismatch"
    out["loaded"] += 1
out["names"] = sorted(set(str(v) for v in fs.find_values("PatientName")))
print(json.dumps(out))
`

func TestPydicomFileSet(t *testing.T) {
	py := testtool.Python(t, "pydicom.fileset")
	fx := caseFixtures(t)
	root := writeFileSet(t, fx, build(t, fx))
	script := filepath.Join(t.TempDir(), "fs.py")
	if err := os.WriteFile(script, []byte(pyFileSet), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(py, script, filepath.Join(root, "DICOMDIR"), patientA, patientB)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("pydicom: %v\n%s", err, stderr.String())
	}
	if stderr.Len() > 0 {
		t.Errorf("pydicom stderr:\n%s", stderr.String())
	}
	var got struct {
		Count    int
		Sops     []string
		Patients map[string][]string
		Loaded   int
		Names    []string
	}
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatalf("pydicom output: %v\n%s", err, stdout.String())
	}
	var want []string
	perPatient := map[string][]string{}
	for _, f := range fx {
		want = append(want, f.header.SOPInstanceUID)
		perPatient[f.header.PatientID] = append(perPatient[f.header.PatientID], f.header.SOPInstanceUID)
	}
	slices.Sort(want)
	if got.Count != len(fx) || got.Loaded != len(fx) || !slices.Equal(got.Sops, want) {
		t.Fatalf("pydicom: count %d, loaded %d, want %d", got.Count, got.Loaded, len(fx))
	}
	for pid, sops := range perPatient {
		slices.Sort(sops)
		if !slices.Equal(got.Patients[pid], sops) {
			t.Errorf("find(PatientID=%s): %d instances, want %d", pid, len(got.Patients[pid]), len(sops))
		}
	}
	if !slices.Equal(got.Names, []string{"Doe^Jane", "Müller^Zoë"}) {
		t.Errorf("patient names %q", got.Names)
	}
	t.Logf("pydicom FileSet: %d instances, %d loaded, per patient %d/%d", got.Count, got.Loaded, len(got.Patients[patientA]), len(got.Patients[patientB]))
}

func BenchmarkWrite(b *testing.B) {
	fx := caseFixtures(b)
	var entries []dicomdir.Entry
	for i := range 5000 {
		f := fx[i%len(fx)]
		h := *f.header
		h.SOPInstanceUID = fmt.Sprintf("%s.%d", h.SOPInstanceUID, i)
		entries = append(entries, dicomdir.Entry{FileID: []string{"DICOM", fmt.Sprintf("SE%06d", i/1000), fmt.Sprintf("IM%06d", i)}, Header: &h})
	}
	b.ReportAllocs()
	for b.Loop() {
		var buf bytes.Buffer
		if err := dicomdir.Write(&buf, "BENCH", entries); err != nil {
			b.Fatal(err)
		}
	}
}

// TestNameGroupsOnePatient: files whose Patient's Name differs only in its
// ideographic and phonetic groups are one patient (issue 11), recorded
// under the fullest name; another alphabetic name with the same ID is
// another patient.
func TestNameGroupsOnePatient(t *testing.T) {
	names := []string{"Yamada^Tarou", "Yamada^Tarou=山田^太郎=やまだ^たろう", "Yamada^Tarou=山田^太郎", "Yamada^Hanako"}
	var fx []fixture
	for i, n := range names {
		study := fmt.Sprintf("1.2.826.0.1.3680043.10.1999.30.%d", i+1)
		data := dcmfix.Instance(dcmfix.Spec{
			PatientName: n, PatientID: patientA, StudyUID: study, SeriesUID: study + ".1", SOPUID: study + ".1.1",
			Modality: "CT", StudyDate: "20240102", SeriesNumber: 1, InstanceNumber: 1, CharacterSet: []string{"ISO_IR 192"},
		})
		h, err := dicomx.ReadHeader(context.Background(), bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		fx = append(fx, fixture{fileID: []string{"DICOM", fmt.Sprintf("ST%06d", i+1), "SE000001", "IM000001"}, data: data, header: h})
	}
	b := build(t, fx)
	rows, p := walk(t, b)
	patients := map[string]int{}
	for _, r := range rows {
		patients[r.patientName]++
	}
	want := map[string]int{"Yamada^Tarou=山田^太郎=やまだ^たろう": 3, "Yamada^Hanako": 1}
	if fmt.Sprint(patients) != fmt.Sprint(want) {
		t.Errorf("patients %v, want %v", patients, want)
	}
	n := 0
	for _, r := range p.records {
		if str(r, 0x00041430) == "PATIENT" {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d PATIENT records, want 2", n)
	}
	dcmdump(t, b)
}

// A Builder given the entries one at a time, by their paths, in any order, writes what Write
// writes; its duplicates are errors when it writes.
func TestBuilder(t *testing.T) {
	fx := caseFixtures(t)
	want := build(t, fx)
	order := rand.New(rand.NewPCG(3, 4)).Perm(len(fx))
	b, err := dicomdir.NewBuilder("DOSSIER_TEST")
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range order {
		if err := b.AddPath(strings.Join(fx[i].fileID, "/"), fx[i].header); err != nil {
			t.Fatal(err)
		}
	}
	var got bytes.Buffer
	if err := b.Write(&got); err != nil {
		t.Fatal(err)
	}
	if b.Len() != len(fx) || !bytes.Equal(got.Bytes(), want) {
		t.Fatalf("the Builder wrote %d bytes for %d entries, Write %d bytes", got.Len(), b.Len(), len(want))
	}
	if err := b.AddPath("DICOM/st1", fx[0].header); !errors.Is(err, dicomdir.ErrInvalidFileID) || b.Len() != len(fx) {
		t.Errorf("a lower-case path: %v, %d entries", err, b.Len())
	}
	if err := b.AddPath(strings.Join(fx[0].fileID, "/"), fx[1].header); err != nil {
		t.Fatal(err)
	}
	first := slices.Index(order, 0) // where fx[0] was added
	if err := b.Write(io.Discard); !errors.Is(err, dicomdir.ErrDuplicate) || !strings.Contains(err.Error(), fmt.Sprintf("entries %d and %d", first, len(fx))) {
		t.Errorf("a second entry with a file ID: %v", err)
	}
}

// Instances of a series with the same number are ordered by their file IDs as written in the
// DICOMDIR, with backslashes: SE10\IM1 before SE1\IM1 (the digits sort before the backslash).
func TestFileIDOrder(t *testing.T) {
	fx := caseFixtures(t)[:2]
	fx[0].fileID, fx[1].fileID = []string{"DICOM", "SE1", "IM1"}, []string{"DICOM", "SE10", "IM1"}
	fx[1].header = ptr(*fx[1].header)
	fx[1].header.InstanceNumber = fx[0].header.InstanceNumber
	b := build(t, fx)
	i1, i10 := bytes.Index(b, []byte(`DICOM\SE1\IM1`)), bytes.Index(b, []byte(`DICOM\SE10\IM1`))
	if i1 < 0 || i10 < 0 || i10 > i1 {
		t.Errorf("SE1 at %d, SE10 at %d", i1, i10)
	}
}

func ptr[T any](v T) *T { return &v }

// A Builder keeps a few hundred bytes of each entry, and none of the header it was given (whose
// values may be parts of a larger buffer, as the header reader's are): a pack of 30,000 images
// holds them all until it writes the DICOMDIR.
func TestBuilderKeepsLittle(t *testing.T) {
	fx := caseFixtures(t)
	const n = 5000
	paths := make([]string, n)
	for i := range paths {
		paths[i] = fmt.Sprintf("DICOM/ST%06d/SE%06d/IM%06d", i/2000+1, i/200+1, i+1)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	b, err := dicomdir.NewBuilder("X")
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		h := *fx[i%len(fx)].header
		// The values of each header are parts of one 4 KiB buffer of its own.
		arena := strings.Repeat(" ", 4096) + fmt.Sprintf("%s.%d", h.SOPInstanceUID, i) + "|" + h.StudyDescription
		uid, desc, _ := strings.Cut(arena[4096:], "|")
		h.SOPInstanceUID, h.StudyDescription = uid, desc
		if err := b.AddPath(paths[i], &h); err != nil {
			t.Fatal(err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	per := (int64(after.HeapAlloc) - int64(before.HeapAlloc)) / n
	t.Logf("%d bytes an entry", per)
	if per > 400 {
		t.Errorf("the Builder holds %d bytes an entry, want at most 400", per)
	}
	if err := b.Write(io.Discard); err != nil {
		t.Fatal(err)
	}
}
