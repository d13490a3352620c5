package dicomdeid

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"dossier/internal/fixture/dcmfix"
	"dossier/packager/privacy"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// goldenCase is one fixture and level whose de-identified dump is kept in
// testdata.
type goldenCase struct {
	name string
	in   []byte
	p    privacy.Params
}

func goldenCases() []goldenCase {
	latin := richSpec(1, "")
	latin.CharacterSet = []string{"ISO_IR 100"}
	latin.PatientName = "Buc^J\xe9r\xf4me"
	latin.StudyDescription = "IRM c\xe9r\xe9brale Buc^J\xe9r\xf4me"
	return []goldenCase{
		{"ct_pseudonymised", dcmfix.Instance(richSpec(1, "1.2.826.0.1.3680043.10.1999.2.77.1.2")), pseudoParams()},
		{"ct_anonymised", dcmfix.Instance(richSpec(1, "1.2.826.0.1.3680043.10.1999.2.77.1.2")), anonParams()},
		{"latin1_pseudonymised", dcmfix.Instance(latin), pseudoParams()},
		{"implicit_anonymised", dcmfix.Instance(dcmfix.Spec{PatientName: idName, BirthDate: idBirth, Syntax: dcmfix.ImplicitLE, Private: true, Sequence: true}), anonParams()},
		{"bigendian_pseudonymised", dcmfix.Instance(dcmfix.Spec{PatientName: idName, BirthDate: idBirth, Syntax: dcmfix.ExplicitBE, Private: true, Sequence: true}), pseudoParams()},
		{"jpeg_pseudonymised", dcmfix.Instance(dcmfix.Spec{PatientName: idName, Compressed: true, NumberOfFrames: 3, Private: true}), pseudoParams()},
		{"wsi_volume_pseudonymised", dcmfix.Instance(wsiSpec("VOLUME")), pseudoParams()},
		{"sr_anonymised", dcmfix.Instance(dcmfix.Spec{PatientName: idName, Modality: "SR", Accession: idAccession}), anonParams()},
	}
}

func TestGolden(t *testing.T) {
	for _, c := range goldenCases() {
		t.Run(c.name, func(t *testing.T) {
			out, _ := run(t, c.in, c.p)
			var got bytes.Buffer
			if err := Dump(context.Background(), &got, bytes.NewReader(out), int64(len(out))); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", c.name+".golden")
			if *update {
				if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("dump differs from %s (go test -update refreshes it):\n%s", path, got.String())
			}
			if l := leaks(got.Bytes()); len(l) > 0 {
				t.Errorf("identity in dump: %q", l)
			}
		})
	}
}
