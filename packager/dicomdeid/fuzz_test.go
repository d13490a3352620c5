package dicomdeid

import (
	"bytes"
	"context"
	"testing"

	"dossier/internal/fixture/dcmfix"
	"dossier/packager/dicomx"
)

// FuzzDeidentify feeds mutated fixtures to both non-identified levels:
// no panic, and every output that is produced reads back cleanly with no
// private element.
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
		}
	})
}
