package dicomdeid

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"dossier/internal/fixture/dcmfix"
	"dossier/packager/dicomwire"
	"dossier/packager/dicomx"
	"dossier/packager/privacy"
)

func TestIdentifiedIsByteCopy(t *testing.T) {
	in := dcmfix.Instance(richSpec(1, ""))
	out, rep := run(t, in, privacy.Params{Level: privacy.Identified})
	if !bytes.Equal(in, out) || !rep.Copied {
		t.Fatal("identified output differs from input")
	}
	// Even a damaged file is copied as it is at this level.
	bad := dcmfix.Truncate(in, 300)
	out, _ = run(t, bad, privacy.Params{Level: privacy.Identified})
	if !bytes.Equal(bad, out) {
		t.Fatal("identified copy of a damaged file differs")
	}
}

func TestLevelsBasics(t *testing.T) {
	in := dcmfix.Instance(richSpec(1, ""))
	for _, p := range []privacy.Params{pseudoParams(), anonParams()} {
		t.Run(string(p.Level), func(t *testing.T) {
			out, rep := run(t, in, p)
			if l := leaks(out); len(l) > 0 {
				t.Errorf("identity leaked: %q", l)
			}
			o := parseOut(t, out)
			wantName := testPseudonym
			if p.Level == privacy.Anonymised {
				wantName = privacy.AnonymousName
			}
			for _, tg := range []dicomwire.Tag{dicomwire.PatientName, dicomwire.PatientID} {
				if v, _ := str(o.ds, tg); v != wantName {
					t.Errorf("%s = %q, want %q", tagText(tg), v, wantName)
				}
			}
			// Markers.
			if v, _ := str(o.ds, dicomwire.PatientIdentityRemoved); v != "YES" {
				t.Errorf("PatientIdentityRemoved = %q", v)
			}
			if v, _ := str(o.ds, dicomwire.SpecificCharacterSet); v != "ISO_IR 192" {
				t.Errorf("SpecificCharacterSet = %q", v)
			}
			if v, _ := str(o.ds, dicomwire.DeidentificationMethod); !strings.Contains(v, "BASIC PROFILE") {
				t.Errorf("DeidentificationMethod = %q", v)
			}
			var codes []string
			for _, it := range find(o.ds, dicomwire.DeidentificationMethodCodeSequence).items {
				v, _ := str(it.elems, dicomwire.CodeValue)
				s, _ := str(it.elems, dicomwire.CodingSchemeDesignator)
				if s != "DCM" {
					t.Errorf("coding scheme %q", s)
				}
				codes = append(codes, v)
			}
			want := "113100 113106 113108 113105"
			lm := "UNMODIFIED"
			if p.Level == privacy.Anonymised {
				want, lm = "113100 113107 113108", "MODIFIED"
			}
			if got := strings.Join(codes, " "); got != want {
				t.Errorf("method codes %q, want %q", got, want)
			}
			if strings.Contains(strings.Join(codes, " "), "113101") {
				t.Error("claims Clean Pixel Data")
			}
			if v, _ := str(o.ds, dicomwire.LongitudinalTemporalInformationModified); v != lm {
				t.Errorf("LongitudinalTemporalInformationModified = %q, want %q", v, lm)
			}
			// Privates gone, everywhere.
			walk(o.ds, func(e *elem, _ int) {
				if e.tag>>16&1 == 1 {
					t.Errorf("private element %s left", tagText(e.tag))
				}
			})
			if rep.PrivateRemoved < 4 {
				t.Errorf("PrivateRemoved = %d", rep.PrivateRemoved)
			}
			// Meta SOP instance == dataset SOP instance, both remapped.
			ms, _ := str(o.meta, 0x00020003)
			ds, _ := str(o.ds, dicomwire.SOPInstanceUID)
			if ms != ds || !strings.HasPrefix(ds, "2.25.") {
				t.Errorf("meta SOP instance %q, dataset %q", ms, ds)
			}
			if c, _ := str(o.ds, dicomwire.SOPClassUID); c != dcmfix.SOPClassCT {
				t.Errorf("SOP class changed: %q", c)
			}
			if c, _ := str(o.meta, 0x00020002); c != dcmfix.SOPClassCT {
				t.Errorf("meta SOP class changed: %q", c)
			}
			// Type 2 attributes emptied, not removed.
			for _, tg := range []dicomwire.Tag{0x00080050, 0x00080090, 0x00100030, 0x00200010} {
				if v, ok := str(o.ds, tg); !ok || v != "" {
					t.Errorf("%s: present=%v value=%q, want present and empty", tagText(tg), ok, v)
				}
			}
			// Patient characteristics retained.
			if v, _ := str(o.ds, 0x00101010); v != "063Y" {
				t.Errorf("PatientAge = %q", v)
			}
			if v, _ := str(o.ds, 0x00100040); v != "F" {
				t.Errorf("PatientSex = %q", v)
			}
			// Device serial number (X/Z/D) gets a dummy; Station Name too.
			if v, _ := str(o.ds, 0x00181000); v != "ANONYMIZED" {
				t.Errorf("DeviceSerialNumber = %q", v)
			}
			// Removed attributes.
			for _, tg := range []dicomwire.Tag{0x00101000, 0x00101002, 0x00101040, 0x00102154, 0x00080081, 0x00081050} {
				if find(o.ds, tg) != nil {
					t.Errorf("%s not removed", tagText(tg))
				}
			}
			// Procedure Code Sequence is kept with its coding scheme.
			if s := find(o.ds, 0x00081032); s == nil || len(s.items) != 1 {
				t.Error("Procedure Code Sequence lost")
			} else if v, _ := str(s.items[0].elems, 0x00080102); v != "99LOCAL" {
				t.Errorf("coding scheme designator %q", v)
			}
			if len(rep.Options) == 0 || rep.Removed == 0 || rep.Emptied == 0 || rep.UIDsRemapped == 0 {
				t.Errorf("report counts look empty: %+v", rep)
			}
			if p.Level == privacy.Pseudonymised {
				// Clean Descriptors: kept, identity removed.
				if v, _ := str(o.ds, 0x00081030); v != "CT CHEST *** follow-up" {
					t.Errorf("StudyDescription = %q", v)
				}
				if v, _ := str(o.ds, 0x00204000); v != "Comment for *** born ***" {
					t.Errorf("ImageComments = %q", v)
				}
				ra := find(o.ds, 0x00400275)
				if ra == nil || len(ra.items) != 1 {
					t.Fatal("Request Attributes Sequence not kept for Clean Descriptors")
				}
				if v, _ := str(ra.items[0].elems, 0x00321060); v != "CT chest for ***" {
					t.Errorf("RequestedProcedureDescription = %q", v)
				}
				for _, tg := range []dicomwire.Tag{0x00400009, 0x00401001} {
					if find(ra.items[0].elems, tg) != nil {
						t.Errorf("%s not removed inside Request Attributes Sequence", tagText(tg))
					}
				}
			} else {
				for _, tg := range []dicomwire.Tag{0x00081030, 0x0008103E, 0x00204000, 0x00400275} {
					if find(o.ds, tg) != nil {
						t.Errorf("%s not removed", tagText(tg))
					}
				}
			}
		})
	}
}

func TestDates(t *testing.T) {
	in := dcmfix.Instance(richSpec(1, ""))
	out, _ := run(t, in, pseudoParams())
	o := parseOut(t, out)
	for tg, want := range map[dicomwire.Tag]string{0x00080020: "20240102", 0x00080022: "20240103", 0x0008002A: "20240102101530.123456+0100", 0x00080030: "101500"} {
		if v, _ := str(o.ds, tg); v != want {
			t.Errorf("pseudonymised %s = %q, want %q (full dates kept)", tagText(tg), v, want)
		}
	}
	p := anonParams()
	out, rep := run(t, in, p)
	o = parseOut(t, out)
	day := func(s string) time.Time {
		d, err := time.Parse("20060102", s[:8])
		if err != nil {
			t.Fatalf("bad date %q", s)
		}
		return d
	}
	study, _ := str(o.ds, 0x00080020)
	acq, _ := str(o.ds, 0x00080022)
	dt, _ := str(o.ds, 0x0008002A)
	if got := day(study); !got.Equal(time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC).AddDate(0, 0, p.DateShift)) {
		t.Errorf("StudyDate %q not shifted by %d days", study, p.DateShift)
	}
	if day(acq).Sub(day(study)) != 24*time.Hour {
		t.Errorf("interval not kept: study %q acquisition %q", study, acq)
	}
	if dt[:8] != study || dt[8:] != "101530.123456" {
		t.Errorf("AcquisitionDateTime %q: want the shifted date, the time, and no timezone offset", dt)
	}
	if v, _ := str(o.ds, 0x00080030); v != "101500" {
		t.Errorf("StudyTime %q", v)
	}
	if v, ok := str(o.ds, 0x00100030); !ok || v != "" {
		t.Errorf("birth date %q", v)
	}
	if rep.DatesShifted < 4 {
		t.Errorf("DatesShifted = %d", rep.DatesShifted)
	}
}

// TestNoTimezoneAtAnonymised: at the anonymised level no DT value keeps
// its UTC offset and Timezone Offset From UTC goes (the offset tells where
// the patient was); the pseudonymised level keeps full date-times.
func TestNoTimezoneAtAnonymised(t *testing.T) {
	T := dcmfix.T
	spec := richSpec(1, "")
	spec.Extra = append(spec.Extra,
		dcmfix.Str(dcmfix.W(dicomwire.TimezoneOffsetFromUTC), "SH", "-0500"),
		dcmfix.Str(T(0x0018, 0x1202), "DT", "20240102101530-0500"), // Date Time of Last Calibration
		dcmfix.Str(T(0x0040, 0x0244), "DA", "20240102"),
		dcmfix.Seq(dcmfix.W(dicomwire.ContentSequence), false, dcmfix.Item{Elements: []dcmfix.Element{
			dcmfix.Str(dcmfix.W(dicomwire.ValueType), "CS", "DATETIME"),
			dcmfix.Str(dcmfix.W(dicomwire.DateTime), "DT", "202401021015+1345"),
		}}),
	)
	in := dcmfix.Instance(spec)
	p := anonParams()
	out, _ := run(t, in, p)
	o := parseOut(t, out)
	if e := find(o.ds, dicomwire.TimezoneOffsetFromUTC); e != nil {
		t.Errorf("Timezone Offset From UTC kept: %q", e.val)
	}
	var dts []string
	var walk func([]*elem)
	walk = func(l []*elem) {
		for _, e := range l {
			if e.vr == "DT" && len(e.val) > 0 {
				dts = append(dts, strings.TrimRight(string(e.val), " \x00"))
			}
			for _, it := range e.items {
				walk(it.elems)
			}
		}
	}
	walk(o.ds)
	if len(dts) < 2 {
		t.Fatalf("DT values %q", dts)
	}
	for _, v := range dts {
		if strings.ContainsAny(v[min(len(v), 8):], "+-") {
			t.Errorf("DT %q keeps a timezone offset", v)
		}
	}
	shifted := time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC).AddDate(0, 0, p.DateShift).Format("20060102")
	if v, _ := str(o.ds, 0x00181202); v != shifted+"101530" {
		t.Errorf("Date Time of Last Calibration %q, want %q", v, shifted+"101530")
	}
	out, _ = run(t, in, pseudoParams())
	o = parseOut(t, out)
	if v, _ := str(o.ds, 0x00181202); v != "20240102101530-0500" {
		t.Errorf("pseudonymised: %q, want the full date-time", v)
	}
	if v, _ := str(o.ds, dicomwire.TimezoneOffsetFromUTC); v != "-0500" {
		t.Errorf("pseudonymised Timezone Offset From UTC %q", v)
	}
}

func TestRecursionInSequences(t *testing.T) {
	in := dcmfix.Instance(richSpec(1, "1.2.826.0.1.3680043.10.1999.2.77.1.99"))
	for _, p := range []privacy.Params{pseudoParams(), anonParams()} {
		out, _ := run(t, in, p)
		o := parseOut(t, out)
		// (0008,1115) > (0008,114A) > (0008,1155): remapped at depth 2.
		rs := find(o.ds, 0x00081115)
		ri := find(rs.items[0].elems, 0x0008114A)
		ref, _ := str(ri.items[0].elems, 0x00081155)
		cls, _ := str(ri.items[0].elems, 0x00081150)
		if ref != p.UID(dcmfix.SOPClassCT[:0]+"1.2.826.0.1.3680043.10.1999.2.77.1.1.9") {
			t.Errorf("nested ReferencedSOPInstanceUID %q not remapped", ref)
		}
		if cls != dcmfix.SOPClassCT {
			t.Errorf("ReferencedSOPClassUID changed: %q", cls)
		}
		ser, _ := str(rs.items[0].elems, 0x0020000E)
		if ser != p.UID("1.2.826.0.1.3680043.10.1999.2.77.1.9") {
			t.Errorf("SeriesInstanceUID in item %q", ser)
		}
		// Referenced Image Sequence (X/Z/U*): kept, UIDs remapped.
		img := find(o.ds, 0x00081140)
		if img == nil {
			t.Fatal("Referenced Image Sequence removed")
		}
		if v, _ := str(img.items[0].elems, 0x00081155); v != p.UID("1.2.826.0.1.3680043.10.1999.2.77.1.99") {
			t.Errorf("Referenced Image Sequence UID %q", v)
		}
		if p.Level == privacy.Pseudonymised {
			ra := find(o.ds, 0x00400275)
			if v, _ := str(ra.items[0].elems, 0x00400002); v != "20231231" {
				t.Errorf("date in item %q", v)
			}
		}
	}
	// Anonymised: a date inside a kept sequence is shifted too.
	spec := richSpec(1, "")
	spec.Extra = append(spec.Extra, dcmfix.Seq(dcmfix.T(0x0040, 0x0260), false, dcmfix.Item{Elements: []dcmfix.Element{
		dcmfix.Str(dcmfix.T(0x0008, 0x0100), "SH", "P1"),
		dcmfix.Str(dcmfix.T(0x0040, 0xA121), "DA", "20240102"),
		dcmfix.Str(dcmfix.T(0x0040, 0xA123), "PN", idName),
	}}))
	out, _ := run(t, dcmfix.Instance(spec), anonParams())
	o := parseOut(t, out)
	it := find(o.ds, 0x00400260).items[0].elems
	if v, _ := str(it, 0x0040A121); v != "20221128" {
		t.Errorf("date in sequence %q, want 20221128", v)
	}
	if v, _ := str(it, 0x0040A123); v != "ANONYMIZED" {
		t.Errorf("Person Name in sequence %q", v)
	}
}

func TestUIDConsistency(t *testing.T) {
	a := dcmfix.Instance(richSpec(1, ""))
	b := dcmfix.Instance(richSpec(2, ""))
	outA1, _ := run(t, a, pseudoParams())
	outA2, _ := run(t, a, pseudoParams())
	if !bytes.Equal(outA1, outA2) {
		t.Error("two runs with the same secret differ")
	}
	outB, _ := run(t, b, pseudoParams())
	oa, ob := parseOut(t, outA1), parseOut(t, outB)
	for _, tg := range []dicomwire.Tag{0x0020000D, 0x0020000E, 0x00200052} {
		va, _ := str(oa.ds, tg)
		vb, _ := str(ob.ds, tg)
		if va != vb || !strings.HasPrefix(va, "2.25.") {
			t.Errorf("%s differs across files: %q %q", tagText(tg), va, vb)
		}
	}
	sa, _ := str(oa.ds, dicomwire.SOPInstanceUID)
	sb, _ := str(ob.ds, dicomwire.SOPInstanceUID)
	if sa == sb {
		t.Error("different instances share a SOP Instance UID")
	}
	p2 := pseudoParams()
	p2.Secret = otherSecret
	outC, _ := run(t, a, p2)
	oc := parseOut(t, outC)
	sc, _ := str(oc.ds, 0x0020000D)
	st, _ := str(oa.ds, 0x0020000D)
	if sc == st {
		t.Error("a different secret gives the same Study Instance UID")
	}
}

func TestReferencesResolve(t *testing.T) {
	a := dcmfix.Instance(richSpec(1, ""))
	srcA := "1.2.826.0.1.3680043.10.1999.2.77.1.1"
	b := dcmfix.Instance(richSpec(2, srcA))
	outA, _ := run(t, a, pseudoParams())
	outB, _ := run(t, b, pseudoParams())
	sopA, _ := str(parseOut(t, outA).ds, dicomwire.SOPInstanceUID)
	ref := find(parseOut(t, outB).ds, 0x00081140)
	got, _ := str(ref.items[0].elems, 0x00081155)
	if got != sopA {
		t.Errorf("reference %q does not resolve to %q", got, sopA)
	}
}

func TestLatin1ToUTF8(t *testing.T) {
	spec := richSpec(1, "")
	spec.CharacterSet = []string{"ISO_IR 100"}
	spec.PatientName = "Buc^J\xe9r\xf4me"
	spec.Extra = append(spec.Extra, dcmfix.Str(dcmfix.T(0x0008, 0x1090), "LO", "Mod\xe8le \xe9l\xe9gant"))
	in := dcmfix.Instance(spec)
	for _, p := range []privacy.Params{pseudoParams(), anonParams()} {
		out, _ := run(t, in, p)
		o := parseOut(t, out)
		if v, _ := str(o.ds, 0x00081090); v != "Modèle élégant" {
			t.Errorf("%s: model name %q, want UTF-8", p.Level, v)
		}
		if v, _ := str(o.ds, dicomwire.SpecificCharacterSet); v != "ISO_IR 192" {
			t.Errorf("charset %q", v)
		}
		if bytes.Contains(out, []byte("J\xe9r\xf4me")) || bytes.Contains(out, []byte("Jérôme")) || bytes.Contains(out, []byte("Buc^")) {
			t.Error("the name survived")
		}
	}
	// Clean Descriptors finds the name in its decoded spelling.
	spec.StudyDescription = "Scanner Buc^J\xe9r\xf4me"
	out, _ := run(t, dcmfix.Instance(spec), pseudoParams())
	if v, _ := str(parseOut(t, out).ds, 0x00081030); v != "Scanner ***" {
		t.Errorf("StudyDescription %q", v)
	}
}

func TestUnsupportedCharset(t *testing.T) {
	spec := richSpec(1, "")
	spec.CharacterSet = []string{"ISO_IR 999"}
	in := dcmfix.Instance(spec)
	_, err := Deidentify(context.Background(), &bytes.Buffer{}, bytes.NewReader(in), int64(len(in)), pseudoParams())
	if !errors.Is(err, ErrUnsupported) {
		t.Fatalf("err = %v, want ErrUnsupported", err)
	}
}

func TestCharsets(t *testing.T) {
	for _, c := range []struct {
		cs   []string
		in   string
		want string
	}{
		{nil, "plain", "plain"},
		{[]string{"ISO_IR 192"}, "Jérôme", "Jérôme"},
		{[]string{"ISO_IR 144"}, "\xbb\xee\xda\xe1\xd5\xdd\xdd\xde", "Люкссенно"[:0] + "Люкcенно"[:0] + "Люксенно"},
		{[]string{"ISO_IR 126"}, "\xc4\xe9\xef\xed\xf5\xf3\xe9\xef\xf2", "Διονυσιος"},
		{[]string{"ISO 2022 IR 6", "ISO 2022 IR 87"}, "\x1b$B;3ED\x1b(B^\x1b$BB@O:\x1b(B", "山田^太郎"},
		{[]string{"ISO 2022 IR 6", "ISO 2022 IR 149"}, "\x1b$)C\xc8\xab^\xb1\xe6\xb5\xbf", "홍^길동"},
		{[]string{"ISO_IR 13"}, "\xd4\xcf\xc0\xde", "ﾔﾏﾀﾞ"},
		{[]string{"GB18030"}, "\xce\xc4\xbc\xfe", "文件"},
	} {
		cs, err := newCharset(c.cs)
		if err != nil {
			t.Errorf("%v: %v", c.cs, err)
			continue
		}
		got, err := cs.decode([]byte(c.in))
		if err != nil || string(got) != c.want {
			t.Errorf("%v: %q, %v; want %q", c.cs, got, err, c.want)
		}
	}
}

func TestPixelDataByteIdentical(t *testing.T) {
	specs := map[string]dcmfix.Spec{
		"native":       richSpec(1, ""),
		"encapsulated": {PatientName: idName, Compressed: true, NumberOfFrames: 3, Private: true},
		"eot":          {PatientName: idName, Compressed: true, NumberOfFrames: 2, ExtendedOffsetTable: true},
		"implicit":     {PatientName: idName, Syntax: dcmfix.ImplicitLE, Private: true, Sequence: true},
		"bigendian":    {PatientName: idName, Syntax: dcmfix.ExplicitBE, Private: true, Sequence: true},
		"wsi":          wsiSpec("VOLUME"),
	}
	for name, s := range specs {
		t.Run(name, func(t *testing.T) {
			in := dcmfix.Instance(s)
			for _, p := range []privacy.Params{pseudoParams(), anonParams()} {
				out, rep := run(t, in, p)
				pin, pout := pixelBytes(t, in), pixelBytes(t, out)
				if !bytes.Equal(pin, pout) {
					t.Fatalf("%s: pixel data element differs", p.Level)
				}
				if rep.PixelDataBytes != int64(len(pin)) {
					t.Errorf("PixelDataBytes = %d", rep.PixelDataBytes)
				}
				h, err := dicomx.ReadHeader(context.Background(), bytes.NewReader(out), int64(len(out)))
				if err != nil {
					t.Fatal(err)
				}
				if h.PixelData.Encapsulated != s.Compressed {
					t.Error("encapsulation changed")
				}
				if s.Compressed && h.PixelData.Fragments != max(s.NumberOfFrames, 1)+1 {
					t.Errorf("fragments %d", h.PixelData.Fragments)
				}
				if l := leaks(out); len(l) > 0 {
					t.Errorf("identity leaked: %q", l)
				}
			}
			if name == "eot" {
				// The Extended Offset Table (OV) is kept as it was.
				out, _ := run(t, in, pseudoParams())
				o := parseOut(t, out)
				if e := find(o.ds, 0x7FE00001); e == nil || e.vr != "OV" || len(e.val) != 16 {
					t.Error("extended offset table lost")
				}
			}
		})
	}
}

func wsiSpec(kind string) dcmfix.Spec {
	T := dcmfix.T
	it := func(els ...dcmfix.Element) dcmfix.Item { return dcmfix.Item{Elements: els} }
	return dcmfix.Spec{
		PatientName: idName, PatientID: idID, BirthDate: idBirth, Modality: "SM", Accession: idAccession,
		ImageType: []string{"ORIGINAL", "PRIMARY", kind, "NONE"}, Private: true,
		Extra: []dcmfix.Element{
			dcmfix.Str(T(0x0040, 0x0512), "LO", idContainer),
			dcmfix.Seq(T(0x0040, 0x0513), false),
			dcmfix.Seq(T(0x0040, 0x0560), false, it(
				dcmfix.Str(T(0x0040, 0x0551), "LO", idSpecimen),
				dcmfix.Str(T(0x0040, 0x0554), "UI", "1.2.826.0.1.3680043.10.1999.5.1"),
				dcmfix.Seq(T(0x0040, 0x0562), false, it(dcmfix.Str(T(0x0040, 0x0031), "UT", "Saint Elsewhere Hospital"))),
				dcmfix.Str(T(0x0040, 0x0600), "LO", "Biopsy of Jane Doe"),
			)),
			dcmfix.Str(T(0x2200, 0x0002), "UT", idLabelText),
			dcmfix.Str(T(0x2200, 0x0005), "LO", idBarcode),
		},
	}
}

func TestWSI(t *testing.T) {
	for _, kind := range []string{"LABEL", "OVERVIEW", "VOLUME", "THUMBNAIL"} {
		in := dcmfix.Instance(wsiSpec(kind))
		h, err := dicomx.ReadHeader(context.Background(), bytes.NewReader(in), int64(len(in)))
		if err != nil {
			t.Fatal(err)
		}
		drop, why := ShouldDrop(h)
		if want := kind == "LABEL" || kind == "OVERVIEW"; drop != want || (drop && why == "") {
			t.Errorf("%s: ShouldDrop = %v %q", kind, drop, why)
		}
		out, rep := run(t, in, pseudoParams())
		if l := leaks(out); len(l) > 0 {
			t.Errorf("%s: identity leaked: %q", kind, l)
		}
		if !rep.BurnedInRisk && drop {
			t.Errorf("%s: burned-in risk not reported", kind)
		}
		o := parseOut(t, out)
		if v, _ := str(o.ds, 0x00400512); v != "ANONYMIZED" {
			t.Errorf("ContainerIdentifier %q", v)
		}
		sp := find(o.ds, 0x00400560).items[0].elems
		if v, _ := str(sp, 0x00400551); v != "ANONYMIZED" {
			t.Errorf("SpecimenIdentifier %q", v)
		}
		if v, _ := str(sp, 0x00400554); !strings.HasPrefix(v, "2.25.") {
			t.Errorf("SpecimenUID %q", v)
		}
		if s := find(sp, 0x00400562); s == nil || len(s.items) != 0 {
			t.Error("Issuer of the Specimen Identifier Sequence not emptied")
		}
		for _, tg := range []dicomwire.Tag{0x22000002, 0x22000005} {
			if v, ok := str(o.ds, tg); !ok || v != "" {
				t.Errorf("%s = %q", tagText(tg), v)
			}
		}
	}
	if drop, _ := ShouldDrop(&dicomx.Header{SOPClassUID: dcmfix.SOPClassCT, ImageType: []string{"ORIGINAL", "PRIMARY", "LABEL"}}); drop {
		t.Error("non-WSI dropped")
	}
}

func TestStructuredReportText(t *testing.T) {
	s := dcmfix.Spec{PatientName: idName, Modality: "SR"}
	s.Extra = []dcmfix.Element{dcmfix.Str(dcmfix.T(0x0040, 0xA075), "PN", idPhysician)}
	in := dcmfix.Instance(s)
	out, _ := run(t, in, pseudoParams())
	o := parseOut(t, out)
	cs := find(o.ds, dicomwire.ContentSequence)
	if cs == nil || len(cs.items) != 1 {
		t.Fatal("content sequence lost")
	}
	if v, _ := str(cs.items[0].elems, dicomwire.TextValue); v != "ANONYMIZED" {
		t.Errorf("TextValue %q", v)
	}
	if v, _ := str(o.ds, 0x0040A075); v != "ANONYMIZED" {
		t.Errorf("VerifyingObserverName %q", v)
	}
}

func TestBadInput(t *testing.T) {
	in := dcmfix.Instance(richSpec(1, ""))
	ctx := context.Background()
	for _, n := range []int{0, 10, 131, 140, 200, 400, 800, len(in) / 2, len(in) - 1} {
		cut := dcmfix.Truncate(in, n)
		var out bytes.Buffer
		_, err := Deidentify(ctx, &out, bytes.NewReader(cut), int64(len(cut)), pseudoParams())
		if err == nil {
			t.Errorf("truncated at %d: no error", n)
			continue
		}
		if !errors.Is(err, ErrDamaged) {
			t.Errorf("truncated at %d: %v, want ErrDamaged", n, err)
		}
		if out.Len() != 0 {
			t.Errorf("truncated at %d: %d bytes written before the error", n, out.Len())
		}
		if l := leaks([]byte(err.Error())); len(l) > 0 {
			t.Errorf("error text leaks %q", l)
		}
	}
	for _, tg := range []dcmfix.Tag{dcmfix.T(0x0040, 0x0275), dcmfix.T(0x0010, 0x1002), dcmfix.TagPixelData} {
		bad, err := dcmfix.PatchLength(in, tg, dcmfix.HugeLength)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Deidentify(ctx, &bytes.Buffer{}, bytes.NewReader(bad), int64(len(bad)), pseudoParams()); !errors.Is(err, ErrDamaged) {
			t.Errorf("huge length in %v: %v", tg, err)
		}
	}
	// Deflated input is refused clearly.
	defl, _ := dcmfix.ReplaceTransferSyntax(in, dcmfix.UIDDeflatedLE)
	if _, err := Deidentify(ctx, &bytes.Buffer{}, bytes.NewReader(defl), int64(len(defl)), pseudoParams()); err == nil {
		t.Error("deflated: no error")
	}
	// Not DICOM.
	junk := []byte(strings.Repeat("not dicom at all ", 20))
	if _, err := Deidentify(ctx, &bytes.Buffer{}, bytes.NewReader(junk), int64(len(junk)), pseudoParams()); !errors.Is(err, ErrDamaged) {
		t.Errorf("junk: %v", err)
	}
	// Missing secret or pseudonym.
	if _, err := Deidentify(ctx, &bytes.Buffer{}, bytes.NewReader(in), int64(len(in)), privacy.Params{Level: privacy.Pseudonymised, Pseudonym: "X"}); err == nil {
		t.Error("no secret: no error")
	}
	if _, err := Deidentify(ctx, &bytes.Buffer{}, bytes.NewReader(in), int64(len(in)), privacy.Params{Level: privacy.Pseudonymised, Secret: testSecret}); err == nil {
		t.Error("no pseudonym: no error")
	}
}

func TestCancel(t *testing.T) {
	in := dcmfix.Instance(richSpec(1, ""))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, p := range []privacy.Params{{Level: privacy.Identified}, pseudoParams(), anonParams()} {
		var out bytes.Buffer
		_, err := Deidentify(ctx, &out, bytes.NewReader(in), int64(len(in)), p)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s: %v, want context.Canceled", p.Level, err)
		}
		if out.Len() != 0 {
			t.Errorf("%s: wrote %d bytes after cancel", p.Level, out.Len())
		}
	}
	// Cancelled while copying a large pixel value.
	big := dcmfix.Instance(dcmfix.Spec{PatientName: idName, Rows: 1024, Cols: 1024, NumberOfFrames: 4})
	ctx2, cancel2 := context.WithCancel(context.Background())
	w := &cancelWriter{cancel: cancel2}
	if _, err := Deidentify(ctx2, w, bytes.NewReader(big), int64(len(big)), pseudoParams()); !errors.Is(err, context.Canceled) {
		t.Errorf("mid-copy cancel: %v", err)
	}
}

// cancelWriter cancels its context on the first write.
type cancelWriter struct {
	cancel func()
	n      int
}

func (w *cancelWriter) Write(p []byte) (int, error) {
	w.cancel()
	w.n += len(p)
	return len(p), nil
}

func TestTrailingElementsDropped(t *testing.T) {
	s := dcmfix.Spec{PatientName: idName}
	in := dcmfix.Instance(s)
	trail := dcmfix.Encode([]dcmfix.Element{dcmfix.Bytes(dcmfix.T(0xFFFC, 0xFFFC), "OB", []byte("DOE^JANE PADDING"))}, dcmfix.ExplicitLE)
	in = append(in, trail...)
	out, rep := run(t, in, anonParams())
	if rep.TrailingBytesRemoved != int64(len(trail)) {
		t.Errorf("TrailingBytesRemoved = %d", rep.TrailingBytesRemoved)
	}
	if l := leaks(out); len(l) > 0 {
		t.Errorf("leak %q", l)
	}
}

func TestTableParses(t *testing.T) {
	rs := Rules()
	if len(rs) < 450 {
		t.Fatalf("only %d rows", len(rs))
	}
	if r := lookupRule(0x00100010); r == nil || r.Basic != "Z" {
		t.Error("Patient's Name row")
	}
	if r := lookupRule(0x60023000); r == nil || r.Basic != "X" {
		t.Error("overlay data row")
	}
	if r := lookupRule(0x00291010); r == nil || !r.Odd {
		t.Error("private row")
	}
	if got := lookupRule(0x00080080).Resolve([]Option{OptRetainFullDates}); got != "D" {
		t.Errorf("X/Z/D resolves to %q", got)
	}
	if got := lookupRule(0x00081110).Resolve(nil); got != "Z" {
		t.Errorf("X/Z resolves to %q", got)
	}
	if got := lookupRule(0x00102110).Resolve([]Option{OptRetainPatientChars}); got != "C" {
		t.Errorf("Allergies with patient characteristics %q", got)
	}
}

// TestFileToFile checks the in-kernel pixel copy between files gives the
// same bytes as the in-memory path.
func TestFileToFile(t *testing.T) {
	dir := t.TempDir()
	for i, s := range []dcmfix.Spec{richSpec(1, ""), {PatientName: idName, Compressed: true, NumberOfFrames: 3}} {
		s.Rows, s.Cols = 256, 256
		in := dcmfix.Instance(s)
		want, _ := run(t, in, pseudoParams())
		src := filepath.Join(dir, fmt.Sprintf("in%d", i))
		dst := filepath.Join(dir, fmt.Sprintf("out%d", i))
		if err := os.WriteFile(src, in, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := deidentifyFile(context.Background(), src, dst, pseudoParams()); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(dst)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("case %d: file output differs from memory output", i)
		}
	}
}

func TestNoPreambleNoMeta(t *testing.T) {
	for _, s := range []dcmfix.Spec{
		{PatientName: idName, NoPreamble: true, Private: true},
		{PatientName: idName, NoMeta: true, Private: true},
		{PatientName: idName, NoMeta: true, Syntax: dcmfix.ImplicitLE, Private: true},
	} {
		in := dcmfix.Instance(s)
		out, _ := run(t, in, anonParams())
		o := parseOut(t, out)
		if !o.layout.Header.Preamble {
			t.Error("output has no preamble")
		}
		ms, _ := str(o.meta, 0x00020003)
		ds, _ := str(o.ds, dicomwire.SOPInstanceUID)
		if ms != ds || ms == "" {
			t.Errorf("meta %q dataset %q", ms, ds)
		}
		if !bytes.Equal(pixelBytes(t, in), pixelBytes(t, out)) {
			t.Error("pixel data differs")
		}
		if l := leaks(out); len(l) > 0 {
			t.Errorf("leak %q", l)
		}
	}
}

// TestLeakScan de-identifies every golden and study fixture at both levels
// and scans the written bytes for the fixture's identity.
func TestLeakScan(t *testing.T) {
	ins := [][]byte{}
	for _, g := range goldenCases() {
		ins = append(ins, g.in)
	}
	for i := 1; i <= 3; i++ {
		ins = append(ins, dcmfix.Instance(richSpec(i, studyUID+".1.1")))
	}
	for _, in := range ins {
		if len(leaks(in)) == 0 {
			t.Fatal("fixture without identity: the scan would prove nothing")
		}
		for _, p := range []privacy.Params{pseudoParams(), anonParams()} {
			out, _ := run(t, in, p)
			if l := leaks(out); len(l) > 0 {
				t.Errorf("%s: identity leaked: %q", p.Level, l)
			}
		}
	}
}

// TestCaseIdentityIsCleanedFromKeptText: identity found in the case's other
// records (a converted slide's original file name) is removed from the text
// Clean Descriptors keeps, here Image Comments.
func TestCaseIdentityIsCleanedFromKeptText(t *testing.T) {
	in := dcmfix.Instance(dcmfix.Spec{Modality: "SM", SOPClassUID: dcmfix.SOPClassWSI,
		Extra: []dcmfix.Element{dcmfix.Str(dcmfix.T(0x0020, 0x4000), "LT", "Aperio|Filename = S26-12345 DOE^JANE|AppMag = 20")}})
	p := pseudoParams()
	out, _ := run(t, in, p)
	if !bytes.Contains(out, []byte("S26-12345")) {
		t.Fatal("without the case identity the file name stays (nothing to compare with)")
	}
	p.Identity = []string{"S26-12345 DOE^JANE", "S26-12345"}
	out, _ = run(t, in, p)
	if bytes.Contains(out, []byte("S26-12345")) {
		t.Error("the case identity was left in Image Comments")
	}
	if !bytes.Contains(out, []byte("AppMag = 20")) {
		t.Error("the harmless rest of the comment was removed")
	}
}

// TestSRDateOfBirth: an SR DATE or DATETIME content item whose date is the
// patient's birth date is the birth date (issue 11), however deep in the
// content tree and whether the birth date comes from this file or from the
// case's identity. Other dates are kept (pseudonymised) or shifted
// (anonymised).
func TestSRDateOfBirth(t *testing.T) {
	W, Str := dcmfix.W, dcmfix.Str
	item := func(vt string, els ...dcmfix.Element) dcmfix.Item {
		return dcmfix.Item{Elements: append([]dcmfix.Element{
			Str(W(dicomwire.RelationshipType), "CS", "CONTAINS"),
			Str(W(dicomwire.ValueType), "CS", vt),
		}, els...)}
	}
	content := dcmfix.Seq(W(dicomwire.ContentSequence), true,
		item("DATE", Str(W(dicomwire.Date), "DA", idBirth)),
		item("DATE", Str(W(dicomwire.Date), "DA", "20240105")),
		item("DATETIME", Str(W(dicomwire.DateTime), "DT", idBirth+"0815")),
		item("CONTAINER", dcmfix.Seq(W(dicomwire.ContentSequence), false,
			item("DATE", Str(W(dicomwire.Date), "DA", idBirth)))),
	)
	withBirth := richSpec(1, "")
	withBirth.Extra = append(withBirth.Extra, content)
	caseOnly := richSpec(1, "") // the birth date known only from the case
	caseOnly.BirthDate = ""
	caseOnly.Extra = append(caseOnly.Extra, content)
	for _, c := range []struct {
		name     string
		spec     dcmfix.Spec
		identity []string
	}{
		{"in the file", withBirth, nil},
		{"from the case", caseOnly, []string{"1961-02-03"}},
	} {
		for _, p := range []privacy.Params{pseudoParams(), anonParams()} {
			p.Identity = c.identity
			out, _ := run(t, dcmfix.Instance(c.spec), p)
			if bytes.Contains(out, []byte(idBirth)) {
				t.Errorf("%s, %s: the birth date is in the output", c.name, p.Level)
			}
			o := parseOut(t, out)
			var dates []string
			var walk func([]*elem)
			walk = func(l []*elem) {
				for _, e := range l {
					if e.tag == dicomwire.Date || e.tag == dicomwire.DateTime {
						dates = append(dates, strings.TrimRight(string(e.val), " \x00"))
					}
					for _, it := range e.items {
						walk(it.elems)
					}
				}
			}
			walk(o.ds)
			other := "20240105"
			if p.Level == privacy.Anonymised {
				other, _ = p.ShiftDate(other)
			}
			want := []string{"19000101", other, "19000101000000", "19000101"}
			if strings.Join(dates, ",") != strings.Join(want, ",") {
				t.Errorf("%s, %s: content dates %q, want %q", c.name, p.Level, dates, want)
			}
		}
	}
}

// TestNameGroupsOnePerson: the alphabetic, ideographic and phonetic groups
// of a Patient's Name are one person (issue 11): the descriptors keep none
// of the spellings of any group, the ideographic one with or without a
// space included.
func TestNameGroupsOnePerson(t *testing.T) {
	const name = "Yamada^Tarou=山田^太郎=やまだ^たろう"
	spec := richSpec(1, "")
	spec.PatientName = name
	spec.CharacterSet = []string{"ISO_IR 192"}
	spec.StudyDescription = "CT for Tarou Yamada"
	spec.SeriesDescription = "山田太郎 胸部"
	for i, e := range spec.Extra {
		if e.Tag == dcmfix.T(0x0020, 0x4000) { // Image Comments
			spec.Extra[i] = dcmfix.Str(e.Tag, "LT", "Yamada, Tarou / 山田 太郎 / やまだ たろう")
		}
	}
	out, _ := run(t, dcmfix.Instance(spec), pseudoParams())
	o := parseOut(t, out)
	for _, tg := range []dicomwire.Tag{dicomwire.StudyDescription, dicomwire.SeriesDescription, 0x00204000} {
		v, ok := str(o.ds, tg)
		if !ok {
			t.Fatalf("%s removed; want it cleaned", tg)
		}
		for _, s := range []string{"Tarou", "Yamada", "山田", "太郎", "やまだ", "たろう"} {
			if strings.Contains(v, s) {
				t.Errorf("%s = %q: %q kept", tg, v, s)
			}
		}
	}
	if v, _ := str(o.ds, dicomwire.SeriesDescription); v != "*** 胸部" {
		t.Errorf("SeriesDescription %q, want %q", v, "*** 胸部")
	}
	for _, want := range [][]string{
		{"Yamada^Tarou", "Yamada", "Tarou", "Tarou Yamada", "Yamada Tarou", "Yamada, Tarou"},
		{"山田^太郎", "山田", "太郎", "太郎 山田", "山田 太郎", "山田, 太郎", "山田太郎"},
	} {
		got := nameSpellings(name)
		for _, w := range want {
			if !slices.Contains(got, w) {
				t.Errorf("spellings %q lack %q", got, w)
			}
		}
	}
	for _, s := range nameSpellings(name) {
		if strings.Contains(s, "=") || (strings.Contains(s, "Tarou") && strings.Contains(s, "山田")) {
			t.Errorf("spelling %q mixes two groups", s)
		}
	}
}
