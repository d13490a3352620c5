package checklist

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"

	"dossier/internal/fixture/docfix"
	"dossier/packager/i18n"
)

// hasHan reports whether s has Chinese characters.
func hasHan(s string) bool { return regexp.MustCompile(`\p{Han}`).MatchString(s) }

// A Chinese report has every text a person reads in Chinese: the notes
// built at run time with their counts and lists, the markers not found,
// the shipment, the identity findings and the guidance; the English report
// is left as it was.
func TestLocalizeChinese(t *testing.T) {
	files := map[string][]byte{
		"path.pdf":     docfix.PDF("SURGICAL PATHOLOGY REPORT", "Final diagnosis: acute myeloid leukaemia", "Bone marrow trephine: 60% blasts."),
		"ct.pdf":       docfix.PDF("RADIOLOGY REPORT", "CT chest with contrast.", "Impression: no lymphadenopathy."),
		"ct-scan.jpeg": docfix.JPEG(400, 300),
	}
	d := Details{
		Cancer:    "lung",
		Patient:   Patient{Name: "Jane Smith", BirthDate: "1961-02-03"},
		Doctor:    Contact{Name: "Dr Lee"},
		Shipments: []Shipment{{Kind: ShipGlassSlides, Courier: "DHL"}},
		Urgency:   UrgencyUrgent,
	}
	rep := evaluate(t, caseDir(t, files), &Case{Details: d})
	rep.Identity = append(rep.Identity, Note{Format: noteSeveralPeople, Args: []any{2}})
	before, _ := json.Marshal(rep)

	zh, err := Localize(rep, "zh-Hans")
	if err != nil {
		t.Fatal(err)
	}
	if after, _ := json.Marshal(rep); string(after) != string(before) {
		t.Error("Localize changed the report it was given")
	}
	if zh.CancerName != "肺癌" || !hasHan(zh.Urgency.Message) || !hasHan(zh.Remote) || !hasHan(zh.InPerson) {
		t.Errorf("guidance not in Chinese: %q / %q / %q / %q", zh.CancerName, zh.Urgency.Message, zh.Remote, zh.InPerson)
	}
	if l := zh.IdentityLines(); len(l) != 1 || l[0] != "影像资料中出现了 2 个不同的人名。发送前请确认每项影像都是您本人的。" {
		t.Errorf("identity: %q", l)
	}
	if l := rep.IdentityLines(); len(l) != 1 || l[0] != "The scans name 2 different people. Check that every scan is yours before sending." {
		t.Errorf("identity in English: %q", l)
	}
	notes := 0
	for i, r := range zh.Rules {
		en := rep.Rules[i]
		if en.Note() != "" {
			notes++
			if !hasHan(r.Note()) || strings.Contains(r.Note(), "  ") {
				t.Errorf("%s: note %q (English %q)", r.ID, r.Note(), en.Note())
			}
		}
		if !hasHan(r.Title) {
			t.Errorf("%s: title %q", r.ID, r.Title)
		}
	}
	if notes < 4 {
		t.Errorf("only %d notes in the report: %s", notes, dump(rep))
	}
	// The notes keep their values.
	for id, want := range map[string]string{
		"imaging-dicom":   "这里有影像学文字报告，但没有影像本身。这里有影像的图片或 PDF；审阅专家需要原始的 DICOM 文件。未找到此类（CT、MRI、PET、核医学、乳腺 X 线摄影）DICOM 影像。",
		"slides":          "已记录寄送，但缺少快递公司和运单号。请补充，以便会诊机构核对包裹。",
		"treating-doctor": "请填写医生的电话、电子邮箱或地址。",
		"lung-egfr":       "现有报告中没有提到EGFR。",
	} {
		r := result(t, zh, id)
		if r.Note() != want {
			t.Errorf("%s: note %q, want %q (English %q)", id, r.Note(), want, result(t, rep, id).Note())
		}
	}
	if r := result(t, zh, "slides"); !slices.Contains(r.Evidence, "已寄送：玻璃切片，快递 DHL") {
		t.Errorf("shipment evidence %q", r.Evidence)
	}
	if en, err := Localize(rep, "en"); err != nil || en != rep {
		t.Errorf("English: %v", err)
	}
	if _, err := Localize(rep, "xx"); err == nil {
		t.Error("no error for a language without a file")
	}
}

// Lists in notes are translated item by item and joined the Chinese way.
func TestLocalizeLists(t *testing.T) {
	var r Result
	r.Missing = []string{"EGFR", "bone marrow"}
	r.note(noteNotFoundHere, i18n.List(r.Missing))
	r.notePlural(2, noteUnreadableToo1, noteUnreadableToo)
	if r.Note() != "Not found in the reports here: EGFR, bone marrow. 2 documents could not be read; check them too." {
		t.Errorf("English note %q", r.Note())
	}
	zh, err := Localize(&Report{Cancer: "other", Rules: []Result{r}, Identity: []Note{}}, "zh-Hans")
	if err != nil {
		t.Fatal(err)
	}
	if got := zh.Rules[0].Note(); got != "现有报告中未找到：EGFR、骨髓。另有 2 份文件无法读取，请一并查看。" {
		t.Errorf("Chinese note %q", got)
	}
	if got := zh.Rules[0].Missing; !slices.Equal(got, []string{"EGFR", "骨髓"}) {
		t.Errorf("missing %q", got)
	}
}

// A result's JSON keeps its note in English, also for a report written in
// another language.
func TestResultNoteJSON(t *testing.T) {
	var r Result
	r.note(noteNotFoundHere, i18n.List{"EGFR", "bone marrow"})
	r.notePlural(2, noteUnreadableToo1, noteUnreadableToo)
	want := "Not found in the reports here: EGFR, bone marrow. 2 documents could not be read; check them too."
	zh := r
	zh.lang = i18n.MustLoad(i18n.ChineseSimplified)
	for _, res := range []Result{r, zh} {
		b, err := json.Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		var got struct{ Note string }
		if err := json.Unmarshal(b, &got); err != nil || got.Note != want {
			t.Errorf("JSON note %q, want %q (%v)", got.Note, want, err)
		}
	}
	if zh.Note() == want || !hasHan(zh.Note()) {
		t.Errorf("Chinese note %q", zh.Note())
	}
}

// A noted shipment is evidence written in the report's language; file
// paths beside it stay as they are.
func TestShipmentEvidenceLocalized(t *testing.T) {
	var r Result
	r.ID = "slides"
	r.Evidence = []string{"/cd/report.pdf"}
	r.shipped(shipmentLabel(Shipment{Kind: ShipGlassSlides, Courier: "DHL", Tracking: "JD0146"}))
	if r.Evidence[1] != "shipped: glass slides by DHL, tracking JD0146" {
		t.Errorf("English evidence %q", r.Evidence)
	}
	zh, err := Localize(&Report{Rules: []Result{r}}, i18n.ChineseSimplified)
	if err != nil {
		t.Fatal(err)
	}
	got := zh.Rules[0].Evidence
	if got[0] != "/cd/report.pdf" || !hasHan(got[1]) || !strings.Contains(got[1], "DHL") || !strings.Contains(got[1], "JD0146") {
		t.Errorf("Chinese evidence %q", got)
	}
}

// A count of one takes the singular note, in English and in Chinese.
func TestNotePlural(t *testing.T) {
	var r Result
	r.notePlural(1, noteUnreadableToo1, noteUnreadableToo)
	if got := r.Note(); got != "1 document could not be read; check it too." {
		t.Errorf("English note %q", got)
	}
	zh, err := Localize(&Report{Cancer: "other", Rules: []Result{r}, Identity: []Note{}}, "zh-Hans")
	if err != nil {
		t.Fatal(err)
	}
	if got := zh.Rules[0].Note(); got != "另有 1 份文件无法读取，请一并查看。" {
		t.Errorf("Chinese note %q", got)
	}
}
