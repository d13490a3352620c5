package export

import (
	"path/filepath"
	"reflect"
	"testing"

	"fyne.io/fyne/v2/test"

	"dossier/packager/privacy"
)

// TestStepTwoBoxesGoToDeps: the boxes confirmed in a preview go into Deps.Boxes with the file's
// size and time as the inventory knows it, and a wizard opened again with them starts from them:
// the export takes them and the preview shows them again.
func TestStepTwoBoxesGoToDeps(t *testing.T) {
	h := newHarness(t, exportRecords())
	w := h.w
	w.d.Boxes = map[string]*KeptBoxes{}
	w.levelRadios[1].Radio.SetSelected("With a code name instead of my name")
	test.Tap(w.next)
	h.loop.until(t, "the decisions", func() bool { return w.plan == nil && w.planLevel == privacy.Pseudonymised })
	var photo string
	for _, d := range w.decisions {
		if filepath.Base(d.Path) == "IMG_0001.jpg" {
			photo = d.Path
			tapPreviewOf(t, h, photo)
			w.shownPreview.Editor().AddBox()
			confirmPreview(t, h)
			k := w.d.Boxes[photo]
			if k == nil || k.Redactions != w.redactions[photo] || len(k.Boxes) != 1 || k.Size != d.Item.Size || !k.ModTime.Equal(d.Item.ModTime) || k.Size == 0 {
				t.Fatalf("kept for the window: %+v", k)
			}
		}
	}
	if photo == "" {
		t.Fatal("no photo in step 2")
	}
	w2 := New(w.in, w.d)
	if w2.redactions[photo] != w.redactions[photo] || !reflect.DeepEqual(w2.previewBoxes[photo], w.previewBoxes[photo]) {
		t.Errorf("opened again: %+v %+v", w2.redactions, w2.previewBoxes)
	}
}
