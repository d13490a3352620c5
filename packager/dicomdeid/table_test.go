package dicomdeid

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"dossier/internal/fixture/dcmfix"
	"dossier/packager/dicomwire"
	"dossier/packager/privacy"
)

// expectedAction resolves a row for a level independently of Rule.Resolve:
// the option columns of the level, in the order the standard lists them,
// override the Basic column; combined codes take their most conservative
// conformant member.
func expectedAction(r Rule, level privacy.Level) string {
	cols := []Option{OptRetainPatientChars, OptRetainFullDates, OptCleanDescriptors}
	if level == privacy.Anonymised {
		cols = []Option{OptRetainPatientChars, OptRetainModifDates}
	}
	a := r.Basic
	var opt []string
	for _, c := range cols {
		if v := r.Options[c]; v != "" {
			opt = append(opt, v)
		}
	}
	switch {
	case len(opt) == 0:
	case strings.Contains(strings.Join(opt, ""), "C"):
		a = "C"
	default:
		a = opt[0]
	}
	if strings.Contains(a, "D") {
		return "D"
	}
	if a == "X/Z" {
		return "Z"
	}
	if a == "X/Z/U*" {
		return "U*"
	}
	return a
}

// sampleValue returns a test element for tag t with a value typical of vr.
func sampleElement(t uint32, vr string) dcmfix.Element {
	tg := dcmfix.T(uint16(t>>16), uint16(t))
	switch vr {
	case "SQ":
		return dcmfix.Seq(tg, false, dcmfix.Item{Elements: []dcmfix.Element{
			dcmfix.Str(dcmfix.T(0x0008, 0x0100), "SH", "CODE1"),
			dcmfix.Str(dcmfix.T(0x0008, 0x0104), "LO", "meaning for Doe^Jane"),
			dcmfix.Str(dcmfix.T(0x0008, 0x1155), "UI", "1.2.826.0.1.3680043.10.1999.88.1"),
		}})
	case "UI":
		return dcmfix.Str(tg, vr, "1.2.826.0.1.3680043.10.1999.77.1")
	case "DA":
		return dcmfix.Str(tg, vr, "20200315")
	case "TM":
		return dcmfix.Str(tg, vr, "101010")
	case "DT":
		return dcmfix.Str(tg, vr, "20200315101010")
	case "AS":
		return dcmfix.Str(tg, vr, "061Y")
	case "DS":
		return dcmfix.Str(tg, vr, "70.5")
	case "IS":
		return dcmfix.Str(tg, vr, "12")
	case "CS":
		return dcmfix.Str(tg, vr, "VALUEX")
	case "AE":
		return dcmfix.Str(tg, vr, "AETITLEX")
	case "PN":
		return dcmfix.Str(tg, vr, "DOE^JANE")
	case "US", "SS":
		return dcmfix.US(tg, 7)
	case "UL", "SL", "FL", "AT":
		return dcmfix.UL(tg, 7)
	case "FD", "SV", "UV":
		return dcmfix.Bytes(tg, vr, []byte{1, 2, 3, 4, 5, 6, 7, 8})
	case "OB", "OW", "OF", "OD", "OL", "OV", "UN":
		return dcmfix.Bytes(tg, vr, []byte{1, 2, 3, 4, 5, 6, 7, 8})
	default:
		return dcmfix.Str(tg, vr, "Doe^Jane value")
	}
}

// TestE11Table checks every row of Table E.1-1 on a file carrying that
// attribute, at both non-identified levels.
func TestE11Table(t *testing.T) {
	skip := map[uint32]string{
		0x00001000: "command group: not in files",
		0x00001001: "command group: not in files",
		0x00020003: "meta group: TestLevelsBasics",
		0xFFFAFFFA: "after Pixel Data: TestTrailingElementsDropped",
		0xFFFCFFFC: "after Pixel Data: TestTrailingElementsDropped",
		0x00100010: "replaced by the pseudonym: TestLevelsBasics",
		0x00100020: "replaced by the pseudonym: TestLevelsBasics",
		0x22000002: "stricter than the table (emptied): TestWSI",
		0x00080201: "removed at the anonymised level (the Basic Profile's X, not Modified Dates' C): TestNoTimezoneAtAnonymised",
	}
	n := 0
	for _, r := range Rules() {
		if r.Odd || r.Mask != 0xFFFFFFFF {
			continue // private, curve and overlay rows: TestRepeatingAndPrivateRows
		}
		if why, ok := skip[r.Tag]; ok {
			t.Logf("%s %s: %s", tagText(dicomwire.Tag(r.Tag)), r.Name, why)
			continue
		}
		vr := dicomwire.DictVR(dicomwire.Tag(r.Tag))
		if vr == "UN" {
			vr = "LO"
		}
		for _, p := range []privacy.Params{pseudoParams(), anonParams()} {
			n++
			want := expectedAction(r, p.Level)
			name := fmt.Sprintf("%s_%s_%s", tagText(dicomwire.Tag(r.Tag)), p.Level, want)
			el := sampleElement(r.Tag, vr)
			base := []dcmfix.Element{
				dcmfix.Str(dcmfix.T(0x0008, 0x0016), "UI", dcmfix.SOPClassCT),
				dcmfix.Str(dcmfix.T(0x0008, 0x0018), "UI", "1.2.826.0.1.3680043.10.1999.9.1"),
				dcmfix.Str(dcmfix.T(0x0010, 0x0010), "PN", idName),
				dcmfix.Str(dcmfix.T(0x0020, 0x000D), "UI", "1.2.826.0.1.3680043.10.1999.9"),
			}
			var elems []dcmfix.Element
			for _, b := range base {
				if b.Tag != el.Tag {
					elems = append(elems, b)
				}
			}
			elems = append(elems, el)
			in := dcmfix.File(elems, dcmfix.FileOptions{})
			var buf bytes.Buffer
			if _, err := Deidentify(context.Background(), &buf, bytes.NewReader(in), int64(len(in)), p); err != nil {
				t.Errorf("%s (%s): %v", name, r.Name, err)
				continue
			}
			out := buf.Bytes()
			o := parseOut(t, out)
			got := find(o.ds, dicomwire.Tag(r.Tag))
			orig := strings.TrimRight(string(dcmfix.Encode([]dcmfix.Element{el}, dcmfix.ExplicitLE)[8:]), " \x00")
			if vr == "SQ" || dicomwire.LongLength(vr) {
				orig = strings.TrimRight(string(dcmfix.Encode([]dcmfix.Element{el}, dcmfix.ExplicitLE)[12:]), " \x00")
			}
			val := ""
			if got != nil {
				val = strings.TrimRight(string(got.val), " \x00")
			}
			fail := func(format string, args ...any) {
				t.Errorf("%s (%s): "+format, append([]any{name, r.Name}, args...)...)
			}
			switch want {
			case "X":
				if got != nil {
					fail("not removed")
				}
			case "Z":
				if got == nil || len(got.val) != 0 || len(got.items) != 0 {
					fail("not emptied (present=%v)", got != nil)
				}
			case "D":
				if got == nil {
					fail("removed, want dummy")
					break
				}
				if vr == "SQ" {
					if len(got.items) != 1 {
						fail("sequence items %d", len(got.items))
					} else if v, _ := str(got.items[0].elems, 0x00081155); !strings.HasPrefix(v, "2.25.") {
						fail("UID in dummy sequence not remapped: %q", v)
					}
					break
				}
				if len(got.val) == 0 || val == orig {
					fail("no dummy: %q", val)
				}
			case "K":
				if got == nil {
					fail("removed, want kept")
					break
				}
				if vr == "SQ" {
					if len(got.items) != 1 {
						fail("sequence items %d", len(got.items))
					}
					break
				}
				if want := strings.ReplaceAll(orig, "Doe^Jane", "***"); val != want {
					fail("changed to %q, want %q", val, want)
				}
			case "C":
				if got == nil {
					fail("removed, want cleaned")
					break
				}
				switch {
				case vr == "SQ":
					if len(got.items) != 1 {
						fail("sequence items %d", len(got.items))
					} else if v, _ := str(got.items[0].elems, 0x00080104); v != "meaning for ***" {
						fail("text in cleaned sequence %q", v)
					}
				case vr == "DA" || vr == "DT":
					want := "20200315"
					if p.Level == privacy.Anonymised {
						want, _ = p.ShiftDate("20200315")
					}
					if !strings.HasPrefix(val, want) {
						fail("date %q, want %q...", val, want)
					}
				case dicomwire.UsesCharset(vr):
					if strings.Contains(strings.ToLower(val), "doe^jane") {
						fail("identity kept: %q", val)
					}
				}
			case "U", "U*":
				if got == nil {
					fail("removed, want remapped")
					break
				}
				if vr == "SQ" {
					if v, _ := str(got.items[0].elems, 0x00081155); v != p.UID("1.2.826.0.1.3680043.10.1999.88.1") {
						fail("UID inside not remapped: %q", v)
					}
				} else if vr == "UI" && val != p.UID(orig) {
					fail("UID %q, want %q", val, p.UID(orig))
				}
			default:
				fail("unexpected action %q", want)
			}
			if l := leaks(out); len(l) > 0 && want != "K" {
				fail("identity leaked: %q", l)
			}
		}
	}
	if n < 890 {
		t.Errorf("only %d row checks", n)
	}
}

func TestRepeatingAndPrivateRows(t *testing.T) {
	T := dcmfix.T
	spec := dcmfix.Spec{PatientName: idName, Extra: []dcmfix.Element{
		dcmfix.Str(T(0x5000, 0x0005), "US", "x"[:0]),
		dcmfix.Bytes(T(0x5002, 0x3000), "OW", []byte{1, 2, 3, 4}),
		dcmfix.US(T(0x6000, 0x0010), 16),
		dcmfix.US(T(0x6000, 0x0011), 16),
		dcmfix.Bytes(T(0x6000, 0x3000), "OW", make([]byte, 32)),
		dcmfix.Str(T(0x6002, 0x4000), "LT", "overlay by Doe^Jane"),
		dcmfix.Str(T(0x0009, 0x0010), "LO", "GEMS_IDEN_01"),
		dcmfix.Str(T(0x7FE1, 0x0010), "LO", "PRIVATE_BEFORE_PIXELS"),
	}}
	in := dcmfix.Instance(spec)
	for _, p := range []privacy.Params{pseudoParams(), anonParams()} {
		out, _ := run(t, in, p)
		o := parseOut(t, out)
		walk(o.ds, func(e *elem, _ int) {
			g := e.tag >> 16
			if g&1 == 1 || g&0xFF00 == 0x5000 || g&0xFF00 == 0x6000 {
				t.Errorf("%s: %s left", p.Level, tagText(e.tag))
			}
		})
	}
}
