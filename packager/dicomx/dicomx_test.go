package dicomx_test

import (
	"dossier/internal/testtool"

	"bytes"
	"compress/flate"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"dossier/internal/fixture/dcmfix"
	"dossier/packager/dicomwire"
	"dossier/packager/dicomx"
)

// Patient values used by the fixtures; they must never appear in errors or warnings.
var phi = []string{"Doe^Jane", "PID0001", "19700101", "ACC123", "1 Main St", "555-0100", "Referrer^Rob", "General Hospital", "Other1"}

func phiSpec(s dcmfix.Spec) dcmfix.Spec {
	s.PatientName = "Doe^Jane"
	s.PatientID = "PID0001"
	s.BirthDate = "19700101"
	s.Sex = "F"
	s.Accession = "ACC123"
	s.PatientAddress = "1 Main St"
	s.PatientPhone = "555-0100"
	s.ReferringPhysician = "Referrer^Rob"
	s.Institution = "General Hospital"
	s.OtherPatientIDs = []string{"Other1", "Other2"}
	s.StudyDescription = "CT CHEST"
	s.SeriesDescription = "AXIAL 1mm"
	s.BodyPart = "CHEST"
	s.SeriesNumber = 3
	s.InstanceNumber = 7
	return s
}

func read(t testing.TB, b []byte) (*dicomx.Header, error) {
	t.Helper()
	return dicomx.ReadHeader(context.Background(), bytes.NewReader(b), int64(len(b)))
}

func checkNoPHI(t testing.TB, h *dicomx.Header, err error) {
	t.Helper()
	var texts []string
	if err != nil {
		texts = append(texts, err.Error())
	}
	if h != nil {
		for _, w := range h.Warnings {
			texts = append(texts, w.String())
		}
	}
	for _, s := range texts {
		for _, p := range phi {
			if strings.Contains(s, p) {
				t.Fatalf("patient value %q in %q", p, s)
			}
		}
	}
}

func TestFixtures(t *testing.T) {
	type want struct {
		modality     string
		encapsulated bool
		noPixels     bool
		private      bool
		burnedIn     bool
		wsi          bool
		warning      string
		frames       int
	}
	cases := []struct {
		name string
		spec dcmfix.Spec
		want want
	}{
		{"explicit", dcmfix.Spec{}, want{modality: "CT"}},
		{"implicit", dcmfix.Spec{Syntax: dcmfix.ImplicitLE}, want{modality: "CT"}},
		{"bigendian", dcmfix.Spec{Syntax: dcmfix.ExplicitBE}, want{modality: "CT"}},
		{"no preamble", dcmfix.Spec{NoPreamble: true}, want{modality: "CT"}},
		{"raw explicit", dcmfix.Spec{NoMeta: true}, want{modality: "CT"}},
		{"raw implicit", dcmfix.Spec{NoMeta: true, Syntax: dcmfix.ImplicitLE}, want{modality: "CT"}},
		{"raw bigendian", dcmfix.Spec{NoMeta: true, Syntax: dcmfix.ExplicitBE}, want{modality: "CT"}},
		{"private", dcmfix.Spec{Private: true}, want{modality: "CT", private: true}},
		{"private implicit", dcmfix.Spec{Private: true, Syntax: dcmfix.ImplicitLE}, want{modality: "CT", private: true}},
		{"sequences", dcmfix.Spec{Sequence: true}, want{modality: "CT"}},
		{"sequences implicit", dcmfix.Spec{Sequence: true, Syntax: dcmfix.ImplicitLE}, want{modality: "CT"}},
		{"sequences bigendian", dcmfix.Spec{Sequence: true, Syntax: dcmfix.ExplicitBE}, want{modality: "CT"}},
		{"mr multiframe", dcmfix.Spec{Modality: "MR", NumberOfFrames: 4}, want{modality: "MR", frames: 4}},
		{"pt", dcmfix.Spec{Modality: "PT"}, want{modality: "PT"}},
		{"jpeg", dcmfix.Spec{Compressed: true, NumberOfFrames: 2}, want{modality: "CT", encapsulated: true, frames: 2}},
		{"htj2k", dcmfix.Spec{Compressed: true, TransferSyntaxUID: dcmfix.UIDHTJ2K}, want{modality: "CT", encapsulated: true}},
		{"us", dcmfix.Spec{Modality: "US"}, want{modality: "US", burnedIn: true}},
		{"us jpeg", dcmfix.Spec{Modality: "US", Compressed: true, NumberOfFrames: 3}, want{modality: "US", encapsulated: true, burnedIn: true, frames: 3}},
		{"sc", dcmfix.Spec{Modality: "SC"}, want{modality: "SC", burnedIn: true}},
		{"sc class other modality", dcmfix.Spec{Modality: "OT", SOPClassUID: dcmfix.SOPClassSC}, want{modality: "OT", burnedIn: true}},
		{"xa", dcmfix.Spec{Modality: "XA"}, want{modality: "XA", burnedIn: true}},
		{"es", dcmfix.Spec{Modality: "ES"}, want{modality: "ES", burnedIn: true}},
		{"pdf", dcmfix.Spec{Modality: "DOC"}, want{modality: "DOC", noPixels: true, burnedIn: true}},
		{"burned in yes", dcmfix.Spec{BurnedIn: "YES"}, want{modality: "CT", burnedIn: true}},
		{"burned in no", dcmfix.Spec{BurnedIn: "NO"}, want{modality: "CT"}},
		{"sr", dcmfix.Spec{Modality: "SR"}, want{modality: "SR", noPixels: true}},
		{"wsi", dcmfix.Spec{Modality: "SM", Compressed: true, NumberOfFrames: 4}, want{modality: "SM", encapsulated: true, wsi: true, frames: 4}},
		{"wsi label", dcmfix.Spec{Modality: "SM", ImageType: []string{"ORIGINAL", "PRIMARY", "LABEL", "NONE"}}, want{modality: "SM", wsi: true, burnedIn: true}},
		{"wsi eot", dcmfix.Spec{Modality: "SM", Compressed: true, NumberOfFrames: 4, ExtendedOffsetTable: true},
			want{modality: "SM", encapsulated: true, wsi: true, frames: 4, warning: "extended offset table present"}},
		{"implicit data under explicit TS", dcmfix.Spec{Syntax: dcmfix.ImplicitLE, TransferSyntaxUID: dcmfix.UIDExplicitLE},
			want{modality: "CT", warning: "dataset encoding differs"}},
		{"nested OV falls back", dcmfix.Spec{Extra: []dcmfix.Element{dcmfix.Seq(dcmfix.T(0x0008, 0x1140), false, dcmfix.Item{Elements: []dcmfix.Element{
			dcmfix.Bytes(dcmfix.T(0x0011, 0x1010), "OV", make([]byte, 16))}})}},
			want{modality: "CT", private: true, warning: "header library not used"}},
		{"nested OV after group 0028", dcmfix.Spec{Extra: []dcmfix.Element{dcmfix.Seq(dcmfix.T(0x0040, 0x0275), false, dcmfix.Item{Elements: []dcmfix.Element{
			dcmfix.Bytes(dcmfix.T(0x0011, 0x1010), "OV", make([]byte, 16))}})}},
			want{modality: "CT", private: true}},
		{"unknown VR", dcmfix.Spec{Extra: []dcmfix.Element{dcmfix.Str(dcmfix.T(0x0009, 0x1020), "NA", "ab")}},
			want{modality: "CT", private: true, warning: "unknown VR NA"}},
		{"undefined-length UN sequence", dcmfix.Spec{Extra: []dcmfix.Element{{Tag: dcmfix.T(0x0009, 0x1010), VR: "UN", UndefinedLength: true,
			Value: []dcmfix.Item{{Elements: []dcmfix.Element{dcmfix.Str(dcmfix.T(0x0008, 0x0100), "SH", "X")}}}}}},
			want{modality: "CT", private: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := phiSpec(c.spec)
			b := dcmfix.Instance(s)
			h, err := read(t, b)
			checkNoPHI(t, h, err)
			if err != nil {
				t.Fatalf("ReadHeader: %v", err)
			}
			w := c.want
			if h.Modality != w.modality {
				t.Errorf("Modality = %q, want %q", h.Modality, w.modality)
			}
			if h.Preamble != !(s.NoPreamble || s.NoMeta) {
				t.Errorf("Preamble = %v", h.Preamble)
			}
			if !s.NoMeta && h.TransferSyntaxUID == "" {
				t.Error("no TransferSyntaxUID")
			}
			strs := map[string][2]string{
				"PatientName":      {h.PatientName, "Doe^Jane"},
				"PatientID":        {h.PatientID, "PID0001"},
				"PatientBirthDate": {h.PatientBirthDate, "19700101"},
				"PatientSex":       {h.PatientSex, "F"},
				"AccessionNumber":  {h.AccessionNumber, "ACC123"},
				"PatientAddress":   {h.PatientAddress, "1 Main St"},
				"Telephone":        {h.PatientTelephoneNumbers, "555-0100"},
				"Referring":        {h.ReferringPhysicianName, "Referrer^Rob"},
				"Institution":      {h.InstitutionName, "General Hospital"},
				"StudyDescription": {h.StudyDescription, "CT CHEST"},
				"StudyDate":        {h.StudyDate, "20240102"},
				"StudyTime":        {h.StudyTime, "101500"},
				"SeriesDesc":       {h.SeriesDescription, "AXIAL 1mm"},
				"BodyPart":         {h.BodyPartExamined, "CHEST"},
				"StudyUID":         {h.StudyInstanceUID, "1.2.826.0.1.3680043.10.1999.2.1"},
				"SeriesUID":        {h.SeriesInstanceUID, "1.2.826.0.1.3680043.10.1999.2.1.1"},
				"SOPUID":           {h.SOPInstanceUID, "1.2.826.0.1.3680043.10.1999.2.1.1.7"},
				"SOPClass":         {h.SOPClassUID, dcmfix.SOPClassFor(w.modality)},
			}
			if c.spec.SOPClassUID != "" {
				strs["SOPClass"] = [2]string{h.SOPClassUID, c.spec.SOPClassUID}
			}
			for k, v := range strs {
				if v[0] != v[1] {
					t.Errorf("%s = %q, want %q", k, v[0], v[1])
				}
			}
			if !slices.Equal(h.OtherPatientIDs, []string{"Other1", "Other2"}) {
				t.Errorf("OtherPatientIDs = %q", h.OtherPatientIDs)
			}
			if h.SeriesNumber != 3 || h.InstanceNumber != 7 {
				t.Errorf("SeriesNumber, InstanceNumber = %d, %d", h.SeriesNumber, h.InstanceNumber)
			}
			if h.NumberOfFrames != w.frames {
				t.Errorf("NumberOfFrames = %d, want %d", h.NumberOfFrames, w.frames)
			}
			p := h.PixelData
			if p.Present == w.noPixels {
				t.Errorf("PixelData.Present = %v", p.Present)
			}
			if !w.noPixels {
				if h.Rows != 16 || h.Columns != 16 {
					t.Errorf("Rows, Columns = %d, %d", h.Rows, h.Columns)
				}
				if p.Encapsulated != w.encapsulated {
					t.Errorf("Encapsulated = %v", p.Encapsulated)
				}
				if p.Offset <= 0 || p.Offset >= int64(len(b)) {
					t.Errorf("PixelData.Offset = %d", p.Offset)
				}
				if w.encapsulated {
					if p.Length != -1 || p.Fragments != max(w.frames, 1)+1 {
						t.Errorf("encapsulated Length, Fragments = %d, %d", p.Length, p.Fragments)
					}
					if !bytes.Equal(b[p.Offset:p.Offset+4], []byte{0xfe, 0xff, 0x00, 0xe0}) {
						t.Error("Offset does not point at the first item")
					}
				} else if p.Offset+p.Length != int64(len(b)) {
					t.Errorf("native pixel data [%d+%d] does not end the file (%d)", p.Offset, p.Length, len(b))
				}
			}
			if h.HasPrivateTags != w.private {
				t.Errorf("HasPrivateTags = %v", h.HasPrivateTags)
			}
			if h.BurnedInRisk() != w.burnedIn {
				t.Errorf("BurnedInRisk = %v", h.BurnedInRisk())
			}
			if h.IsWSI() != w.wsi {
				t.Errorf("IsWSI = %v", h.IsWSI())
			}
			if h.IsDICOMDIR {
				t.Error("IsDICOMDIR")
			}
			if w.warning != "" && !hasWarning(h, w.warning) {
				t.Errorf("Warnings = %q, want one containing %q", h.Warnings, w.warning)
			}
			if w.warning == "" && len(h.Warnings) > 0 {
				t.Errorf("unexpected Warnings %q", h.Warnings)
			}
		})
	}
}

func hasWarning(h *dicomx.Header, s string) bool {
	for _, w := range h.Warnings {
		if strings.Contains(w.String(), s) {
			return true
		}
	}
	return false
}

func TestCharacterSet(t *testing.T) {
	b := dcmfix.Instance(dcmfix.Spec{CharacterSet: []string{"ISO_IR 100"}, PatientName: "M\xfcller^J\xfcrgen"})
	h, err := read(t, b)
	if err != nil {
		t.Fatal(err)
	}
	if h.PatientName != "Müller^Jürgen" {
		t.Errorf("PatientName = %q", h.PatientName)
	}
	if !slices.Equal(h.SpecificCharacterSet, []string{"ISO_IR 100"}) {
		t.Errorf("SpecificCharacterSet = %q", h.SpecificCharacterSet)
	}
}

func TestDICOMDIR(t *testing.T) {
	entries := []dcmfix.DirEntry{
		{Path: "DICOM/SE000001/IM000001", PatientID: "P1", StudyUID: "1.2.3.1", SeriesUID: "1.2.3.1.1", SOPUID: "1.2.3.1.1.1", Modality: "CT"},
		{Path: "DICOM/SE000001/IM000002", PatientID: "P1", StudyUID: "1.2.3.1", SeriesUID: "1.2.3.1.1", SOPUID: "1.2.3.1.1.2", Modality: "CT"},
		{Path: "DICOM/SE000002/IM000001", PatientID: "P2", StudyUID: "1.2.3.2", SeriesUID: "1.2.3.2.1", SOPUID: "1.2.3.2.1.1", Modality: "MR"},
	}
	b := dcmfix.DICOMDIR("FIXSET", entries)
	h, err := read(t, b)
	if err != nil {
		t.Fatal(err)
	}
	if !h.IsDICOMDIR || h.MediaStorageSOPClassUID != dicomx.SOPClassMediaStorageDirectory {
		t.Fatalf("IsDICOMDIR = %v, class %q", h.IsDICOMDIR, h.MediaStorageSOPClassUID)
	}
	var types []string
	var files [][]string
	for _, r := range h.DirRecords {
		types = append(types, r.Type)
		if r.FileID != nil {
			files = append(files, r.FileID)
		}
	}
	wantTypes := []string{"PATIENT", "STUDY", "SERIES", "IMAGE", "IMAGE", "PATIENT", "STUDY", "SERIES", "IMAGE"}
	if !slices.Equal(types, wantTypes) {
		t.Errorf("record types = %q", types)
	}
	if len(files) != 3 || !slices.Equal(files[2], []string{"DICOM", "SE000002", "IM000001"}) {
		t.Errorf("FileIDs = %q", files)
	}
	if h.PixelData.Present || h.BurnedInRisk() {
		t.Error("DICOMDIR has pixel data or burned-in risk")
	}
}

func TestSniff(t *testing.T) {
	cases := []struct {
		name string
		b    []byte
		want dicomx.Kind
	}{
		{"part10", dcmfix.Instance(dcmfix.Spec{}), dicomx.Part10},
		{"meta without preamble", dcmfix.Instance(dcmfix.Spec{NoPreamble: true}), dicomx.Raw},
		{"raw explicit", dcmfix.Instance(dcmfix.Spec{NoMeta: true}), dicomx.Raw},
		{"raw implicit", dcmfix.Instance(dcmfix.Spec{NoMeta: true, Syntax: dcmfix.ImplicitLE}), dicomx.Raw},
		{"pdf", []byte("%PDF-1.7\n1 0 obj\n<<>>\nendobj\n" + strings.Repeat(" ", 200)), dicomx.NotDICOM},
		{"jpeg", append([]byte{0xff, 0xd8, 0xff, 0xe0}, make([]byte, 200)...), dicomx.NotDICOM},
		{"zeros", make([]byte, 132), dicomx.NotDICOM},
		{"empty", nil, dicomx.NotDICOM},
		{"short", []byte{8, 0}, dicomx.NotDICOM},
		{"text", []byte("hello world, this is a letter"), dicomx.NotDICOM},
	}
	for _, c := range cases {
		head := c.b[:min(len(c.b), 132)]
		if got := dicomx.Sniff(head); got != c.want {
			t.Errorf("%s: Sniff = %v, want %v", c.name, got, c.want)
		}
	}
}

func damagedReason(t testing.TB, err error) string {
	t.Helper()
	var d *dicomx.DamagedError
	if !errors.As(err, &d) {
		t.Fatalf("error %v is not a DamagedError", err)
	}
	if d.Reason == "" {
		t.Fatal("empty Reason")
	}
	return d.Reason
}

func TestDamaged(t *testing.T) {
	base := dcmfix.Instance(phiSpec(dcmfix.Spec{Rows: 64, Cols: 64}))
	hugePix, err := dcmfix.PatchLength(base, dcmfix.TagPixelData, dcmfix.HugeLength)
	if err != nil {
		t.Fatal(err)
	}
	hugeName, err := dcmfix.PatchLength(dcmfix.Instance(phiSpec(dcmfix.Spec{Syntax: dcmfix.ImplicitLE})), dcmfix.T(0x0010, 0x0010), dcmfix.HugeLength)
	if err != nil {
		t.Fatal(err)
	}
	unknownTS, err := dcmfix.ReplaceTransferSyntax(base, "1.2.3.4.5.6.7")
	if err != nil {
		t.Fatal(err)
	}
	shortPix := dcmfix.Instance(phiSpec(dcmfix.Spec{Rows: 64, Cols: 64, Extra: []dcmfix.Element{}}))
	shortPix = shortPix[:len(shortPix)-8192+1000] // cut inside pixel data
	els := phiSpec(dcmfix.Spec{Rows: 64, Cols: 64}).Elements()
	for i := range els {
		if els[i].Tag == dcmfix.TagPixelData {
			els[i] = dcmfix.Bytes(dcmfix.TagPixelData, "OW", make([]byte, 100))
		}
	}
	smallPix := dcmfix.File(els, dcmfix.FileOptions{})
	jpeg := dcmfix.Instance(phiSpec(dcmfix.Spec{Compressed: true, NumberOfFrames: 3}))

	cases := []struct {
		name       string
		b          []byte
		reason     string
		withHeader bool
	}{
		{"empty", nil, "empty file", false},
		{"huge pixel length", hugePix, "value length 4294967280 of Pixel Data (7FE0,0010) exceeds file size", true},
		{"huge name length", hugeName, "value length 4294967280 exceeds file size in element (0010,0010)", false},
		{"unknown transfer syntax", unknownTS, "unknown transfer syntax 1.2.3.4.5.6.7", false},
		{"pixel data truncated", shortPix, "pixel data truncated: 1000 of 8192 bytes", true},
		{"pixel data shorter than image", smallPix, "pixel data shorter than the image: 100 of 8192 bytes", true},
		{"encapsulated truncated", jpeg[:len(jpeg)-20], "pixel data truncated", true},
		{"encapsulated without delimiter", jpeg[:len(jpeg)-8], "without sequence delimiter", true},
		{"header truncated", base[:400], "truncated in element", false},
		{"not dicom", []byte(strings.Repeat("x", 500)), "not DICOM", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h, err := read(t, c.b)
			checkNoPHI(t, h, err)
			if err == nil {
				t.Fatal("no error")
			}
			if r := damagedReason(t, err); !strings.Contains(r, c.reason) {
				t.Errorf("Reason = %q, want %q", r, c.reason)
			}
			if (h != nil) != c.withHeader {
				t.Errorf("header returned = %v, want %v", h != nil, c.withHeader)
			}
			if h != nil && (h.PatientID != "PID0001" || !h.PixelData.Present) {
				t.Errorf("partial header: PatientID %q, pixel data %v", h.PatientID, h.PixelData.Present)
			}
		})
	}
}

// TestHugeLengthAllocation checks that a 4 GB value length allocates nothing big.
func TestHugeLengthAllocation(t *testing.T) {
	for _, tg := range []dcmfix.Tag{dcmfix.TagPixelData, dcmfix.T(0x0010, 0x0010), dcmfix.T(0x0008, 0x103E)} {
		b, err := dcmfix.PatchLength(dcmfix.Instance(dcmfix.Spec{Syntax: dcmfix.ImplicitLE, Rows: 256, Cols: 256}), tg, dcmfix.HugeLength)
		if err != nil {
			t.Fatal(err)
		}
		read(t, b) // warm up
		var m0, m1 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m0)
		const runs = 10
		for i := 0; i < runs; i++ {
			if _, err := read(t, b); !dicomx.IsDamaged(err) {
				t.Fatalf("%v: err = %v", tg, err)
			}
		}
		runtime.ReadMemStats(&m1)
		if per := (m1.TotalAlloc - m0.TotalAlloc) / runs; per > 512<<10 {
			t.Errorf("%v: %d bytes allocated per read", tg, per)
		}
	}
}

// TestTruncatedEverywhere cuts fixtures at every byte: never a panic, always
// either a header or a DamagedError, and never patient values in errors.
func TestTruncatedEverywhere(t *testing.T) {
	specs := []dcmfix.Spec{
		{Sequence: true, Private: true},
		{Syntax: dcmfix.ImplicitLE, Sequence: true},
		{Syntax: dcmfix.ExplicitBE, Sequence: true},
		{NoMeta: true, Sequence: true},
		{Compressed: true, NumberOfFrames: 3, Modality: "SM", ExtendedOffsetTable: true},
		{Modality: "SR"},
	}
	for i, s := range specs {
		b := dcmfix.Instance(phiSpec(s))
		ok, bad := 0, 0
		for n := 0; n < len(b); n++ {
			h, err := read(t, b[:n])
			checkNoPHI(t, h, err)
			switch {
			case err == nil:
				if h == nil {
					t.Fatalf("spec %d cut %d: nil header and nil error", i, n)
				}
				ok++
			default:
				damagedReason(t, err)
				bad++
			}
		}
		if h, err := read(t, b); err != nil || h == nil {
			t.Fatalf("spec %d: full file: %v", i, err)
		}
		t.Logf("spec %d: %d bytes: %d cuts read, %d damaged", i, len(b), ok, bad)
	}
	b := dcmfix.DICOMDIR("FIXSET", []dcmfix.DirEntry{{Path: "A/B", PatientID: "PID0001", StudyUID: "1.2", SeriesUID: "1.2.3", SOPUID: "1.2.3.4"}})
	for n := 0; n < len(b); n++ {
		h, err := read(t, b[:n])
		checkNoPHI(t, h, err)
		if err != nil {
			damagedReason(t, err)
		}
	}
}

func TestRandomBytes(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	base := dcmfix.Instance(dcmfix.Spec{Sequence: true, Private: true})
	for i := 0; i < 3000; i++ {
		var b []byte
		if i%2 == 0 {
			b = make([]byte, rng.Intn(2000))
			rng.Read(b)
			if i%4 == 0 && len(b) > 132 {
				copy(b[128:], "DICM")
			}
		} else {
			// Flip a few bytes of a valid file.
			b = append([]byte(nil), base...)
			for j := 0; j < 1+rng.Intn(4); j++ {
				b[132+rng.Intn(len(b)-132)] = byte(rng.Intn(256))
			}
		}
		h, err := read(t, b)
		if err == nil && h == nil {
			t.Fatal("nil header and nil error")
		}
		if err != nil && !dicomx.IsDamaged(err) {
			t.Fatalf("non-damaged error %v", err)
		}
	}
}

func TestDeflated(t *testing.T) {
	s := phiSpec(dcmfix.Spec{})
	ds := dcmfix.Encode(s.Elements(), dcmfix.ExplicitLE)
	var z bytes.Buffer
	fw, _ := flate.NewWriter(&z, flate.BestSpeed)
	fw.Write(ds)
	fw.Close()
	file := append(make([]byte, 128), "DICM"...)
	file = append(file, dcmfix.Meta(dcmfix.SOPClassCT, "1.2.3", dcmfix.UIDDeflatedLE, true)...)
	full := append(file, z.Bytes()...)
	h, err := read(t, full)
	if err != nil {
		t.Fatal(err)
	}
	if h.PatientID != "PID0001" || !h.PixelData.Present || h.PixelData.Offset != -1 || h.PixelData.Length != 512 {
		t.Errorf("deflated: PatientID %q, PixelData %+v", h.PatientID, h.PixelData)
	}
	if !hasWarning(h, "deflated") {
		t.Errorf("Warnings = %q", h.Warnings)
	}
	// Corrupt deflate stream.
	bad := append(append([]byte(nil), file...), 0xff, 0xff, 0xff, 0xff, 1, 2, 3)
	_, err = read(t, bad)
	damagedReason(t, err)
	// Truncated deflate stream: header readable or a specific damage.
	for n := len(file); n < len(full); n += 7 {
		h, err := read(t, full[:n])
		checkNoPHI(t, h, err)
		if err != nil {
			damagedReason(t, err)
		}
	}
}

func TestReadHeaderFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "Doe_Jane.dcm")
	if err := os.WriteFile(p, dcmfix.Instance(dcmfix.Spec{}), 0o644); err != nil {
		t.Fatal(err)
	}
	h, err := dicomx.ReadHeaderFile(context.Background(), p)
	if err != nil || h.Modality != "CT" {
		t.Fatalf("ReadHeaderFile: %v", err)
	}
	_, err = dicomx.ReadHeaderFile(context.Background(), filepath.Join(dir, "Doe_Jane_missing.dcm"))
	if !errors.Is(err, fs.ErrNotExist) || strings.Contains(err.Error(), "Doe_Jane") {
		t.Fatalf("missing file: %v", err)
	}
	if _, err := dicomx.ReadHeaderFile(context.Background(), dir); err == nil {
		t.Fatal("directory: no error")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := dicomx.ReadHeaderFile(ctx, p); !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled: %v", err)
	}
}

// TestPydicomCorpus reads pydicom's test files when python3-pydicom is installed.
func TestPydicomCorpus(t *testing.T) {
	data := testtool.PydicomData(t)
	roots := []string{filepath.Join(data, "test_files"), filepath.Join(data, "charset_files")}
	var read, dmg, notDICOM int
	reasons := map[string]int{}
	for _, root := range roots {
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || !d.Type().IsRegular() {
				return nil
			}
			f, err := os.Open(p)
			if err != nil {
				return nil
			}
			head := make([]byte, 132)
			n, _ := f.Read(head)
			f.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 10e9)
			h, err := dicomx.ReadHeaderFile(ctx, p)
			cancel()
			rel, _ := filepath.Rel(root, p)
			switch {
			case err == nil:
				read++
				if rel == "dicomdirtests/DICOMDIR" && (!h.IsDICOMDIR || len(h.DirRecords) == 0) {
					t.Errorf("%s: IsDICOMDIR %v, %d records", rel, h.IsDICOMDIR, len(h.DirRecords))
				}
				t.Logf("ok      %-45s %s %s %v", rel, h.Modality, h.TransferSyntaxUID, h.Warnings)
			case dicomx.IsDamaged(err):
				var de *dicomx.DamagedError
				errors.As(err, &de)
				if dicomx.Sniff(head[:n]) == dicomx.NotDICOM {
					notDICOM++
				} else {
					dmg++
				}
				reasons[de.Reason]++
				t.Logf("damaged %-45s %s", rel, de.Reason)
			default:
				t.Errorf("%s: error is not a DamagedError: %v", rel, err)
			}
			return nil
		})
	}
	t.Logf("pydicom corpus: %d read, %d damaged, %d not DICOM", read, dmg, notDICOM)
	if read < 50 {
		t.Errorf("only %d files read", read)
	}
}

// corpus returns the fixtures used as fuzz seeds and benchmark files.
func corpus() [][]byte {
	var out [][]byte
	for _, s := range []dcmfix.Spec{
		{}, {Syntax: dcmfix.ImplicitLE, Sequence: true}, {Syntax: dcmfix.ExplicitBE, Sequence: true},
		{NoMeta: true}, {Private: true, Sequence: true}, {Compressed: true, NumberOfFrames: 2},
		{Modality: "SM", Compressed: true, ExtendedOffsetTable: true, NumberOfFrames: 2}, {Modality: "SR"},
		{Modality: "DOC"}, {CharacterSet: []string{"ISO_IR 100"}, PatientName: "M\xfcller"},
	} {
		out = append(out, dcmfix.Instance(s))
	}
	out = append(out, dcmfix.DICOMDIR("FIXSET", []dcmfix.DirEntry{{Path: "A/B", PatientID: "P", StudyUID: "1.2", SeriesUID: "1.2.3", SOPUID: "1.2.3.4"}}))
	return out
}

func FuzzReadHeader(f *testing.F) {
	for _, b := range corpus() {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := dicomx.ReadHeader(context.Background(), bytes.NewReader(b), int64(len(b)))
		if err == nil && h == nil {
			t.Fatal("nil header and nil error")
		}
		if err != nil && !dicomx.IsDamaged(err) {
			t.Fatalf("non-damaged error: %v", err)
		}
		if h != nil && h.PixelData.Present && h.PixelData.Offset > int64(len(b)) {
			t.Fatalf("pixel offset %d beyond %d", h.PixelData.Offset, len(b))
		}
	})
}

// BenchmarkReadHeader reads 300 CT slice files (512x512x16 bit, headers with
// private tags and sequences) from a temporary directory.
func BenchmarkReadHeader(b *testing.B) {
	dir := b.TempDir()
	var paths []string
	for i := 0; i < 300; i++ {
		s := phiSpec(dcmfix.Spec{Rows: 512, Cols: 512, Private: true, Sequence: true})
		s.InstanceNumber = i + 1
		s.SOPUID = "1.2.826.0.1.3680043.10.1999.2.1.1." + string(rune('0'+i%10)) + strings.Repeat("1", i/10+1)
		p := filepath.Join(dir, "IM"+strings.Repeat("0", 3)+string(rune('A'+i/26%26))+string(rune('A'+i%26))+strings.Repeat("X", i/676))
		if err := os.WriteFile(p, dcmfix.Instance(s), 0o644); err != nil {
			b.Fatal(err)
		}
		paths = append(paths, p)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, p := range paths {
			if _, err := dicomx.ReadHeaderFile(ctx, p); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.N*len(paths))/b.Elapsed().Seconds(), "files/s")
}

// TestZerosAfterMeta: a valid meta group followed by 64 MB of zeros is not
// DICOM after the meta group; the reader says so at the first element
// instead of walking the zeros (issue 12: 4 GB took 128 s to be called
// "truncated").
func TestZerosAfterMeta(t *testing.T) {
	for _, ts := range []string{dcmfix.UIDExplicitLE, dcmfix.UIDImplicitLE, dcmfix.UIDExplicitBE} {
		meta := append(append(make([]byte, 128), "DICM"...), dcmfix.Meta(dcmfix.SOPClassCT, "1.2.3.4", ts, true)...)
		p := filepath.Join(t.TempDir(), "zeros.dcm")
		if err := os.WriteFile(p, meta, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(p, int64(len(meta))+64<<20); err != nil {
			t.Fatal(err)
		}
		h, err := dicomx.ReadHeaderFile(context.Background(), p)
		if h != nil || !errors.Is(err, dicomwire.ErrNotDICOM) {
			t.Fatalf("%s: %v, %v; want ErrNotDICOM", ts, h, err)
		}
		if r := damagedReason(t, err); !strings.Contains(r, fmt.Sprintf("not DICOM after byte %d", len(meta))) {
			t.Errorf("%s: reason %q", ts, r)
		}
	}
}
