package intake

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"dossier/internal/fixture/dcmfix"
	"dossier/internal/fixture/docfix"
	"dossier/internal/fixture/tifffix"
)

// patient is the invented identity every fixture carries.
var patient = struct{ Name, ID, Birth, Accession string }{"DOE^JANE", "PID-0042", "19610203", "ACC-777"}

// writeFile writes data under dir/rel, creating folders.
func writeFile(t testing.TB, dir, rel string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// seriesSpec describes one series of the CD fixture.
type seriesSpec struct {
	modality, desc string
	n              int
	compressed     bool
	private        bool
	burnedIn       string
	skip           []int // instance numbers left out (a gap)
}

// cdSeries is the content of the fixture CD: two studies, five modalities.
var cdSeries = []struct {
	study, date, desc string
	series            []seriesSpec
}{
	{"1.2.826.0.1.3680043.10.1999.100", "20260110", "CT CHEST ABDOMEN PELVIS", []seriesSpec{
		{modality: "CT", desc: "AXIAL 5MM", n: 6, private: true},
		{modality: "PT", desc: "PET WB AC", n: 4, compressed: true},
		{modality: "SR", desc: "DOSE REPORT", n: 1},
	}},
	{"1.2.826.0.1.3680043.10.1999.200", "20260201", "MRI BREAST BILATERAL", []seriesSpec{
		{modality: "MR", desc: "T1 POST", n: 5, skip: []int{3}},
		{modality: "US", desc: "BREAST US", n: 2, burnedIn: "YES"},
	}},
}

// buildCD writes a patient CD under dir: DICOMDIR, DICOM files without
// extensions, an autorun file, a viewer program with its icons and a web
// copy of the images. It returns the number of DICOM instances written.
func buildCD(t testing.TB, dir string) int {
	t.Helper()
	var entries []dcmfix.DirEntry
	count := 0
	for si, st := range cdSeries {
		for sei, se := range st.series {
			seriesUID := fmt.Sprintf("%s.%d", st.study, sei+1)
			skip := map[int]bool{}
			for _, s := range se.skip {
				skip[s] = true
			}
			for i := 1; i <= se.n+len(se.skip); i++ {
				if skip[i] {
					continue
				}
				spec := dcmfix.Spec{
					PatientName: patient.Name, PatientID: patient.ID, BirthDate: patient.Birth, Sex: "F", Accession: patient.Accession,
					StudyUID: st.study, SeriesUID: seriesUID, SOPUID: fmt.Sprintf("%s.%d", seriesUID, i),
					Modality: se.modality, StudyDate: st.date, StudyDescription: st.desc, SeriesDescription: se.desc,
					SeriesNumber: sei + 1, InstanceNumber: i, Compressed: se.compressed, Private: se.private, BurnedIn: se.burnedIn,
					PatientAddress: "12 Elm Street, Springfield", PatientPhone: "+1 555 0100",
				}
				rel := fmt.Sprintf("DICOM/ST%06d/SE%06d/IM%06d", si+1, sei+1, i)
				writeFile(t, dir, rel, dcmfix.Instance(spec))
				entries = append(entries, dcmfix.DirEntry{Path: rel, PatientName: patient.Name, PatientID: patient.ID,
					StudyUID: st.study, StudyDate: st.date, StudyDescription: st.desc, SeriesUID: seriesUID,
					Modality: se.modality, SeriesNumber: sei + 1, SOPUID: spec.SOPUID, InstanceNumber: i})
				count++
			}
		}
	}
	writeFile(t, dir, "DICOMDIR", dcmfix.DICOMDIR(dir, entries))
	writeFile(t, dir, "AUTORUN.INF", []byte("[autorun]\r\nopen=VIEWER\\viewer.exe\r\n"))
	writeFile(t, dir, "VIEWER/viewer.exe", append([]byte("MZ\x90\x00"), make([]byte, 200)...))
	writeFile(t, dir, "VIEWER/res/splash.png", docfix.PNG(300, 200))
	writeFile(t, dir, "IHE_PDI/IMG00001.JPG", docfix.JPEG(256, 256))
	writeFile(t, dir, "icons/open.png", docfix.PNG(32, 32))
	return count
}

// buildCase writes a whole mixed case: a CD, loose DICOM without preamble,
// a portal ZIP, slides, reports and a photo of a letter.
func buildCase(t testing.TB, dir string) {
	t.Helper()
	buildCD(t, filepath.Join(dir, "cd"))
	writeFile(t, dir, "loose/IM0001", dcmfix.Instance(dcmfix.Spec{
		PatientName: patient.Name, PatientID: patient.ID, BirthDate: patient.Birth,
		StudyUID: "1.2.826.0.1.3680043.10.1999.300", SeriesUID: "1.2.826.0.1.3680043.10.1999.300.1", SOPUID: "1.2.826.0.1.3680043.10.1999.300.1.1",
		Modality: "CT", StudyDate: "20251201", StudyDescription: "CT HEAD", NoPreamble: true, NoMeta: true, Syntax: dcmfix.ImplicitLE,
	}))
	writeFile(t, dir, "portal/download.zip", docfix.Zip(
		docfix.ZipEntry{Name: "reports/pathology.pdf", Data: docfix.PDF("Surgical pathology report", "ER 90%, PR 40%, HER2 1+")},
		docfix.ZipEntry{Name: "letters/clinic letter.docx", Data: docfix.DOCX("Dear colleague,", "treatment summary follows.")},
		docfix.ZipEntry{Name: "images/IM1", Data: dcmfix.Instance(dcmfix.Spec{PatientName: patient.Name, PatientID: patient.ID, BirthDate: patient.Birth,
			StudyUID: "1.2.826.0.1.3680043.10.1999.400", SeriesUID: "1.2.826.0.1.3680043.10.1999.400.1", SOPUID: "1.2.826.0.1.3680043.10.1999.400.1.1", Modality: "MR", StudyDate: "20251115"})},
		docfix.ZipEntry{Name: "__MACOSX/reports/._pathology.pdf", Data: []byte{0, 5, 22, 7, 0, 2, 0, 0}},
	))
	writeFile(t, dir, "slides/classic.svs", tifffix.SVS(tifffix.SVSOptions{}))
	writeFile(t, dir, "slides/bigtiff.svs", tifffix.SVS(tifffix.SVSOptions{BigTIFF: true, LongCounts: true}))
	writeFile(t, dir, "reports/Discharge letter.pdf", docfix.PDF("Discharge summary"))
	writeFile(t, dir, "reports/notes.txt", []byte("Questions for the specialist:\n1. Is surgery first the right order?\n"))
	writeFile(t, dir, "photos/IMG_2041.JPG", docfix.JPEG(640, 480))
	writeFile(t, dir, "photos/.DS_Store", append([]byte("\x00\x00\x00\x01Bud1"), make([]byte, 64)...))
}

// mrxsFixture writes a MIRAX slide (file + folder) into dir.
func mrxsFixture(dir string) (string, error) { return tifffix.MRXS(dir) }
