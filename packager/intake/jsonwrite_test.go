package intake

import (
	"bytes"
	"dossier/packager/i18n"
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"
)

// legacyItem is Item as it was declared when encoding/json encoded it, with
// the Instance Number in its DICOMDetail (legacyDetail).
type legacyItem struct {
	Path              string        `json:"path"`
	Kind              Kind          `json:"kind"`
	Format            string        `json:"format,omitempty"`
	Size              int64         `json:"size"`
	ModTime           time.Time     `json:"modTime,omitzero"`
	Reason            i18n.Text     `json:"reason,omitzero"`
	Problems          []i18n.Text   `json:"problems"`
	Modality          string        `json:"modality,omitempty"`
	SOPClassUID       string        `json:"sopClassUID,omitempty"`
	SOPInstanceUID    string        `json:"sopInstanceUID,omitempty"`
	StudyInstanceUID  string        `json:"studyInstanceUID,omitempty"`
	SeriesInstanceUID string        `json:"seriesInstanceUID,omitempty"`
	BurnedIn          bool          `json:"burnedIn,omitempty"`
	DICOM             *legacyDetail `json:"dicom,omitempty"`
	Slide             *Slide        `json:"slide,omitempty"`
	PathBytes         []byte        `json:"pathBytes,omitempty"`
}

type legacyDetail struct {
	StudyDate         string   `json:"studyDate,omitempty"`
	StudyDescription  string   `json:"studyDescription,omitempty"`
	Accession         string   `json:"accessionNumber,omitempty"`
	SeriesNumber      int      `json:"seriesNumber,omitempty"`
	SeriesDescription string   `json:"seriesDescription,omitempty"`
	BodyPart          string   `json:"bodyPart,omitempty"`
	InstanceNumber    int      `json:"instanceNumber,omitempty"`
	ImageType         []string `json:"imageType,omitempty"`
	Rows              int      `json:"rows,omitempty"`
	Columns           int      `json:"columns,omitempty"`
	Frames            int      `json:"frames,omitempty"`
	PatientName       string   `json:"patientName,omitempty"`
	PatientID         string   `json:"patientID,omitempty"`
	PatientBirthDate  string   `json:"patientBirthDate,omitempty"`
	PatientSex        string   `json:"patientSex,omitempty"`
	TransferSyntaxUID string   `json:"transferSyntaxUID,omitempty"`
}

// referenceItemJSON is how an item was encoded before jsonwrite.go:
// encoding/json over its fields (as legacyItem declares them), with
// "pathBytes" added.
func referenceItemJSON(it *Item) ([]byte, error) {
	l := legacyItem{Path: it.Path, Kind: it.Kind, Format: it.Format, Size: it.Size, ModTime: it.ModTime, Reason: it.Reason,
		Problems: it.Problems, Modality: it.Modality, SOPClassUID: it.SOPClassUID, SOPInstanceUID: it.SOPInstanceUID,
		StudyInstanceUID: it.StudyInstanceUID, SeriesInstanceUID: it.SeriesInstanceUID, BurnedIn: it.BurnedIn, Slide: it.Slide,
		PathBytes: RawPath(it.Path)}
	if d := it.DICOM; d != nil {
		l.DICOM = &legacyDetail{StudyDate: d.StudyDate, StudyDescription: d.StudyDescription, Accession: d.Accession,
			SeriesNumber: d.SeriesNumber, SeriesDescription: d.SeriesDescription, BodyPart: d.BodyPart,
			InstanceNumber: int(it.InstanceNumber), ImageType: d.ImageType, Rows: d.Rows, Columns: d.Columns, Frames: d.Frames,
			PatientName: d.PatientName, PatientID: d.PatientID, PatientBirthDate: d.PatientBirthDate, PatientSex: d.PatientSex,
			TransferSyntaxUID: d.TransferSyntaxUID}
	}
	return json.Marshal(l)
}

// awkward are strings that encoding/json escapes in every way it can.
var awkward = []string{"", "plain", "a/b/IM000001", "<b>&amp;</b>", `quote" back\slash`, "\x01ctl\n\t\r\b\f\x1f\x7f",
	"line\u2028sep\u2029", "\xff\xfe bad \xc3", "中文 名字", "Müller^José", "1.2.840.10008.5.1.4.1.1.2", "😀", "%PDF !/entry"}

func randomItem(r *rand.Rand) *Item {
	pick := func() string { return awkward[r.IntN(len(awkward))] }
	list := func() []string {
		switch r.IntN(3) {
		case 0:
			return nil
		case 1:
			return []string{}
		}
		out := make([]string, 1+r.IntN(3))
		for i := range out {
			out[i] = pick()
		}
		return out
	}
	text := func() i18n.Text {
		switch r.IntN(3) {
		case 0:
			return i18n.Text{}
		case 1:
			return i18n.NewText(pick())
		}
		return i18n.NewText("%v: %d of %s", pick(), r.IntN(9), i18n.List{pick(), pick()})
	}
	var problems []i18n.Text
	if l := list(); l != nil {
		problems = []i18n.Text{}
		for range l {
			problems = append(problems, text())
		}
	}
	it := &Item{Path: pick(), Kind: Kind(pick()), Format: pick(), Size: r.Int64N(1 << 40), Reason: text(), Problems: problems,
		Modality: pick(), SOPClassUID: pick(), SOPInstanceUID: pick(), StudyInstanceUID: pick(), SeriesInstanceUID: pick(), BurnedIn: r.IntN(2) == 0}
	switch r.IntN(3) {
	case 1:
		it.ModTime = time.Date(2026, 12, 4, 13, 40, 5, r.IntN(1e9), time.UTC)
	case 2:
		it.ModTime = time.Date(1999, 1, 2, 3, 4, 5, 0, time.FixedZone("X", 8*3600))
	}
	if r.IntN(4) > 0 {
		num := func() int { return []int{0, 1, -3, 512, 1 << 20}[r.IntN(5)] }
		it.DICOM = &DICOMDetail{StudyDate: pick(), StudyDescription: pick(), Accession: pick(), SeriesNumber: num(), SeriesDescription: pick(),
			BodyPart: pick(), ImageType: list(), Rows: num(), Columns: num(), Frames: num(), PatientName: pick(),
			PatientID: pick(), PatientBirthDate: pick(), PatientSex: pick(), TransferSyntaxUID: pick()}
		it.InstanceNumber = int32(num())
	}
	if r.IntN(5) == 0 {
		it.Slide = &Slide{Path: pick(), Vendor: pick(), Levels: r.IntN(5), Width: r.Int64N(1e6), Label: r.IntN(2) == 0,
			IdentifyingMetadata: list(), Files: list()}
	}
	return it
}

// Items are encoded by hand exactly as encoding/json encoded them.
func TestItemJSONMatchesEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 5000 {
		it := randomItem(r)
		want, err := referenceItemJSON(it)
		if err != nil {
			t.Fatal(err)
		}
		got, err := json.Marshal(it)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("item %d:\n got %s\nwant %s", i, got, want)
		}
	}
	// A time JSON cannot hold fails as it did.
	it := &Item{Path: "x", ModTime: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}
	if _, err := json.Marshal(it); err == nil {
		t.Error("year 10000 encoded")
	}
}

// WriteJSON writes what json.Encoder with SetIndent("", "  ") writes.
func TestWriteJSONMatchesEncoder(t *testing.T) {
	check := func(name string, inv *Inventory) {
		t.Helper()
		var want, got bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		if err := enc.Encode(inv); err != nil {
			t.Fatal(err)
		}
		if err := inv.WriteJSON(&got); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			g, w := got.String(), want.String()
			i := 0
			for i < min(len(g), len(w)) && g[i] == w[i] {
				i++
			}
			t.Errorf("%s: differs at byte %d:\n got …%s\nwant …%s", name, i, g[max(0, i-200):min(len(g), i+200)], w[max(0, i-200):min(len(w), i+200)])
		}
	}
	check("empty", &Inventory{})
	check("grouped, no items", Group(nil, nil))
	r := rand.New(rand.NewPCG(3, 4))
	for range 20 {
		var items []*Item
		for range r.IntN(300) {
			items = append(items, randomItem(r))
		}
		check("random", Group(items, nil))
	}
	dir := t.TempDir()
	buildCase(t, dir)
	check("a scanned case", scan(t, Options{}, dir))
}

// An item read back from its JSON is the item, its Instance Number too
// (written inside "dicom", held by Item).
func TestItemJSONRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	compared, instances := 0, 0
	for i := range 2000 {
		it := randomItem(r)
		if it.Slide != nil || !it.Reason.IsZero() || len(it.Problems) > 0 {
			continue // JSON changes such values in ways other tests cover
		}
		b, err := json.Marshal(it)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(`\ufffd`)) {
			continue // a string that is not UTF-8 comes back changed
		}
		var back Item
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		again, err := json.Marshal(&back)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again, b) {
			t.Fatalf("item %d:\nread back %s\n  wrote %s", i, again, b)
		}
		if it.DICOM != nil && back.InstanceNumber != it.InstanceNumber {
			t.Fatalf("item %d: Instance Number %d read back as %d", i, it.InstanceNumber, back.InstanceNumber)
		}
		if (back.DICOM == nil) != (it.DICOM == nil) {
			t.Fatalf("item %d: dicom %v read back as %v", i, it.DICOM != nil, back.DICOM != nil)
		}
		compared++
		if back.InstanceNumber != 0 {
			instances++
		}
	}
	if compared < 100 || instances < 20 {
		t.Fatalf("only %d items compared, %d with an Instance Number", compared, instances)
	}
}
