package cover

import (
	"testing"

	"dossier/packager/summary"
)

// An earlier result a report quotes says so on the cover, with its date when the level shows it.
func TestClinicalEarlierResult(t *testing.T) {
	s := &summary.Summary{Biomarkers: []summary.Biomarker{
		{Name: "ER", Result: "positive", Value: "90%", Date: "2019", History: true, Source: summary.Source{Path: "/r/a.txt", Page: 1, Quote: "(2019, ER 90%)"}},
		{Name: "ER", Result: "negative", Value: "0%", Date: "2026-03-01", Source: summary.Source{Path: "/r/a.txt", Page: 1, Quote: "ER negative (0%)"}},
	}}
	name := func(string) string { return "IHE_XDM/SUBSET01/DOC00001.TXT" }
	for _, c := range []struct {
		o    ClinicalOptions
		want [2]string
	}{
		{ClinicalOptions{Language: "en", Name: name}, [2]string{"earlier result, 2019", "2026-03-01"}},
		{ClinicalOptions{Language: "zh-Hans", Name: name}, [2]string{"既往结果，2019", "2026-03-01"}},
		{ClinicalOptions{Language: "en", Name: name, Private: true, ShiftDate: func(d string) string {
			if len(d) == 10 {
				return "2031-07-09"
			}
			return "" // a year alone cannot be shifted: it is left out
		}}, [2]string{"earlier result", "2031-07-09"}},
	} {
		cl := ClinicalFrom(s, c.o)
		if len(cl.Biomarkers) != 2 || cl.Biomarkers[0].Date != c.want[0] || cl.Biomarkers[1].Date != c.want[1] {
			t.Errorf("%s: %+v", c.o.Language, cl.Biomarkers)
		}
	}
}
