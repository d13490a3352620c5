package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"dossier/internal/fixture/dcmfix"
	"dossier/internal/fixture/docfix"
	"dossier/internal/testtool"
)

func lungDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	write := func(rel string, data []byte) {
		p := filepath.Join(dir, rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("reports/report1.pdf", docfix.PDF("SURGICAL PATHOLOGY REPORT", "Final diagnosis: adenocarcinoma of the lung",
		"Immunohistochemistry: PD-L1 (22C3) tumour proportion score 80%."))
	write("reports/ct.pdf", docfix.PDF("CT chest", "Findings: 3 cm mass right upper lobe.", "Impression: suspicious."))
	write("letters/notes.docx", docfix.DOCX("Treatment summary", "4 cycles of carboplatin and pemetrexed, partial response."))
	for i := 1; i <= 2; i++ {
		write(filepath.Join("CD", "IM"+string(rune('0'+i))), dcmfix.Instance(dcmfix.Spec{Modality: "CT", InstanceNumber: i, StudyUID: "1.2.3.9", SeriesUID: "1.2.3.9.1"}))
	}
	return dir
}

type checkJSON struct {
	Cancer   string `json:"cancer"`
	Complete bool   `json:"complete"`
	Rules    []struct {
		ID       string   `json:"id"`
		Title    string   `json:"title"`
		Status   string   `json:"status"`
		Required bool     `json:"required"`
		Evidence []string `json:"evidence"`
		Advice   string   `json:"advice"`
	} `json:"rules"`
	Documents []struct {
		Path     string `json:"path"`
		Category string `json:"category"`
		Source   string `json:"source"`
	} `json:"documents"`
	Urgency struct {
		Urgent  bool   `json:"urgent"`
		Message string `json:"message"`
	} `json:"urgency"`
}

func TestCheckJSON(t *testing.T) {
	dir := lungDir(t)
	code, out, errOut := run(t, "check", "--json", "--cancer", "lung", dir)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc checkJSON
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	var raw map[string]json.RawMessage
	json.Unmarshal([]byte(out), &raw)
	var rules []map[string]json.RawMessage
	json.Unmarshal(raw["rules"], &rules)
	for _, k := range []string{"id", "title", "status", "required", "evidence", "advice"} {
		if _, ok := rules[0][k]; !ok {
			t.Errorf("rule JSON lacks %q", k)
		}
	}
	if doc.Cancer != "lung" || doc.Complete {
		t.Errorf("cancer %q complete %v", doc.Cancer, doc.Complete)
	}
	status := map[string]string{}
	for _, r := range doc.Rules {
		status[r.ID] = r.Status
		if r.Evidence == nil || r.Advice == "" || r.Title == "" {
			t.Errorf("%s: evidence %v, advice %q", r.ID, r.Evidence, r.Advice)
		}
	}
	want := map[string]string{"lung-egfr": "missing", "lung-alk": "missing", "lung-pdl1": "met", "imaging-dicom": "met",
		"lung-ct": "met", "pathology-report": "met", "radiology-reports": "met", "treatment-summary": "met", "slides": "missing"}
	for id, s := range want {
		if status[id] != s {
			t.Errorf("%s: %q, want %q", id, status[id], s)
		}
	}
	for _, d := range doc.Documents {
		if filepath.Base(d.Path) == "notes.docx" && (d.Category != "treatment-summary" || d.Source != "text") {
			t.Errorf("notes.docx: %+v", d)
		}
	}
}

func TestCheckHumanAndUrgent(t *testing.T) {
	dir := lungDir(t)
	code, out, _ := run(t, "check", dir, "--cancer", "AML")
	if code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"Checklist for: Acute myeloid leukaemia", "URGENT:", "Still needed:", "[missing] Karyotype", "What to do:", "Done:", "notes.docx  Treatment summary (from its text"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// --lang prints the checklist in Chinese: its frame, the rules, the notes and the guidance; --json
// stays as it is.
func TestCheckChinese(t *testing.T) {
	dir := lungDir(t)
	code, out, errOut := run(t, "check", "--lang", "zh-Hans", "--cancer", "AML", dir)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"清单：急性髓系白血病", "紧急：急性白血病可能在几天内发生变化", "仍然需要：", "[缺少]", "为什么重要：", "该怎么做：",
		"已完成：", "notes.docx  治疗小结（根据其文字", "远程还是亲自前往？"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for _, english := range []string{"Checklist for", "Still needed", "What to do", "[missing]", "from its text", "Remote or in person"} {
		if strings.Contains(out, english) {
			t.Errorf("Chinese output shows %q:\n%s", english, out)
		}
	}
	if code, _, errOut := run(t, "check", "--lang", "tlh", dir); code != ExitUsage || !strings.Contains(errOut, "tlh") {
		t.Errorf("--lang tlh: exit %d, %s", code, errOut)
	}
}

func TestCheckUnknownCancer(t *testing.T) {
	code, _, errOut := run(t, "check", "--cancer", "kidneystone", t.TempDir())
	if code != ExitUsage {
		t.Fatalf("exit %d, want %d", code, ExitUsage)
	}
	for _, want := range []string{`unknown cancer type "kidneystone"`, "breast", "lung", "aml", "other", "usage: dossier check"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q: %s", want, errOut)
		}
	}
}

func TestLetter(t *testing.T) {
	dir := lungDir(t)
	outDir := t.TempDir()
	pdf := filepath.Join(outDir, "request.pdf")
	code, out, errOut := run(t, "letter", "--cancer", "lung", "--out", pdf, dir)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "request.pdf") {
		t.Errorf("stdout: %q", out)
	}
	entries, _ := os.ReadDir(outDir)
	if len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
	data, err := os.ReadFile(pdf)
	if err != nil || !strings.HasPrefix(string(data), "%PDF-") {
		t.Fatalf("no PDF: %v", err)
	}
	// Checked by outside programs (missing ones fail under CI).
	txt, err := exec.Command(testtool.Look(t, "pdftotext", "poppler-utils"), pdf, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(txt)), " ")
	for _, want := range []string{"The EGFR mutation test report.", "The ALK test report", "original glass slides"} {
		if !strings.Contains(text, want) {
			t.Errorf("letter lacks %q", want)
		}
	}
	if strings.Contains(text, "PD-L1 immunohistochemistry report") {
		t.Error("letter asks for PD-L1, which is here")
	}
	if out, err := exec.Command(testtool.Look(t, "qpdf", "qpdf"), "--check", pdf).CombinedOutput(); err != nil {
		t.Errorf("qpdf: %v\n%s", err, out)
	}
}

func TestLetterUsage(t *testing.T) {
	if code, _, errOut := run(t, "letter", t.TempDir()); code != ExitUsage || !strings.Contains(errOut, "--out") {
		t.Errorf("no --out: exit %d, %s", code, errOut)
	}
	if code, _, _ := run(t, "letter", "--out", "x.pdf", "--cancer", "nope", t.TempDir()); code != ExitUsage {
		t.Errorf("bad cancer: exit %d", code)
	}
	// An unwritable folder fails and leaves nothing behind.
	missing := filepath.Join(t.TempDir(), "no", "such", "dir", "l.pdf")
	if code, _, errOut := run(t, "letter", "--out", missing, lungDir(t)); code != ExitUsage || strings.Contains(errOut, "Doe") {
		t.Errorf("bad folder: exit %d, %s", code, errOut)
	}
}
