package dicomdeid

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"dossier/internal/fixture/dcmfix"
	"dossier/packager/dicomwire"
	"dossier/packager/dicomx"
	"dossier/packager/privacy"
)

var (
	testSecret  = bytes.Repeat([]byte{0x5A}, 32)
	otherSecret = bytes.Repeat([]byte{0xA5}, 32)
)

const testPseudonym = "DOSSIER-7KQ2-M4XD"

type paramsT = privacy.Params

func pseudoParams() privacy.Params {
	return privacy.Params{Level: privacy.Pseudonymised, Secret: testSecret, Pseudonym: testPseudonym}
}

func anonParams() privacy.Params {
	return privacy.Params{Level: privacy.Anonymised, Secret: testSecret, Pseudonym: privacy.AnonymousName, DateShift: -400}
}

// Identity of the fixture patient.
const (
	idName       = "DOE^JANE"
	idID         = "PID-558811"
	idBirth      = "19610203"
	idAccession  = "ACC9924417"
	idAddress    = "42 Wallaby Way^Sydney"
	idPhone      = "+1-555-0100-77"
	idInstitute  = "Saint Elsewhere Hospital"
	idReferring  = "HOUSE^GREGORY"
	idOtherID    = "MRN-0077123"
	studyUID     = "1.2.826.0.1.3680043.10.1999.2.77"
	idInstAddr   = "1 Infirmary Road^Springfield"
	idOperator   = "NURSE^RATCHED"
	idStation    = "CTSCANNER-ROOM3"
	idPhysician  = "QUINN^MICHAELA"
	idContainer  = "SLIDE-DOE-0042"
	idSpecimen   = "S24-99887"
	idLabelText  = "DOE JANE 03/02/1961"
	idBarcode    = "BC-7781-2231"
	idRequestID  = "REQ-5566"
	idSchedStepI = "SPS-8877"
)

// leakTokens are the identity strings that must never appear in output.
var leakTokens = []string{
	"DOE^JANE", "Doe^Jane", "JANE DOE", "Jane Doe", "DOE, JANE", idID, idBirth, "1961-02-03", "03/02/1961",
	idAccession, "Wallaby", "555-0100", idInstitute, "Elsewhere", "HOUSE^GREGORY", "Gregory", idOtherID,
	"Infirmary", "RATCHED", idStation, "QUINN", idContainer, idSpecimen, idBarcode, idRequestID, idSchedStepI,
	"scanner note", "GEMS_IDEN",
}

// leaks returns the identity tokens found in b (case-insensitively).
func leaks(b []byte) []string {
	low := bytes.ToLower(b)
	var found []string
	for _, t := range leakTokens {
		if bytes.Contains(low, []byte(strings.ToLower(t))) {
			found = append(found, t)
		}
	}
	return found
}

// richSpec is a CT instance full of identity, nested sequences and private tags.
func richSpec(instance int, refSOP string) dcmfix.Spec {
	T := dcmfix.T
	item := func(els ...dcmfix.Element) dcmfix.Item { return dcmfix.Item{Elements: els} }
	extra := []dcmfix.Element{
		dcmfix.Str(T(0x0008, 0x0021), "DA", "20240102"),
		dcmfix.Str(T(0x0008, 0x0022), "DA", "20240103"),
		dcmfix.Str(T(0x0008, 0x0023), "DA", "20240102"),
		dcmfix.Str(T(0x0008, 0x002A), "DT", "20240102101530.123456+0100"),
		dcmfix.Str(T(0x0008, 0x0031), "TM", "101600"),
		dcmfix.Str(T(0x0008, 0x0070), "LO", "ACME Medical"),
		dcmfix.Str(T(0x0008, 0x1010), "SH", idStation),
		dcmfix.Str(T(0x0008, 0x1050), "PN", idPhysician),
		dcmfix.Str(T(0x0008, 0x1070), "PN", idOperator),
		dcmfix.Str(T(0x0010, 0x1010), "AS", "063Y"),
		dcmfix.Str(T(0x0010, 0x1030), "DS", "61.5"),
		dcmfix.Str(T(0x0010, 0x4000), "LT", "Patient Jane Doe prefers mornings"),
		dcmfix.Str(T(0x0018, 0x0050), "DS", "1.25"),
		dcmfix.Str(T(0x0018, 0x1000), "LO", "SN-123456"),
		dcmfix.Str(T(0x0018, 0x1030), "LO", "CHEST Doe^Jane protocol"),
		dcmfix.Str(T(0x0020, 0x4000), "LT", "Comment for DOE^JANE born 19610203"),
		// Other Patient IDs Sequence (X).
		dcmfix.Seq(T(0x0010, 0x1002), false, item(
			dcmfix.Str(T(0x0010, 0x0020), "LO", idOtherID),
			dcmfix.Str(T(0x0010, 0x0022), "CS", "TEXT"),
		)),
		// Request Attributes Sequence (X; C under Clean Descriptors) with a
		// private element and IDs (X) and a date inside.
		dcmfix.Seq(T(0x0040, 0x0275), true, item(
			dcmfix.Str(T(0x0032, 0x1060), "LO", "CT chest for Jane Doe"),
			dcmfix.Str(T(0x0040, 0x0002), "DA", "20231231"),
			dcmfix.Str(T(0x0040, 0x0009), "SH", idSchedStepI),
			dcmfix.Str(T(0x0040, 0x1001), "SH", idRequestID),
			dcmfix.Str(T(0x0011, 0x0010), "LO", "PRIVATE_CREATOR"),
			dcmfix.Str(T(0x0011, 0x1001), "LO", "Doe Jane scanner note"),
		)),
		// Procedure Code Sequence (not in E.1-1: kept) with a coding scheme.
		dcmfix.Seq(T(0x0008, 0x1032), false, item(
			dcmfix.Str(T(0x0008, 0x0100), "SH", "CTCHEST"),
			dcmfix.Str(T(0x0008, 0x0102), "SH", "99LOCAL"),
			dcmfix.Str(T(0x0008, 0x0104), "LO", "CT Chest"),
		)),
		// A private sequence.
		dcmfix.Str(T(0x0029, 0x0010), "LO", "SIEMENS CSA HEADER"),
		dcmfix.Seq(T(0x0029, 0x1010), true, item(
			dcmfix.Str(T(0x0010, 0x0010), "PN", idName),
		)),
	}
	if refSOP != "" {
		extra = append(extra, dcmfix.Seq(T(0x0008, 0x1140), false, item(
			dcmfix.Str(T(0x0008, 0x1150), "UI", dcmfix.SOPClassCT),
			dcmfix.Str(T(0x0008, 0x1155), "UI", refSOP),
		)))
	}
	return dcmfix.Spec{
		PatientName: idName, PatientID: idID, BirthDate: idBirth, Sex: "F", Accession: idAccession,
		OtherPatientIDs: []string{idOtherID}, StudyUID: studyUID, InstanceNumber: instance,
		StudyDescription: "CT CHEST Doe^Jane follow-up", SeriesDescription: "AXIAL 1.25",
		Institution: idInstitute, InstitutionAddress: idInstAddr, ReferringPhysician: idReferring,
		PatientAddress: idAddress, PatientPhone: idPhone, Private: true, Sequence: true, Extra: extra,
	}
}

func run(t testing.TB, in []byte, p privacy.Params) ([]byte, *Report) {
	t.Helper()
	var out bytes.Buffer
	rep, err := Deidentify(context.Background(), &out, bytes.NewReader(in), int64(len(in)), p)
	if err != nil {
		t.Fatalf("Deidentify: %v", err)
	}
	return out.Bytes(), rep
}

// parsed is an output file read back with the package's own reader.
type parsed struct {
	meta, ds []*elem
	layout   *dicomx.Layout
}

func parseOut(t testing.TB, b []byte) *parsed {
	t.Helper()
	ctx := context.Background()
	r := bytes.NewReader(b)
	l, err := dicomx.ReadLayout(ctx, r, int64(len(b)))
	if err != nil {
		t.Fatalf("output does not read back: %v", err)
	}
	end := int64(len(b))
	if l.PixelElementOffset >= 0 {
		end = l.PixelElementOffset
	}
	meta, err := readMeta(ctx, r, l)
	if err != nil {
		t.Fatal(err)
	}
	p := &parser{ctx: ctx, r: r, base: l.DatasetOffset, end: end}
	ds, err := p.dataset(l.DatasetOffset, end, datasetSyntax(l))
	if err != nil {
		t.Fatal(err)
	}
	return &parsed{meta: meta, ds: ds, layout: l}
}

// find returns the first element with tag t at the top level, or nil.
func find(list []*elem, t dicomwire.Tag) *elem {
	for _, e := range list {
		if e.tag == t {
			return e
		}
	}
	return nil
}

// str returns the trimmed string value of t, and whether it is present.
func str(list []*elem, t dicomwire.Tag) (string, bool) {
	e := find(list, t)
	if e == nil {
		return "", false
	}
	return strings.TrimRight(string(e.val), " \x00"), true
}

// walk calls f for every element, recursively.
func walk(list []*elem, f func(e *elem, depth int)) {
	var rec func([]*elem, int)
	rec = func(l []*elem, depth int) {
		for _, e := range l {
			f(e, depth)
			for _, it := range e.items {
				rec(it.elems, depth+1)
			}
		}
	}
	rec(list, 0)
}

func pixelBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	l, err := dicomx.ReadLayout(context.Background(), bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if l.PixelElementOffset < 0 {
		t.Fatal("no pixel data")
	}
	return b[l.PixelElementOffset:l.PixelElementEnd]
}

type bytesBuffer = bytes.Buffer

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }

func errorsIs(err, target error) bool { return errors.Is(err, target) }
