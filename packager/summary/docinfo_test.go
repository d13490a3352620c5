package summary

import "testing"

func TestDocumentInfo(t *testing.T) {
	for _, c := range []struct {
		name, text  string
		date, title string
		institution bool
	}{
		{"pathology with a hospital line first", "ST MARY'S HOSPITAL\nSURGICAL PATHOLOGY REPORT\nPatient: Jane Doe   MRN 123456\nCollected: 14/01/2026\nDOB: 03/02/1961",
			"2026-01-14", "SURGICAL PATHOLOGY REPORT", false},
		{"a hospital's own report title", "Riverside Hospital Radiology Report\nDate of examination: 2026-01-09", "2026-01-09", "Riverside Hospital Radiology Report", true},
		{"Chinese discharge summary", "某某医院\n出院小结\n入院日期：2026年1月20日", "2026-01-20", "出院小结", false},
		{"no title", "Invasive ductal carcinoma. ER positive.", "", "", false},
		{"a marker's name is", "SUPPLEMENTARY REPORT - HER2 GENE STATUS\nDate reported: 28/01/2026", "2026-01-28", "SUPPLEMENTARY REPORT - HER2 GENE STATUS", false},
		{"numbers are not a title", "Report 2026-0042 for J. Doe\nClinic letter", "", "Clinic letter", true},
	} {
		got := DocumentInfo(Document{Path: "x", Pages: Pages(c.text)})
		if got.Date != c.date || got.Title != c.title || got.Institution != c.institution {
			t.Errorf("%s: %+v", c.name, got)
		}
	}
}
