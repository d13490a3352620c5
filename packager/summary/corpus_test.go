package summary

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"dossier/internal/fixture/reportfix"
	"dossier/packager/doctext"
)

// score counts matches of expected and found facts of one section.
type score struct{ tp, fp, fn int }

func (s score) precision() float64 { return ratio(s.tp, s.tp+s.fp) }
func (s score) recall() float64    { return ratio(s.tp, s.tp+s.fn) }
func (s score) f1() float64 {
	p, r := s.precision(), s.recall()
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// compare adds the matches of two multisets of keys to s and returns what
// was missed and what was extra.
func (s *score) compare(want, got []string) (missed, extra []string) {
	left := map[string]int{}
	for _, w := range want {
		left[w]++
	}
	for _, g := range got {
		if left[g] > 0 {
			left[g]--
			s.tp++
		} else {
			s.fp++
			extra = append(extra, g)
		}
	}
	for k, n := range left {
		for range n {
			s.fn++
			missed = append(missed, k)
		}
	}
	sort.Strings(missed)
	return missed, extra
}

func stageKey(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), "")) }

// readCorpusReport writes a report as its file and reads it the way Dossier
// does: its text through doctext, then its facts.
func readCorpusReport(t *testing.T, dir string, r reportfix.Report) (*Summary, Document) {
	t.Helper()
	path := filepath.Join(dir, r.Case+"-"+r.Name)
	if err := os.WriteFile(path, r.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	s, doc, err := ReadFile(context.Background(), path, r.Format(), doctext.Options{})
	if err != nil {
		t.Fatalf("%s: %v", r.Name, err)
	}
	return s, doc
}

// TestCorpus reads every report of the corpus and compares the facts with
// those a careful reader takes, section by section. Biomarkers (name,
// result and value together) must reach an F1 of 0.95. Every fact's quote
// must be found verbatim on its page of the document's text.
func TestCorpus(t *testing.T) {
	dir := t.TempDir()
	var dx, st, bio, ev score
	corpus := reportfix.Corpus()
	if len(corpus) < 40 {
		t.Fatalf("the corpus has %d reports, want at least 40", len(corpus))
	}
	for _, r := range corpus {
		s, doc := readCorpusReport(t, dir, r)
		var gotDx, gotSt, gotBio, gotEv []string
		check := func(kind string, src Source) {
			if src.Path != doc.Path || src.Page < 1 || src.Page > len(doc.Pages) {
				t.Errorf("%s: a %s fact names page %d of %q", r.Name, kind, src.Page, src.Path)
				return
			}
			if strings.TrimSpace(src.Quote) == "" || !strings.Contains(doc.Pages[src.Page-1], src.Quote) {
				t.Errorf("%s: the quote of a %s fact is not in the document's text: %q", r.Name, kind, src.Quote)
			}
		}
		for _, d := range s.Diagnoses {
			key := d.Histology
			if d.InSitu != "" {
				key += " + " + d.InSitu // its in situ component
			}
			gotDx = append(gotDx, key)
			check("diagnosis", d.Source)
		}
		for _, x := range s.Stages {
			gotSt = append(gotSt, stageKey(x.Text))
			check("stage", x.Source)
		}
		for _, b := range s.Biomarkers {
			key := b.Name + "|" + string(b.Result) + "|" + b.Value
			if b.History {
				key += "|" + b.Date // an earlier result, by the date the report gives it
			}
			gotBio = append(gotBio, key)
			check("biomarker", b.Source)
		}
		for _, e := range s.Events {
			gotEv = append(gotEv, e.Date+"|"+e.Kind)
			check("event", e.Source)
		}
		var wantSt []string
		for _, w := range r.Stages {
			wantSt = append(wantSt, stageKey(w))
		}
		for _, c := range []struct {
			name      string
			sc        *score
			want, got []string
		}{{"diagnoses", &dx, r.Diagnoses, gotDx}, {"stages", &st, wantSt, gotSt}, {"biomarkers", &bio, r.Biomarkers, gotBio}, {"events", &ev, r.Events, gotEv}} {
			missed, extra := c.sc.compare(c.want, c.got)
			if len(missed)+len(extra) > 0 {
				t.Logf("%s %s: missed %q, extra %q", r.Name, c.name, missed, extra)
			}
		}
	}
	for _, c := range []struct {
		name string
		s    score
	}{{"diagnoses", dx}, {"stages", st}, {"biomarkers", bio}, {"events", ev}} {
		fmt.Printf("summary corpus %-10s precision %.3f recall %.3f F1 %.3f (%d right, %d extra, %d missed)\n",
			c.name, c.s.precision(), c.s.recall(), c.s.f1(), c.s.tp, c.s.fp, c.s.fn)
	}
	if f := bio.f1(); f < 0.95 {
		t.Errorf("biomarker F1 %.3f, want at least 0.95", f)
	}
}

// TestPDFPagesNumbered reads a two-page PDF (the page reader of doctext) and
// names each fact's page.
func TestPDFPagesNumbered(t *testing.T) {
	pdf := twoPagePDF([]string{"SURGICAL PATHOLOGY REPORT", "Collected: 2026-01-14"}, []string{"Immunohistochemistry:", "ER positive (95%). PR negative (<1%)."})
	path := filepath.Join(t.TempDir(), "two.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	s, doc, err := ReadFile(context.Background(), path, "pdf", doctext.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Pages) != 2 || len(s.Biomarkers) != 2 {
		t.Fatalf("%d pages, biomarkers %+v", len(doc.Pages), s.Biomarkers)
	}
	for _, b := range s.Biomarkers {
		if b.Source.Page != 2 || !strings.Contains(doc.Pages[1], b.Source.Quote) || b.Date != "2026-01-14" {
			t.Errorf("%s: page %d, quote %q, date %q", b.Name, b.Source.Page, b.Source.Quote, b.Date)
		}
	}
}

// twoPagePDF writes a PDF of two pages of Helvetica text lines.
func twoPagePDF(pages ...[]string) []byte {
	var objs []string
	kids := ""
	for i := range pages {
		kids += fmt.Sprintf("%d 0 R ", 4+2*i)
	}
	objs = append(objs, "<< /Type /Catalog /Pages 2 0 R >>", fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", kids, len(pages)),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
	for i, lines := range pages {
		var c strings.Builder
		c.WriteString("BT /F1 12 Tf 72 720 Td 14 TL\n")
		for _, l := range lines {
			fmt.Fprintf(&c, "(%s) Tj T*\n", strings.NewReplacer("(", `\(`, ")", `\)`).Replace(l))
		}
		c.WriteString("ET\n")
		objs = append(objs, fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>", 5+2*i),
			fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", c.Len(), c.String()))
	}
	var b strings.Builder
	b.WriteString("%PDF-1.4\n")
	offs := []int{}
	for i, o := range objs {
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return []byte(b.String())
}
