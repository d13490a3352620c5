package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/widget"

	"dossier/internal/fixture/dcmfix"
	"dossier/internal/fixture/docfix"
)

// selectRow selects the first inventory row that match accepts and waits for its preview.
func selectRow(t *testing.T, v *mainView, loop *uiLoop, what string, match func(n invNode) bool) {
	t.Helper()
	for id, n := range v.tree.nodes {
		if match(n) {
			v.treeWidget.Select(widget.TreeNodeID(id))
			loop.until(t, "the preview of "+what, func() bool { return v.preview.job == nil })
			return
		}
	}
	t.Fatalf("no row for %s", what)
}

// TestPreviews: a DICOM series shows its middle image, a JPEG 2000 series says why it has none, a
// report shows its first lines with its kind, and a study asks for one of its series.
func TestPreviews(t *testing.T) {
	files := mammograms()
	files["CD2/IM1"] = dcmfix.Instance(dcmfix.Spec{Modality: "CT", StudyUID: "1.2.826.0.1.3680043.10.1999.8",
		SeriesUID: "1.2.826.0.1.3680043.10.1999.8.1", StudyDate: "20260902", SeriesDescription: "J2K",
		Compressed: true, TransferSyntaxUID: dcmfix.UIDJPEG2000})
	files["reports/path.pdf"] = docfix.PDF("SURGICAL PATHOLOGY REPORT", "Final diagnosis: invasive ductal carcinoma")
	v, loop := newTestView(t, Config{Store: &fakeStore{}, Scan: realScan, Paths: []string{writeFiles(t, files)}})
	loop.until(t, "the scan and the checklist", func() bool { return idle(v)() && v.checks.report != nil })
	p := v.preview
	if !strings.Contains(p.note.Text, "Choose a series") {
		t.Errorf("before a choice the preview says %q", p.note.Text)
	}

	selectRow(t, v, loop, "the mammograms", func(n invNode) bool {
		return n.series != nil && n.series.SeriesInstanceUID == "1.2.826.0.1.3680043.10.1999.7.1"
	})
	if !p.image.Visible() || p.image.Image == nil {
		t.Errorf("no picture of the series; the preview says %q", p.note.Text)
	}

	selectRow(t, v, loop, "the JPEG 2000 series", func(n invNode) bool { return n.series != nil && n.series.Description == "J2K" })
	if p.image.Visible() || !strings.Contains(p.note.Text, "JPEG 2000") || !strings.HasPrefix(p.note.Text, "No preview:") {
		t.Errorf("JPEG 2000 series: picture %v, note %q", p.image.Visible(), p.note.Text)
	}

	selectRow(t, v, loop, "the report", func(n invNode) bool { return n.item != nil && strings.HasSuffix(n.item.Path, "path.pdf") })
	if !p.text.Visible() || !strings.Contains(p.text.Text, "SURGICAL PATHOLOGY REPORT") {
		t.Errorf("report preview: %q / %q", p.note.Text, p.text.Text)
	}
	if _, ok := p.kind.Value(); !p.kindRow.Visible() || !ok {
		t.Errorf("the report's kind is not offered (%q)", p.kind.Select.Selected)
	}

	selectRow(t, v, loop, "a study", func(n invNode) bool { return n.study != nil && n.series == nil })
	if !strings.Contains(p.note.Text, "series") || p.image.Visible() {
		t.Errorf("study: %q", p.note.Text)
	}
}

// TestPreviewCancelled: choosing another row gives up the picture being made.
func TestPreviewCancelled(t *testing.T) {
	v, loop := newTestView(t, Config{Store: &fakeStore{}, Scan: realScan, Paths: []string{writeFiles(t, mammograms())}})
	loop.until(t, "the scan", func() bool { return idle(v)() && v.checks.report != nil })
	var series invNode
	for _, n := range v.tree.nodes {
		if n.series != nil {
			series = n
		}
	}
	v.preview.show(&series)
	first := v.preview.job
	v.preview.show(nil)
	if first == nil {
		t.Fatal("no job for the series")
	}
	<-first.Done()
	loop.drain(100 * 1e6)
	if v.preview.image.Visible() {
		t.Error("a given-up preview was shown")
	}
}
