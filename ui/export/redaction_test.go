package export

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"dossier/internal/fixture/dcmfix"
	"dossier/internal/fixture/docfix"

	"dossier/packager/deid"
	pexport "dossier/packager/export"
	"dossier/packager/intake"
	"dossier/packager/pdftext"
	"dossier/packager/privacy"
	"dossier/packager/redactview"
	"dossier/ui/internal/uitest"
)

// tapPreviewOf opens the redaction preview of the file at path from its card in step 2 and waits
// until its page as sent is shown.
func tapPreviewOf(t *testing.T, h *harness, path string) {
	t.Helper()
	w := h.w
	w.shownPreview = nil
	var d deid.Decision
	for _, x := range w.decisions {
		if x.Path == path {
			d = x
		}
	}
	b := w.previewButton(d)
	if b == nil {
		t.Fatalf("no preview for %s", filepath.Base(path))
	}
	test.Tap(b.(fyne.Tappable))
	h.loop.until(t, "the preview of "+filepath.Base(path), func() bool {
		return w.shownPreview != nil && w.shownPreview.AfterShown > 0
	})
}

// darkIn counts the pixels of img in r darker than mid-grey.
func darkIn(img image.Image, r image.Rectangle) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if c := color.GrayModel.Convert(img.At(x, y)).(color.Gray); c.Y < 128 {
				n++
			}
		}
	}
	return n
}

// confirmPreview taps the preview dialog's confirm button.
func confirmPreview(t *testing.T, h *harness) {
	t.Helper()
	b := findButton(h.win, "These boxes hide my details")
	if b == nil {
		t.Fatalf("no confirm button: %q", labels(h.win))
	}
	test.Tap(b)
}

// TestStepTwoPreviewBoxesReachTheBundle: in step 2 the letter naming the patient is shown before
// and after redaction with the place of her name as a "text found" box; the patient drags a box
// of her own over another line and accepts; she also marks a box on her photo and accepts, which
// chooses to send it. The bundle then holds the letter with a box drawn where she drew it and the
// photo black under her box.
func TestStepTwoPreviewBoxesReachTheBundle(t *testing.T) {
	h := newHarness(t, exportRecords())
	w := h.w
	w.levelRadios[1].Radio.SetSelected("With a code name instead of my name")
	test.Tap(w.next)
	h.loop.until(t, "the decisions", func() bool { return w.plan == nil && w.planLevel == privacy.Pseudonymised })
	var letter, photo string
	for _, d := range w.decisions {
		switch filepath.Base(d.Path) {
		case "letter.pdf":
			letter = d.Path
		case "IMG_0001.jpg":
			photo = d.Path
		}
	}

	// The letter: its name found in the text, and a box dragged over the first line.
	tapPreviewOf(t, h, letter)
	p := w.shownPreview
	e := p.Editor()
	found := 0
	for _, b := range e.Boxes() {
		if b.Origin == redactview.Text {
			found++
		}
	}
	if found == 0 || !hasLabel(h.win, "text found") || !hasLabel(h.win, "As it will be sent") {
		t.Fatalf("the letter's preview: boxes %+v, labels %q", e.Boxes(), labels(h.win))
	}
	abs := fyne.CurrentApp().Driver().AbsolutePositionForObject(e)
	start, end := e.ToScreen(60, 60).Add(abs), e.ToScreen(200, 90).Add(abs)
	shown := p.AfterShown
	test.Drag(h.win.Canvas(), end, end.X-start.X, end.Y-start.Y)
	boxes := e.Boxes()
	drawn := boxes[len(boxes)-1]
	if len(boxes) != found+1 || drawn.Origin != redactview.Drawn || drawn.Width < 100 {
		t.Fatalf("after the drag: %+v", boxes)
	}
	h.loop.until(t, "the letter as sent with the box", func() bool { return p.AfterShown > shown })
	// The page shown as it will be sent is black over the name found and under the box dragged.
	after := p.After()
	if after == nil {
		t.Fatal("no page as sent shown")
	}
	for _, b := range e.Boxes() {
		if b.Origin != redactview.Text && b.Origin != redactview.Drawn {
			continue
		}
		r := image.Rect(int(b.X*redactview.PageScale)+2, int(b.Y*redactview.PageScale)+2, int((b.X+b.Width)*redactview.PageScale)-2, int((b.Y+b.Height)*redactview.PageScale)-2)
		if n, all := darkIn(after, r), r.Dx()*r.Dy(); n < all*3/4 { // the label is white inside
			t.Errorf("the page as sent is not black under the %s box %+v: %d of %d pixels dark", b.Origin, b, n, all)
		}
	}
	confirmPreview(t, h)
	if r := w.redactions[letter]; r == nil || !r.Confirmed || len(r.PDF) != 1 {
		t.Fatalf("the letter's boxes: %+v", r)
	}

	// The photo: a box added with the button, moved with the keyboard, accepted.
	if w.include[photo] {
		t.Fatal("the photo is sent before the patient chose")
	}
	tapPreviewOf(t, h, photo)
	p = w.shownPreview
	p.Editor().AddBox()
	confirmPreview(t, h)
	r := w.redactions[photo]
	if r == nil || !r.Confirmed || len(r.Pixels) != 1 || !w.include[photo] || !w.decChoices[photo].Is(true) {
		t.Fatalf("the photo's boxes %+v, sent %v", r, w.include[photo])
	}
	mask := r.Pixels[0]

	test.Tap(w.next)
	dest := t.TempDir()
	w.setDir(dest)
	w.name.SetText("case")
	w.mode.SetValue(pexport.LockNone)
	test.Tap(w.next)
	h.loop.until(t, "the export", func() bool { return w.packing == nil })
	if w.Step() != StepDone {
		t.Fatalf("export did not finish: %+v", w.errBox.Problem)
	}
	// The photo went out masked under her box: the done screen does not call it sent as it is.
	if hasLabel(h.win, "as you chose") || !hasLabel(h.win, "Your records carry the code") {
		t.Errorf("the done screen: %q", labels(h.win))
	}
	var letterOut, photoOut string
	for _, it := range w.Result().Items {
		switch it.Path {
		case letter:
			letterOut = it.Name
			if it.Action != deid.Redact {
				t.Errorf("the letter: %+v", it)
			}
		case photo:
			photoOut = it.Name
		}
	}
	if letterOut == "" || photoOut == "" {
		t.Fatalf("written %+v", w.Result().Items)
	}

	// The letter has a box where she drew it.
	lf, err := os.Open(filepath.Join(dest, "case", filepath.FromSlash(letterOut)))
	if err != nil {
		t.Fatal(err)
	}
	defer lf.Close()
	fi, _ := lf.Stat()
	boxFound := false
	err = pdftext.Read(context.Background(), lf, fi.Size(), pdftext.Options{}, func(pg *pdftext.Page) error {
		if strings.Contains(pg.Text, "Jane") || strings.Contains(pg.Text, "Doe") || !strings.Contains(pg.Text, "today") {
			t.Errorf("the letter as sent reads %q", pg.Text)
		}
		for _, path := range pg.Paths {
			x0, y0 := pg.ToView(path.Box[0], path.Box[1])
			x1, y1 := pg.ToView(path.Box[2], path.Box[3])
			if math.Abs(math.Min(x0, x1)-drawn.X) < 2 && math.Abs(math.Min(y0, y1)-drawn.Y) < 2 &&
				math.Abs(math.Abs(x1-x0)-drawn.Width) < 2 && math.Abs(math.Abs(y1-y0)-drawn.Height) < 2 {
				boxFound = true
			}
		}
		return nil
	})
	if err != nil || !boxFound {
		t.Errorf("no box where the patient drew it (%+v): %v", drawn, err)
	}

	// The photo is black under her box.
	pf, err := os.Open(filepath.Join(dest, "case", filepath.FromSlash(photoOut)))
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	img, err := jpeg.Decode(pf)
	if err != nil {
		t.Fatal(err)
	}
	inner := image.Rect(mask.X+4, mask.Y+4, mask.X+mask.Width-4, mask.Y+mask.Height-4)
	for y := inner.Min.Y; y < inner.Max.Y; y += 3 {
		for x := inner.Min.X; x < inner.Max.X; x += 3 {
			if r, g, b, _ := img.At(x, y).RGBA(); r > 0x1800 || g > 0x1800 || b > 0x1800 {
				t.Fatalf("the photo is not black at (%d,%d) under the box %+v", x, y, mask)
			}
		}
	}
}

// TestGroupPreviewSendsTheChosenImage: a disc of ultrasound images is one card with a list; the
// image chosen in the list has its preview, and accepting a box there sends that image alone.
func TestGroupPreviewSendsTheChosenImage(t *testing.T) {
	files := map[string][]byte{}
	for i := 1; i <= maxReviewCards+2; i++ {
		files[fmt.Sprintf("US/IM%02d", i)] = dcmfix.PixelInstance(dcmfix.Pixels{Spec: dcmfix.Spec{Modality: "US", Rows: 48, Cols: 64,
			PatientName: "Doe^Jane", PatientID: "PID0001", InstanceNumber: i}})
	}
	h := newHarness(t, files)
	w := h.w
	w.levelRadios[1].Radio.SetSelected("With a code name instead of my name")
	test.Tap(w.next)
	h.loop.until(t, "the decisions", func() bool { return w.plan == nil && w.planLevel == privacy.Pseudonymised })
	var list *widget.List
	for _, o := range uitest.Shown(h.win) {
		if l, ok := o.(*widget.List); ok {
			list = l
		}
	}
	if list == nil {
		t.Fatalf("no list of the images: %q", labels(h.win))
	}
	list.Select(2)
	b := findButton(h.win, "Check what is hidden")
	if b == nil {
		t.Fatalf("no preview for the chosen image: %q", labels(h.win))
	}
	test.Tap(b)
	h.loop.until(t, "the preview", func() bool { return w.shownPreview != nil && w.shownPreview.AfterShown > 0 })
	w.shownPreview.Editor().AddBox()
	confirmPreview(t, h)
	var sent []string
	for p := range w.include {
		sent = append(sent, p)
	}
	if len(sent) != 1 {
		t.Fatalf("sent %q", sent)
	}
	if r := w.redactions[sent[0]]; r == nil || !r.Confirmed || len(r.Pixels) != 1 {
		t.Errorf("the chosen image's boxes: %+v", r)
	}
	if !hasLabel(h.win, "Boxes checked") && findButton(h.win, "Boxes checked — look again") == nil {
		t.Error("the button does not say the boxes were checked")
	}
}

// TestStepTwoTextPreviewOfAWordLetter: a Word letter that names the patient is sent with her name
// replaced; its card in step 2 opens its text as it reads now, her name marked, beside the text as
// it will be sent, the placeholder marked where her name was.
func TestStepTwoTextPreviewOfAWordLetter(t *testing.T) {
	files := exportRecords()
	files["reports/letter.docx"] = docfix.DOCX("Dear colleague,", "we saw Jane Doe today; her scan shows no change.")
	h := newHarness(t, files)
	w := h.w
	w.levelRadios[1].Radio.SetSelected("With a code name instead of my name")
	test.Tap(w.next)
	h.loop.until(t, "the decisions", func() bool { return w.plan == nil && w.planLevel == privacy.Pseudonymised })
	var d deid.Decision
	for _, x := range w.decisions {
		if filepath.Base(x.Path) == "letter.docx" {
			d = x
		}
	}
	if d.Action != deid.Redact {
		t.Fatalf("the Word letter: %s (%s), want redacted", d.Action, d.Reason)
	}
	b := w.previewButton(d)
	if b == nil {
		t.Fatal("no preview for the Word letter")
	}
	test.Tap(b.(fyne.Tappable))
	h.loop.until(t, "the text preview", func() bool { return w.shownText != nil })
	if !hasLabel(h.win, "Now, with your details marked") || !hasLabel(h.win, "As it will be sent") || !hasLabel(h.win, "Places replaced: 1") {
		t.Fatalf("labels %q", labels(h.win))
	}
	marked := map[string]fyne.ThemeColorName{}
	for _, o := range uitest.Shown(h.win) {
		rt, ok := o.(*widget.RichText)
		if !ok {
			continue
		}
		for _, s := range rt.Segments {
			if ts, ok := s.(*widget.TextSegment); ok && ts.Style.TextStyle.Bold && (ts.Style.ColorName == theme.ColorNameError || ts.Style.ColorName == theme.ColorNameSuccess) {
				marked[ts.Text] = ts.Style.ColorName
			}
		}
	}
	if len(marked) != 2 || marked["Jane Doe"] != theme.ColorNameError || marked["[name removed]"] != theme.ColorNameSuccess {
		t.Errorf("marked %v: want her name before and the placeholder after", marked)
	}
}

// TestStepTwoBoxesReleaseDrawnWriting: a report whose signature line is drawn as glyph outlines is
// held; its preview says that Dossier cannot read some writing on the page and suggests a box over
// the drawn line; the patient accepts it, which sends the report; the export then holds it with the
// outlines taken out under the box and her name removed from its text.
func TestStepTwoBoxesReleaseDrawnWriting(t *testing.T) {
	files := exportRecords()
	files["reports/signed.pdf"] = docfix.PDFPathText([]string{"Patient: Jane Doe", "Invasive ductal carcinoma"}, "Signed for Jane Doe")
	h := newHarness(t, files)
	w := h.w
	w.levelRadios[1].Radio.SetSelected("With a code name instead of my name")
	test.Tap(w.next)
	h.loop.until(t, "the decisions", func() bool { return w.plan == nil && w.planLevel == privacy.Pseudonymised })
	var signed string
	for _, d := range w.decisions {
		if filepath.Base(d.Path) == "signed.pdf" {
			signed = d.Path
			if d.Action != deid.Review {
				t.Fatalf("the signed report: %s (%s), want held", d.Action, d.Reason)
			}
		}
	}
	tapPreviewOf(t, h, signed)
	p := w.shownPreview
	if !hasLabel(h.win, "Some writing on this page is drawn as shapes or in a font Dossier cannot read, so it cannot find your name there. Red boxes cover what looks like writing drawn as shapes: check them, and draw a box over every other name, date of birth or number you see on the page.") || !hasLabel(h.win, "writing drawn as shapes") {
		t.Errorf("the preview does not say the page's writing cannot be read: %q", labels(h.win))
	}
	// The drawn line is suggested for a box; the patient checks it and accepts.
	outlined := 0
	for _, b := range p.Editor().Boxes() {
		if b.Origin == redactview.Outlined {
			outlined++
		}
	}
	if outlined != 1 {
		t.Fatalf("boxes %+v: want the drawn line suggested", p.Editor().Boxes())
	}
	confirmPreview(t, h)
	if r := w.redactions[signed]; r == nil || !r.Confirmed || len(r.PDF) != 1 || !w.include[signed] {
		t.Fatalf("the report's boxes %+v, sent %v", r, w.include[signed])
	}

	test.Tap(w.next)
	dest := t.TempDir()
	w.setDir(dest)
	w.name.SetText("case")
	w.mode.SetValue(pexport.LockNone)
	test.Tap(w.next)
	h.loop.until(t, "the export", func() bool { return w.packing == nil })
	if w.Step() != StepDone {
		t.Fatalf("export did not finish: %+v", w.errBox.Problem)
	}
	var out string
	for _, it := range w.Result().Items {
		if it.Path == signed {
			out = it.Name
		}
	}
	if out == "" {
		t.Fatalf("the report was not sent: %+v", w.Result().Items)
	}
	f, err := os.Open(filepath.Join(dest, "case", filepath.FromSlash(out)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	err = pdftext.Read(context.Background(), f, fi.Size(), pdftext.Options{}, func(pg *pdftext.Page) error {
		for _, q := range pg.Problems {
			if q.Kind == pdftext.ProblemTextAsPaths {
				t.Errorf("page %d still shows writing drawn as shapes", pg.Number)
			}
		}
		if strings.Contains(pg.Text, "Jane") || !strings.Contains(pg.Text, "carcinoma") {
			t.Errorf("page %d reads %q", pg.Number, pg.Text)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestNoPreviewOfUndecodablePixels: an ultrasound image compressed as JPEG 2000 has no
// "Check what is hidden" button (its reason says that no box can help); one in JPEG Baseline or JPEG-LS has.
func TestNoPreviewOfUndecodablePixels(t *testing.T) {
	for ts, want := range map[string]bool{"1.2.840.10008.1.2.4.80": true, "1.2.840.10008.1.2.4.91": false, dcmfix.UIDJPEG2000: false, dcmfix.UIDJPEGBaseline: true, "1.2.840.10008.1.2.1": true,
		dcmfix.UIDJPEGLossless: true, dcmfix.UIDJPEGLosslessSV1: true} {
		d := deid.Decision{Action: deid.Review, Item: &intake.Item{Kind: intake.KindDICOM, BurnedIn: true, DICOM: &intake.DICOMDetail{TransferSyntaxUID: ts}}}
		if got := previewable(d); got != want {
			t.Errorf("%s: previewable %v, want %v", ts, got, want)
		}
	}
}

// TestNoPreviewOfA12BitJPEG: an image marked as showing burned-in text whose pixels are a 12-bit
// JPEG (JPEG Extended, decoded by jpegdec) is held for review in step 2 as any such image, and its
// card offers "Check what is hidden", as an 8-bit JPEG Extended image beside it does. (Until
// 12-bit JPEG was decoded it was held saying its pixels cannot be decoded, with no preview.)
func TestNoPreviewOfA12BitJPEG(t *testing.T) {
	const extended = "1.2.840.10008.1.2.4.51"
	files := exportRecords()
	files["OT/IM12"] = dcmfix.PixelInstance(dcmfix.Pixels{Spec: dcmfix.Spec{Modality: "OT", BurnedIn: "YES",
		PatientName: "Doe^Jane", PatientID: "PID0001", SOPUID: "1.2.826.0.1.3680043.10.1999.12.1", Rows: 32, Cols: 32},
		Encoding: "jpeg12", BitsAllocated: 16, BitsStored: 12})
	files["US/IM08"] = dcmfix.PixelInstance(dcmfix.Pixels{Spec: dcmfix.Spec{Modality: "US", Rows: 48, Cols: 64,
		PatientName: "Doe^Jane", PatientID: "PID0001", SOPUID: "1.2.826.0.1.3680043.10.1999.12.2", TransferSyntaxUID: dcmfix.UIDJPEGExtended}, Encoding: "jpeg"})
	h := newHarness(t, files)
	w := h.w
	w.levelRadios[1].Radio.SetSelected("With a code name instead of my name")
	test.Tap(w.next)
	h.loop.until(t, "the decisions", func() bool { return w.plan == nil && w.planLevel == privacy.Pseudonymised })
	var twelve, eight deid.Decision
	for _, d := range w.decisions {
		switch filepath.Base(d.Path) {
		case "IM12":
			twelve = d
		case "IM08":
			eight = d
		}
	}
	if twelve.Item == nil || eight.Item == nil || eight.Item.DICOM == nil || eight.Item.DICOM.TransferSyntaxUID != extended {
		t.Fatalf("decisions %+v", w.decisions)
	}
	if r := twelve.Reason.String(); twelve.Action != deid.Review || twelve.Undecodable != "" || strings.Contains(r, "cannot decode") {
		t.Errorf("the 12-bit image: %s %q, want held for review as any burned-in image", twelve.Action, r)
	}
	if hasLabel(h.win, "which Dossier cannot decode") {
		t.Errorf("step 2 says a 12-bit JPEG cannot be decoded: %q", labels(h.win))
	}
	if b := w.previewButton(twelve); b == nil {
		t.Errorf("the 12-bit image offers no preview")
	}
	if eight.Action != deid.Review || w.previewButton(eight) == nil {
		t.Errorf("the 8-bit JPEG Extended image: %s, preview %v", eight.Action, w.previewButton(eight) != nil)
	}
}
