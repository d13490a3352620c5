package dicomwire_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dossier/packager/dicomwire"
)

// unhex decodes hex written with spaces; the expected bytes of the tests
// are written out by hand from PS3.5, not produced by the package.
func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestAppendHeader(t *testing.T) {
	cases := []struct {
		s    dicomwire.Syntax
		tag  dicomwire.Tag
		vr   string
		n    uint32
		want string
	}{
		{dicomwire.ExplicitLE, dicomwire.PatientName, "PN", 8, "1000 1000 504e 0800"},
		{dicomwire.ExplicitLE, dicomwire.PixelData, "OW", 512, "e07f 1000 4f57 0000 00020000"},
		{dicomwire.ExplicitLE, 0x00081140, "SQ", dicomwire.UndefinedLength, "0800 4011 5351 0000 ffffffff"},
		{dicomwire.ImplicitLE, dicomwire.PatientName, "PN", 8, "1000 1000 08000000"},
		{dicomwire.ExplicitBE, dicomwire.PatientName, "PN", 8, "0010 0010 504e 0008"},
		{dicomwire.ExplicitBE, dicomwire.PixelData, "OB", 2, "7fe0 0010 4f42 0000 00000002"},
		{dicomwire.ExplicitLE, dicomwire.Item, "", 6, "feff 00e0 06000000"},
		{dicomwire.ExplicitBE, dicomwire.SequenceDelimitationItem, "SQ", 0, "fffe e0dd 00000000"},
		{dicomwire.ExplicitLE, 0x00091010, "UT", 70000, "0900 1010 5554 0000 70110100"},
	}
	for _, c := range cases {
		got, err := dicomwire.AppendHeader(nil, c.s, c.tag, c.vr, c.n)
		if err != nil {
			t.Fatal(err)
		}
		if want := unhex(t, c.want); !bytes.Equal(got, want) {
			t.Errorf("%v %s %s %d: % x, want % x", c.s, c.tag, c.vr, c.n, got, want)
		}
		if dicomwire.HeaderLen(c.s, c.vr) != len(got) && !c.tag.IsDelimiter() {
			t.Errorf("HeaderLen(%v, %s) = %d, wrote %d", c.s, c.vr, dicomwire.HeaderLen(c.s, c.vr), len(got))
		}
	}
	if _, err := dicomwire.AppendHeader(nil, dicomwire.ExplicitLE, dicomwire.PatientName, "LO", 70000); !errors.Is(err, dicomwire.ErrTooLong) {
		t.Errorf("LO of 70000 bytes: %v", err)
	}
	b, _ := dicomwire.AppendString(nil, dicomwire.ExplicitLE, dicomwire.SOPClassUID, "UI", "1.2.3")
	if want := unhex(t, "0800 1600 5549 0600 312e322e3300"); !bytes.Equal(b, want) {
		t.Errorf("UI padding: % x", b)
	}
	b, _ = dicomwire.AppendString(nil, dicomwire.ImplicitLE, dicomwire.PatientID, "LO", "ABC")
	if want := unhex(t, "1000 2000 04000000 41424320"); !bytes.Equal(b, want) {
		t.Errorf("LO padding: % x", b)
	}
}

func TestVRTable(t *testing.T) {
	long := "OB OD OF OL OV OW SQ SV UC UN UR UT UV"
	short := "AE AS AT CS DA DS DT FL FD IS LO LT PN SH SL SS ST TM UI UL US"
	for _, vr := range strings.Fields(long) {
		if !dicomwire.LongLength(vr) || !dicomwire.KnownVR(vr) {
			t.Errorf("%s: long form %v", vr, dicomwire.LongLength(vr))
		}
	}
	for _, vr := range strings.Fields(short) {
		if dicomwire.LongLength(vr) || !dicomwire.KnownVR(vr) {
			t.Errorf("%s: long form %v", vr, dicomwire.LongLength(vr))
		}
	}
	for _, vr := range []string{"NA", "XX", "ob", "\x00\x00", "O", ""} {
		if dicomwire.KnownVR(vr) {
			t.Errorf("%q known", vr)
		}
	}
	if dicomwire.VRShape("ob") || dicomwire.VRShape("\x00\x00") || !dicomwire.VRShape("NA") {
		t.Error("VRShape")
	}
	for tag, want := range map[dicomwire.Tag]string{
		dicomwire.PatientName: "PN", dicomwire.PixelData: "OW", 0x60023000: "OW", 0x00090010: "LO",
		0x00091010: "UN", 0x00180000: "UL", 0x00081140: "SQ", dicomwire.Rows: "US",
	} {
		if got := dicomwire.DictVR(tag); got != want {
			t.Errorf("DictVR(%s) = %s, want %s", tag, got, want)
		}
	}
}

// event is one visit of a Walker, as text.
func walkEvents(t testing.TB, b []byte, s dicomwire.Syntax) ([]string, error) {
	t.Helper()
	var ev []string
	w := &dicomwire.Walker{Src: dicomwire.Bytes{B: b}, Size: int64(len(b)), Syntax: s}
	w.Element = func(e *dicomwire.Element) (dicomwire.Action, error) {
		ev = append(ev, fmt.Sprintf("%d %s %s", e.Depth, e.Tag, e.VR))
		return dicomwire.Continue, nil
	}
	w.Item = func(seq *dicomwire.Element, i int, off int64) error {
		ev = append(ev, fmt.Sprintf("item %s %d", seq.Tag, i))
		return nil
	}
	w.ItemEnd = func(seq *dicomwire.Element, i int) error {
		ev = append(ev, fmt.Sprintf("end item %s %d", seq.Tag, i))
		return nil
	}
	w.Warn = func(k dicomwire.Warning, e *dicomwire.Element) error {
		ev = append(ev, fmt.Sprintf("warn %d %s", k, e.Tag))
		return nil
	}
	end, err := w.Walk(0, int64(len(b)))
	if err == nil && end != int64(len(b)) {
		t.Errorf("walk ended at %d of %d", end, len(b))
	}
	return ev, err
}

// handDataset is an explicit VR little endian dataset written by hand: a
// defined-length sequence, an undefined-length sequence with an
// undefined-length item, a UN of undefined length (implicit VR items), an
// encapsulated value, and a stray item delimiter.
const handDataset = `
0800 0500 4353 0a00 49534f5f495220313030
0800 4011 5351 0000 14000000
  feff 00e0 0c000000
    0800 5011 5549 0400 312e3200
0800 1511 5351 0000 ffffffff
  feff 00e0 ffffffff
    0800 5511 5549 0400 312e3300
  feff 0de0 00000000
feff dde0 00000000
0900 1010 554e 0000 ffffffff
  feff 00e0 ffffffff
    0800 0001 02000000 5831
  feff 0de0 00000000
feff dde0 00000000
feff 0de0 00000000
1000 1000 504e 0800 446f655e4a616e65
e07f 1000 4f42 0000 ffffffff
  feff 00e0 04000000 00000000
  feff 00e0 03000000 010203
  feff 00e0 02000000 0405
feff dde0 00000000`

func TestWalk(t *testing.T) {
	b := unhex(t, strings.ReplaceAll(handDataset, "010203", "010200"))
	ev, err := walkEvents(t, b, dicomwire.ExplicitLE)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"0 (0008,0005) CS",
		"0 (0008,1140) SQ", "item (0008,1140) 0", "1 (0008,1150) UI", "end item (0008,1140) 0",
		"0 (0008,1115) SQ", "item (0008,1115) 0", "1 (0008,1155) UI", "end item (0008,1115) 0",
		"0 (0009,1010) UN", "item (0009,1010) 0", "1 (0008,0100) SH", "end item (0009,1010) 0",
		"warn 1 (FFFE,E00D)",
		"0 (0010,0010) PN",
		"0 (7FE0,0010) OB",
	}
	if strings.Join(ev, "\n") != strings.Join(want, "\n") {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(ev, "\n"), strings.Join(want, "\n"))
	}
}

func TestWalkImplicitAndBigEndian(t *testing.T) {
	implicit := unhex(t, `
0800 6000 02000000 4354
0800 4011 ffffffff
  feff 00e0 0c000000
    0800 5011 04000000 312e3200
feff dde0 00000000
1000 1000 08000000 446f655e4a616e65`)
	ev, err := walkEvents(t, implicit, dicomwire.ImplicitLE)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(ev, ","); got != "0 (0008,0060) CS,0 (0008,1140) SQ,item (0008,1140) 0,1 (0008,1150) UI,end item (0008,1140) 0,0 (0010,0010) PN" {
		t.Errorf("implicit: %s", got)
	}
	big := unhex(t, `
0008 0060 4353 0002 4354
0008 1140 5351 0000 0000000c
  fffe e000 00000004
    0008 1150 5549 0000
0010 0010 504e 0000`)
	// (0008,1150) is written with length 0: the item holds 8 bytes, not
	// the 4 it declares.
	_, err = walkEvents(t, big, dicomwire.ExplicitBE)
	if !errors.Is(err, dicomwire.ErrOverrun) {
		t.Errorf("big endian overrun: %v", err)
	}
	big = unhex(t, `
0008 0060 4353 0002 4354
0008 1140 5351 0000 00000010
  fffe e000 00000008
    0008 1150 5549 0000
0010 0010 504e 0000`)
	ev, err = walkEvents(t, big, dicomwire.ExplicitBE)
	if err != nil || len(ev) != 6 {
		t.Errorf("big endian: %v %q", err, ev)
	}
}

func TestWalkErrors(t *testing.T) {
	ds := unhex(t, handDataset)
	cases := []struct {
		name string
		b    []byte
		s    dicomwire.Syntax
		want error
		text string
	}{
		{"cut in a value", ds[:len(ds)-40], dicomwire.ExplicitLE, dicomwire.ErrTruncated, "truncated in element (7FE0,0010)"},
		{"cut in a header", ds[:len(ds)-3], dicomwire.ExplicitLE, dicomwire.ErrTruncated, "truncated"},
		{"cut in a sequence", ds[:60], dicomwire.ExplicitLE, dicomwire.ErrTruncated, "truncated"},
		{"huge length", unhex(t, "1000 1000 504e 0000 1100 2000 554e 0000 f0ffffff"), dicomwire.ExplicitLE, dicomwire.ErrImplausible, "exceeds file size in element (0011,0020)"},
		{"longer than its item", unhex(t, "0800 4011 5351 0000 10000000 feff 00e0 08000000 0800 5011 5549 0800 312e3200 0000"), dicomwire.ExplicitLE, dicomwire.ErrOverrun, "exceeds its enclosing item"},
		{"item in dataset", unhex(t, "feff 00e0 00000000"), dicomwire.ExplicitLE, dicomwire.ErrMalformed, "unexpected item tag"},
		{"undefined LO", unhex(t, "1000 2000 ffffffff"), dicomwire.ImplicitLE, dicomwire.ErrMalformed, "undefined length with VR LO"},
		{"element in sequence", unhex(t, "0800 4011 5351 0000 08000000 1000 1000 504e 0000"), dicomwire.ExplicitLE, dicomwire.ErrMalformed, "unexpected element (0010,0010) in sequence (0008,1140)"},
		{"bad VR", unhex(t, "1000 1000 706e 0000"), dicomwire.ExplicitLE, dicomwire.ErrNotDICOM, "invalid VR in element (0010,0010) at offset 0"},
		{"zero element", unhex(t, "0800 6000 4353 0200 4354 0000 0000 0000 0000"), dicomwire.ExplicitLE, dicomwire.ErrNotDICOM, "not DICOM after byte 10"},
		{"zero element implicit", unhex(t, "0800 6000 02000000 4354 0000 0000 00000000"), dicomwire.ImplicitLE, dicomwire.ErrNotDICOM, "not DICOM after byte 10"},
		{"group backwards", unhex(t, "1000 1000 0000 0000 0800 6000 0200 0000 4354"), dicomwire.ImplicitLE, dicomwire.ErrNotDICOM, "not DICOM after byte 8: group 0008 follows group 0010"},
	}
	for _, c := range cases {
		_, err := walkEvents(t, c.b, c.s)
		var we *dicomwire.Error
		if !errors.As(err, &we) || !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.text) {
			t.Errorf("%s: %v, want %v containing %q", c.name, err, c.want, c.text)
		}
	}
	// Nesting deeper than the limit.
	var deep []byte
	for range dicomwire.MaxDepth + 1 {
		deep = append(deep, unhex(t, "0800 4011 5351 0000 ffffffff feff 00e0 ffffffff")...)
	}
	if _, err := walkEvents(t, deep, dicomwire.ExplicitLE); !errors.Is(err, dicomwire.ErrMalformed) || !strings.Contains(err.Error(), "nested deeper") {
		t.Errorf("deep nesting: %v", err)
	}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.ReaderAt
	n int64
}

func (c *countingReader) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.n += int64(n)
	return n, err
}

// TestZerosAfterMeta: a valid meta group followed by 64 MB of zeros (a
// sparse file) is not DICOM after the meta group, found at the first
// element, without reading the zeros.
func TestZerosAfterMeta(t *testing.T) {
	meta := dicomwire.AppendMeta(dicomwire.AppendPreamble(nil), dicomwire.Meta{
		MediaStorageSOPClassUID: "1.2.840.10008.5.1.4.1.1.2", MediaStorageSOPInstanceUID: "1.2.3.4",
		TransferSyntaxUID: dicomwire.ExplicitVRLittleEndianUID, ImplementationClassUID: "1.2.3", ImplementationVersionName: "TEST",
	}, true)
	p := filepath.Join(t.TempDir(), "zeros.dcm")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(meta); err != nil {
		t.Fatal(err)
	}
	size := int64(len(meta)) + 64<<20
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	cr := &countingReader{r: f}
	win := dicomwire.NewWindow(cr, size)
	mi, err := dicomwire.ReadMeta(win, dicomwire.PreambleLen, size)
	if err != nil || mi.End != int64(len(meta)) || mi.TransferSyntaxUID != dicomwire.ExplicitVRLittleEndianUID || mi.GroupLengthEnd != mi.End {
		t.Fatalf("ReadMeta: %+v, %v", mi, err)
	}
	for _, s := range []dicomwire.Syntax{dicomwire.ExplicitLE, dicomwire.ImplicitLE, dicomwire.ExplicitBE} {
		w := &dicomwire.Walker{Src: win, Size: size, Syntax: s, Ctx: context.Background()}
		_, err = w.Walk(mi.End, size)
		var we *dicomwire.Error
		if !errors.As(err, &we) || we.Kind != dicomwire.NotDICOM || we.Offset != mi.End {
			t.Fatalf("%v: %v, want ErrNotDICOM at %d", s, err, mi.End)
		}
		want := fmt.Sprintf("not DICOM after byte %d", mi.End)
		if !strings.Contains(we.Reason, want) {
			t.Errorf("reason %q, want %q", we.Reason, want)
		}
	}
	if cr.n > 1<<20 {
		t.Errorf("%d bytes read", cr.n)
	}
}

func TestFragments(t *testing.T) {
	b := dicomwire.AppendEncapsulated(nil, dicomwire.ExplicitLE, dicomwire.PixelData, "OB", []uint32{0, 12}, [][]byte{[]byte("abc"), []byte("defg")})
	want := unhex(t, `e07f 1000 4f42 0000 ffffffff
feff 00e0 08000000 00000000 0c000000
feff 00e0 04000000 61626300
feff 00e0 04000000 64656667
feff dde0 00000000`)
	if !bytes.Equal(b, want) {
		t.Fatalf("AppendEncapsulated:\n% x\nwant\n% x", b, want)
	}
	f := dicomwire.Fragments{Src: dicomwire.Bytes{B: b}, Tag: dicomwire.PixelData, Off: 12, End: int64(len(b))}
	var got []string
	for f.Next() {
		off, n := f.Value()
		if f.Index() == 0 {
			got = append(got, fmt.Sprint(dicomwire.DecodeOffsets(b[off:off+n])))
			continue
		}
		got = append(got, string(b[off:off+n]))
	}
	if f.Err() != nil || f.Offset() != int64(len(b)) || strings.Join(got, "|") != "[0 12]|abc\x00|defg" || f.Index() != 3 {
		t.Errorf("fragments %q, end %d, err %v", got, f.Offset(), f.Err())
	}
	for n, want := range map[int]error{len(b) - 8: dicomwire.ErrTruncated, len(b) - 10: dicomwire.ErrTruncated} {
		f := dicomwire.Fragments{Src: dicomwire.Bytes{B: b[:n]}, Tag: dicomwire.PixelData, Off: 12, End: int64(n)}
		for f.Next() {
		}
		if !errors.Is(f.Err(), want) {
			t.Errorf("cut at %d: %v", n, f.Err())
		}
	}
	bad := append(append([]byte(nil), b[:len(b)-8]...), unhex(t, "1000 1000 00000000")...)
	f = dicomwire.Fragments{Src: dicomwire.Bytes{B: bad}, Tag: dicomwire.PixelData, Off: 12, End: int64(len(bad))}
	for f.Next() {
	}
	var we *dicomwire.Error
	if !errors.As(f.Err(), &we) || we.Kind != dicomwire.Malformed || we.Found != dicomwire.PatientName || we.Index != 3 {
		t.Errorf("unexpected element: %v", f.Err())
	}
}

func TestEncoder(t *testing.T) {
	var buf bytes.Buffer
	e := dicomwire.NewEncoder(&buf, dicomwire.ExplicitBE)
	e.Element(dicomwire.Modality, "CS", []byte("MR"))
	e.Header(0x00081140, "SQ", dicomwire.UndefinedLength)
	e.Item(dicomwire.UndefinedLength)
	e.Element(0x00081150, "UI", []byte("1.2.3"))
	e.ItemDelimiter()
	if err := e.SequenceDelimiter(); err != nil {
		t.Fatal(err)
	}
	want := unhex(t, `0008 0060 4353 0002 4d52
0008 1140 5351 0000 ffffffff
fffe e000 ffffffff
0008 1150 5549 0006 312e322e3300
fffe e00d 00000000
fffe e0dd 00000000`)
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("Encoder:\n% x\nwant\n% x", buf.Bytes(), want)
	}
}
