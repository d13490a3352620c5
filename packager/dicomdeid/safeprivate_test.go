package dicomdeid

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"dossier/internal/fixture/dcmfix"
	"dossier/internal/testtool"
	"dossier/packager/dicomwire"
)

// petSpec is a Philips PET image in counts, with the private SUV factors
// (in two blocks), a private attribute that is not on the list, and a
// listed element number under another creator.
func petSpec(syntax dcmfix.Syntax) dcmfix.Spec {
	return dcmfix.Spec{PatientName: idName, Modality: "PT", Syntax: syntax, Private: true, Extra: []dcmfix.Element{
		dcmfix.Str(dcmfix.T(0x0054, 0x1001), "CS", "CNTS"),
		dcmfix.Str(dcmfix.T(0x7053, 0x0010), "LO", "Philips PET Private Group"),
		dcmfix.Str(dcmfix.T(0x7053, 0x0011), "LO", "Philips PET Private Group"),
		dcmfix.Str(dcmfix.T(0x7053, 0x1000), "DS", "0.000276"),
		dcmfix.Str(dcmfix.T(0x7053, 0x1001), "LO", "scanned by Dr Who for DOE^JANE"),
		dcmfix.Str(dcmfix.T(0x7053, 0x1009), "DS", "1.6"),
		dcmfix.Str(dcmfix.T(0x7053, 0x1109), "DS", "2.5"),
		dcmfix.Str(dcmfix.T(0x2001, 0x0010), "LO", "Some Other Maker"),
		dcmfix.Str(dcmfix.T(0x2001, 0x1003), "DS", "800"),
	}}
}

// privates lists the private elements of a dataset, as "gggg,eeee=value".
func privates(list []*elem) []string {
	var out []string
	walk(list, func(e *elem, _ int) {
		if e.tag>>16&1 == 1 {
			out = append(out, tagText(e.tag)+"="+strings.TrimRight(string(e.val), " \x00"))
		}
	})
	return out
}

// Pseudonymised images keep the private attributes of the safe list (and
// their creators), in whatever block they are, and say so; nothing else
// private stays, and anonymised images keep none.
func TestRetainSafePrivate(t *testing.T) {
	for name, syntax := range map[string]dcmfix.Syntax{"explicit": dcmfix.ExplicitLE, "implicit": dcmfix.ImplicitLE, "bigendian": dcmfix.ExplicitBE} {
		t.Run(name, func(t *testing.T) {
			in := dcmfix.Instance(petSpec(syntax))
			out, rep := run(t, in, pseudoParams())
			o := parseOut(t, out)
			got := strings.Join(privates(o.ds), " ")
			want := "(7053,0010)=Philips PET Private Group (7053,0011)=Philips PET Private Group (7053,1000)=0.000276 (7053,1009)=1.6 (7053,1109)=2.5"
			if got != want {
				t.Errorf("private elements kept:\n%s\nwant\n%s", got, want)
			}
			if rep.PrivateKept != 3 || rep.PrivateRemoved != 5 {
				t.Errorf("kept %d, removed %d", rep.PrivateKept, rep.PrivateRemoved)
			}
			var codes []string
			for _, it := range find(o.ds, dicomwire.DeidentificationMethodCodeSequence).items {
				v, _ := str(it.elems, dicomwire.CodeValue)
				codes = append(codes, v)
			}
			if c := strings.Join(codes, " "); c != "113100 113106 113108 113105 113111" {
				t.Errorf("method codes %q", c)
			}
			if m, _ := str(o.ds, dicomwire.DeidentificationMethod); !strings.HasSuffix(m, `\RETAIN SAFE PRIVATE`) {
				t.Errorf("method %q", m)
			}
			if l := leaks(out); len(l) > 0 {
				t.Errorf("identity left: %q", l)
			}

			out, rep = run(t, in, anonParams())
			o = parseOut(t, out)
			if p := privates(o.ds); len(p) > 0 || rep.PrivateKept != 0 {
				t.Errorf("anonymised keeps %q", p)
			}
			for _, it := range find(o.ds, dicomwire.DeidentificationMethodCodeSequence).items {
				if v, _ := str(it.elems, dicomwire.CodeValue); v == CodeRetainSafePrivate.Value {
					t.Error("anonymised claims Retain Safe Private")
				}
			}
		})
	}
	// Without a listed attribute, the option is not claimed.
	out, rep := run(t, dcmfix.Instance(dcmfix.Spec{PatientName: idName, Private: true}), pseudoParams())
	if rep.PrivateKept != 0 || strings.Contains(string(out), "RETAIN SAFE PRIVATE") {
		t.Errorf("claims Retain Safe Private with nothing kept: kept %d", rep.PrivateKept)
	}
}

// dcmdump, which knows Philips' private dictionary, reads the kept SUV
// factor back under its name.
func TestRetainSafePrivateDcmdump(t *testing.T) {
	dcmdump := testtool.Look(t, "dcmdump", "dcmtk")
	out, _ := run(t, dcmfix.Instance(petSpec(dcmfix.ExplicitLE)), pseudoParams())
	path := filepath.Join(t.TempDir(), "pet.dcm")
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
	b, err := exec.Command(dcmdump, "-q", "+E", path).CombinedOutput()
	if err != nil {
		t.Fatalf("dcmdump: %v\n%s", err, b)
	}
	dump := string(b)
	for _, want := range []string{"(7053,0010) LO [Philips PET Private Group]", "(7053,1000) DS [0.000276]", "(7053,1009) DS [1.6]"} {
		if !strings.Contains(dump, want) {
			t.Errorf("dcmdump lacks %q:\n%s", want, dump)
		}
	}
	for _, gone := range []string{"(7053,1001)", "(2001,", "(0009,", "Dr Who"} {
		if strings.Contains(dump, gone) {
			t.Errorf("dcmdump shows %q", gone)
		}
	}
}

// A listed private attribute stays only when its value is what the
// maker's dictionary says: a number where a number belongs, four bytes for
// a float, a code for a code.
func TestSafePrivateValuesChecked(t *testing.T) {
	fl := []byte{0x00, 0x00, 0x80, 0x3F} // 1.0
	spec := dcmfix.Spec{PatientName: idName, Modality: "MR", Extra: []dcmfix.Element{
		dcmfix.Str(dcmfix.T(0x2001, 0x0010), "LO", "Philips Imaging DD 001"),
		dcmfix.Bytes(dcmfix.T(0x2001, 0x1003), "FL", fl),
		dcmfix.Str(dcmfix.T(0x2001, 0x1004), "CS", "I"),
		dcmfix.Str(dcmfix.T(0x2005, 0x0010), "LO", "Philips MR Imaging DD 001"),
		dcmfix.Bytes(dcmfix.T(0x2005, 0x100D), "FL", append(fl, fl...)), // two floats: not the one number listed
		dcmfix.Str(dcmfix.T(0x2005, 0x100E), "DS", "1.0"),               // the wrong VR
		dcmfix.Str(dcmfix.T(0x7053, 0x0010), "LO", "Philips PET Private Group"),
		dcmfix.Str(dcmfix.T(0x7053, 0x1000), "DS", "DOE JANE"), // not a number
		dcmfix.Str(dcmfix.T(0x7053, 0x1009), "UN", "2.5"),      // UN, but reads as a number
	}}
	out, rep := run(t, dcmfix.Instance(spec), pseudoParams())
	got := strings.Join(privates(parseOut(t, out).ds), " ")
	want := "(2001,0010)=Philips Imaging DD 001 (2001,1003)=" + string(fl) + " (2001,1004)=I (7053,0010)=Philips PET Private Group (7053,1009)=2.5"
	if got != want || rep.PrivateKept != 3 {
		t.Errorf("kept %d:\n%q\nwant\n%q", rep.PrivateKept, got, want)
	}
}
