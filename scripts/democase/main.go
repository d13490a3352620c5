// Command democase writes a small, made-up case (a CD of mammograms, reports, a letter naming the
// patient, a phone photo) into a folder, for scripts/screenshots.sh. Nothing in it is real.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"dossier/internal/fixture/dcmfix"
	"dossier/internal/fixture/docfix"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: democase DIR")
		os.Exit(2)
	}
	dir := os.Args[1]
	files := map[string][]byte{
		"Portal/pathology-2026.pdf": docfix.PDF("SURGICAL PATHOLOGY REPORT", "Final diagnosis: invasive ductal carcinoma, left breast",
			"Immunohistochemistry: ER positive (Allred 8), PR positive (Allred 6),", "HER2 negative (IHC 1+). Ki-67 15%."),
		"Portal/radiology-report.pdf": docfix.PDF("RADIOLOGY REPORT", "Bilateral mammogram and breast MRI with contrast.",
			"Findings: 22 mm mass in the left breast.", "Impression: BI-RADS 6."),
		"Portal/treatment-summary.docx": docfix.DOCX("Oncology clinic", "Treatment summary",
			"Regimen: 4 cycles of docetaxel and cyclophosphamide; radiotherapy 40 Gy in 15 fractions."),
		"Letters/letter-from-surgeon.pdf": docfix.PDF("Dear colleague,", "we saw Jane Doe, born 03/02/1961, in clinic today.",
			"She would like a second opinion before surgery."),
		"Phone/IMG_0042.jpg": docfix.JPEG(1200, 900),
		"CD/AUTORUN.INF":     []byte("[autorun]\nopen=viewer.exe\n"),
	}
	for i := 1; i <= 4; i++ {
		files[fmt.Sprintf("CD/DICOM/IM%04d", i)] = dcmfix.Instance(dcmfix.Spec{
			Modality: "MG", StudyUID: "1.2.826.0.1.3680043.10.1999.7", SeriesUID: "1.2.826.0.1.3680043.10.1999.7.1",
			InstanceNumber: i, StudyDate: "20260901", PatientName: "Doe^Jane", PatientID: "PID0001", BirthDate: "19610203",
			StudyDescription: "MAMMOGRAM BILATERAL", SeriesDescription: "L CC", Rows: 256, Cols: 256,
		})
	}
	for rel, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}
