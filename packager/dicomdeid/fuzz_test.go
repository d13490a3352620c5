package dicomdeid

import (
	"bytes"
	"context"
	"testing"

	"dossier/internal/fixture/dcmfix"
	"dossier/packager/dicomwire"
	"dossier/packager/dicomx"
)

// FuzzDeidentify feeds mutated fixtures to both non-identified levels:
// no panic, and every output that is produced reads back cleanly, has no
// private element, and holds none of the fixture patient's planted identity
// (plantedIdentity) that the input held only in identifying attributes.
func FuzzDeidentify(f *testing.F) {
	for _, g := range goldenCases() {
		f.Add(g.in)
	}
	f.Add(dcmfix.Instance(richSpec(2, "1.2.3.4")))
	f.Add(dcmfix.Instance(dcmfix.Spec{PatientName: idName, NoPreamble: true}))
	f.Add(dcmfix.Instance(dcmfix.Spec{PatientName: idName, Compressed: true, ExtendedOffsetTable: true, NumberOfFrames: 2}))
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, p := range []paramsT{pseudoParams(), anonParams()} {
			var out bytes.Buffer
			if _, err := Deidentify(context.Background(), &out, bytes.NewReader(in), int64(len(in)), p); err != nil {
				continue
			}
			b := out.Bytes()
			if _, err := dicomx.ReadLayout(context.Background(), bytes.NewReader(b), int64(len(b))); err != nil {
				t.Fatalf("%s: output does not read back: %v", p.Level, err)
			}
			o := parseOut(t, b)
			walk(o.ds, func(e *elem, _ int) {
				if e.tag>>16&1 == 1 {
					t.Fatalf("private element %s in output", tagText(e.tag))
				}
			})
			for _, tok := range plantedOnly(in) {
				if bytes.Contains(b, []byte(tok)) {
					t.Fatalf("%s: planted identity %q (held only in identifying attributes) is in the output", p.Level, tok)
				}
			}
		}
	})
}

// identifyingTags are attributes PS3.15 Table E.1-1 removes or replaces
// at both levels; a planted value held only there must not survive.
var identifyingTags = map[dicomwire.Tag]bool{
	0x00100010: true, // Patient's Name
	0x00100020: true, // Patient ID
	0x00101000: true, // Other Patient IDs
	0x00080050: true, // Accession Number
	0x00080080: true, // Institution Name
	0x00080081: true, // Institution Address
	0x00080090: true, // Referring Physician's Name
	0x00101040: true, // Patient's Address
	0x00102154: true, // Patient's Telephone Numbers
	0x00081070: true, // Operators' Name
	0x00081010: true, // Station Name
	0x00081050: true, // Performing Physician's Name
}

// plantedIdentity are the fixture patient's identity values planted by the
// seeds (long and distinctive enough not to arise by chance).
var plantedIdentity = []string{idName, idID, idAccession, idOtherID, idInstitute, idInstAddr, idReferring, idAddress, idPhone, idOperator, idStation, idPhysician}

// plantedOnly returns the planted identity values that occur in the input
// only inside the values of identifying attributes (every occurrence), so
// that no kept attribute could carry them into the output legitimately.
func plantedOnly(in []byte) []string {
	ds, err := parseIn(in)
	if err != nil {
		return nil
	}
	var out []string
	for _, tok := range plantedIdentity {
		all := bytes.Count(in, []byte(tok))
		if all == 0 {
			continue
		}
		inside := 0
		walk(ds, func(e *elem, _ int) {
			if identifyingTags[e.tag] {
				inside += bytes.Count(e.val, []byte(tok))
			}
		})
		if inside == all {
			out = append(out, tok)
		}
	}
	return out
}

// parseIn parses an input's data set (not its pixel data) like parseOut,
// returning an error instead of failing.
func parseIn(b []byte) ([]*elem, error) {
	ctx := context.Background()
	r := bytes.NewReader(b)
	l, err := dicomx.ReadLayout(ctx, r, int64(len(b)))
	if err != nil {
		return nil, err
	}
	end := int64(len(b))
	if l.PixelElementOffset >= 0 {
		end = l.PixelElementOffset
	}
	p := &parser{ctx: ctx, r: r, base: l.DatasetOffset, end: end}
	return p.dataset(l.DatasetOffset, end, datasetSyntax(l))
}

// TestFuzzDeidentifyPlants: the seeds do plant identity the fuzz property
// checks, so the property is not vacuous.
func TestFuzzDeidentifyPlants(t *testing.T) {
	n := 0
	for _, g := range goldenCases() {
		n += len(plantedOnly(g.in))
	}
	if n < 10 {
		t.Fatalf("the seeds plant %d checkable identity values", n)
	}
	t.Logf("%d planted identity values checked across %d seeds", n, len(goldenCases()))
}
