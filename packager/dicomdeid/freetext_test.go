package dicomdeid

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"dossier/internal/fixture/dcmfix"
	"dossier/internal/testtool"
	"dossier/packager/identity"
	"dossier/packager/leakscan"
	"dossier/packager/privacy"
)

// freeTextSpec is a patient whose name has letters outside ASCII, written
// in free text the profile keeps as it is commonly typed: folded to ASCII,
// as initials, in a waveform annotation, in SR TEXT and PNAME content items,
// and a comment with a national phone number.
func freeTextSpec() dcmfix.Spec {
	T := dcmfix.T
	item := func(el ...dcmfix.Element) dcmfix.Item { return dcmfix.Item{Elements: el} }
	return dcmfix.Spec{
		PatientName: "Ødegård^Kåre", PatientID: "NO-4471", Modality: "ECG",
		StudyDescription: "ECG Kare Odegard", SeriesDescription: "rest",
		Extra: []dcmfix.Element{
			dcmfix.Str(T(0x0010, 0x4000), "LT", "Call 912 34 567 before the visit"),
			// Waveform Annotation Sequence: Unformatted Text Value.
			dcmfix.Seq(T(0x0040, 0xB020), false, item(
				dcmfix.Str(T(0x0070, 0x0006), "ST", "K. Odegard moved during lead II"),
			)),
			// SR content: a TEXT item and a PNAME item.
			dcmfix.Seq(T(0x0040, 0xA730), true,
				item(
					dcmfix.Str(T(0x0040, 0xA040), "CS", "TEXT"),
					dcmfix.Str(T(0x0040, 0xA160), "UT", "Kåre Ødegård reported chest pain"),
				),
				item(
					dcmfix.Str(T(0x0040, 0xA040), "CS", "PNAME"),
					dcmfix.Str(T(0x0040, 0xA123), "PN", "Odegard^Kare"),
				),
			),
		},
	}
}

func freeTextIdentity() *identity.Set {
	s := identity.NewSet()
	s.Add(identity.Name, "Kåre Ødegård", "intake")
	s.Add(identity.Phone, "+47 912 34 567", "intake")
	return s
}

// TestFreeTextScrubbed: at both private levels no spelling of the case's
// identity is left in any text value at any depth, and dcmdump reads the
// file.
func TestFreeTextScrubbed(t *testing.T) {
	dcmdump := testtool.Look(t, "dcmdump", "dcmtk")
	in := dcmfix.Instance(freeTextSpec())
	set := freeTextIdentity()
	var spellings []string
	for _, n := range set.Needles() {
		spellings = append(spellings, n.Text)
	}
	scanner := leakscan.New(set.Needles())
	for _, level := range []struct {
		name string
		p    privacy.Params
	}{{"pseudonymised", pseudoParams()}, {"anonymised", anonParams()}} {
		t.Run(level.name, func(t *testing.T) {
			p := level.p
			p.Identity = spellings
			out, rep := run(t, in, p)
			if rep.IdentityScrubbed == 0 {
				t.Fatalf("report counts no scrubbed value")
			}
			hits, err := scanner.Explain(context.Background(), "out.dcm", bytes.NewReader(out), int64(len(out)), "dicom")
			if err != nil {
				t.Fatalf("leak scan: %v", err)
			}
			for _, h := range hits {
				t.Errorf("leak in %s (%s)", h.Place, h.Kind)
			}
			path := filepath.Join(t.TempDir(), "out.dcm")
			if err := os.WriteFile(path, out, 0o600); err != nil {
				t.Fatal(err)
			}
			dump, err := exec.Command(dcmdump, "-q", path).CombinedOutput()
			if err != nil {
				t.Fatalf("dcmdump: %v\n%s", err, dump)
			}
			if !bytes.Contains(dump, []byte("(0070,0006)")) || !bytes.Contains(dump, []byte("(0040,a123)")) {
				t.Errorf("annotation or PNAME item missing:\n%s", dump)
			}
			// Content items (PNAME, TEXT) are dummied by the profile (D).
			if !bytes.Contains(dump, []byte("(0040,a123) PN [ANONYMIZED]")) {
				t.Errorf("PNAME item not dummied:\n%s", dump)
			}
		})
	}
}

// TestScrubTextPersonName: a person name outside the profile's table that
// names the patient becomes the pseudonym, or is emptied when anonymising;
// a short text VR stays within its length limit.
func TestScrubTextPersonName(t *testing.T) {
	for _, anon := range []bool{false, true} {
		d := &deid{p: pseudoParams(), rep: &Report{}, anon: anon}
		d.p.Identity = identity.NameSpellings("Kåre Ødegård")
		d.collectTokens(nil, nil)
		pn := &elem{vr: "PN", val: []byte("Odegard^Kare")}
		d.scrubText(pn)
		want := d.p.Pseudonym
		if anon {
			want = ""
		}
		if string(pn.val) != want {
			t.Errorf("anon=%v: PN = %q, want %q", anon, pn.val, want)
		}
		sh := &elem{vr: "SH", val: []byte("Kare Odegard ECG")}
		d.scrubText(sh)
		if string(sh.val) != "*** ECG" {
			t.Errorf("SH = %q", sh.val)
		}
	}
	if got := fitVR("SH", "0123456789abcdefXYZ\\short"); got != "0123456789abcdef\\short" {
		t.Errorf("fitVR = %q", got)
	}
}
