package export

import (
	"context"
	"errors"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"dossier/packager/deid"
	pexport "dossier/packager/export"
	"dossier/packager/intake"
	"dossier/packager/pixelmask"
	"dossier/packager/redactview"
	"dossier/ui/internal/kit"
	"dossier/ui/redactbox"
)

// --- Step 2: the redaction preview of one file (ui/redactbox) ---

// previewable reports whether step 2 offers to show what is hidden in a file: a PDF, a picture
// that may show the patient (an ultrasound or other image with burned-in risk, a photo or scan), or
// a Word, RTF or text file whose text is redacted.
func previewable(d deid.Decision) bool {
	it := d.Item
	switch {
	case it == nil:
		return false
	case it.Kind == intake.KindPDF:
		return true
	case it.Kind == intake.KindDICOM:
		// Pixels Dossier cannot decode are neither shown nor masked: the reason says so. The
		// transfer syntax tells most; a coding the decoders refuse (a progressive JPEG, a
		// JPEG-LS colour transform) is found when the plan decodes the first frame.
		return it.BurnedIn && d.Undecodable == "" && (it.DICOM == nil || deid.Decodable(it.DICOM.TransferSyntaxUID))
	case it.Kind == intake.KindImage:
		return it.Format == "jpeg" || it.Format == "png" || it.Format == "tiff"
	case redactview.TextPreviewable(it):
		// A Word, RTF or text file redacted with placeholders: its text before and after.
		return d.Action == deid.Redact
	}
	return false
}

// previewButton is the button of a file's card that opens its redaction preview, or nil when the
// file has none.
func (w *Wizard) previewButton(d deid.Decision) fyne.CanvasObject {
	return w.previewButtonThen(d, nil)
}

// previewButtonThen is previewButton, calling then after the boxes were accepted.
func (w *Wizard) previewButtonThen(d deid.Decision, then func()) fyne.CanvasObject {
	if !previewable(d) {
		return nil
	}
	text := lang.X("export.preview", "Check what is hidden")
	if w.redactions[d.Path] != nil {
		text = lang.X("export.preview.again", "Boxes checked — look again")
	}
	var b *kit.Button
	b = kit.NewButtonWithIcon(text, theme.VisibilityIcon(), func() {
		w.openPreview(d, func() {
			b.SetText(lang.X("export.preview.again", "Boxes checked — look again"))
			if then != nil {
				then()
			}
		})
	})
	return b
}

// KeptBoxes are the redaction boxes the person confirmed for one file in step 2: as the preview
// shows them (with the suggested ones they kept) and as the export takes them. Coordinates, page
// and frame numbers only, never text, so that they can be stored (see ui's keepBoxes).
type KeptBoxes struct {
	Boxes      []redactview.Box `json:"boxes"`
	Redactions *deid.Redactions `json:"redactions"`
	// Size and ModTime are the file's as the case's inventory knew it when the boxes were
	// confirmed: boxes are not applied to a file that changed since.
	Size    int64     `json:"-"`
	ModTime time.Time `json:"-"`
	// Member is the stamp of a file inside a ZIP when the boxes were confirmed (nil for a file on
	// disk), kept with the boxes: see MemberStamp.
	Member *MemberStamp `json:"member,omitempty"`
}

// runAny runs work through the wizard's job runner, for the preview.
func (w *Wizard) runAny(work func(ctx context.Context) (any, error), done func(any, error)) func() {
	j := kit.Start(w.run, context.Background(), func(ctx context.Context, _ func(struct{})) (any, error) { return work(ctx) }, nil, done)
	return j.Cancel
}

// openPreview opens the redaction preview of a file in a dialog: its pages before, with the boxes
// suggested or chosen before, and after. Accepting keeps the boxes, confirmed, for the export
// (and, for a file needing a decision, chooses to send it); confirmed is then called.
func (w *Wizard) openPreview(d deid.Decision, confirmed func()) {
	inv, details := w.in.Inventory, w.in.Details
	if redactview.TextPreviewable(d.Item) {
		w.openTextPreview(d)
		return
	}
	var cancel func()
	wait := w.showLooking(lang.X("export.preview.title", "What is hidden in {{.Name}}", map[string]any{"Name": itemName(d)}), &cancel)
	cancel = w.runAny(func(ctx context.Context) (any, error) {
		// The case details tell who the patient is too, as in the plan.
		m := pexport.WithDetails(inv, details).Identity.Matcher()
		return redactview.Open(ctx, d.Item, m, "", intake.Options{})
	}, func(r any, err error) {
		if errors.Is(err, context.Canceled) {
			return
		}
		wait.Hide()
		if err != nil {
			msg := lang.X("export.preview.err", "Dossier could not show this file. It is sent as the list says, or left out.")
			if errors.Is(err, pixelmask.ErrCannotDecode) {
				msg = lang.X("export.preview.undecodable", "Dossier cannot decode the pixels of this image (they are compressed in a way it cannot read), so it can neither show it nor black out parts of it. Send it only if you have looked at it in another viewer and it shows no name or other detail.")
			}
			kit.ShowMessage(lang.X("export.preview.title", "What is hidden in {{.Name}}", map[string]any{"Name": itemName(d)}), msg, w.win)
			return
		}
		w.showPreview(d, r.(*redactview.View), confirmed)
	})
}

func (w *Wizard) showPreview(d deid.Decision, v *redactview.View, confirmed func()) {
	if w.previewBoxes == nil {
		w.previewBoxes = map[string][]redactview.Box{}
	}
	boxes, ok := w.previewBoxes[d.Path]
	if !ok {
		boxes = nil // the suggested ones
	}
	p := redactbox.NewPreview(v, boxes, w.runAny)
	dlg, _ := kit.NewAskDialog(lang.X("export.preview.title", "What is hidden in {{.Name}}", map[string]any{"Name": itemName(d)}),
		lang.X("export.preview.ok", "These boxes hide my details"), lang.X("button.cancel", "Cancel"), p.Content(), func(ok bool) {
			p.Close()
			if !ok {
				return
			}
			w.previewBoxes[d.Path] = p.Boxes()
			w.setRedactions(d.Path, p.Redactions(true))
			if w.d.Boxes != nil {
				k := &KeptBoxes{Boxes: w.previewBoxes[d.Path], Redactions: w.redactions[d.Path]}
				if d.Item != nil {
					k.Size, k.ModTime = d.Item.Size, d.Item.ModTime
				}
				if IsMember(d.Path) {
					if s, ok := StampOf(d.Path); ok && s.Size == k.Size {
						k.Member = &s
					}
				}
				w.d.Boxes[d.Path] = k
			}
			if d.Action == deid.Review {
				w.include[d.Path] = true
				if c := w.decChoices[d.Path]; c != nil {
					c.SetValue(true)
				}
			}
			if confirmed != nil {
				confirmed()
			}
		}, w.win)
	if w.win != nil {
		s := w.win.Canvas().Size()
		dlg.Resize(fyne.NewSize(s.Width*0.92, s.Height*0.92))
	}
	dlg.Show()
	w.shownPreview = p
}

// openTextPreview shows a document redacted with placeholders (a Word, RTF or text file) as its
// text reads now, its details marked, and as it will be sent, written by the export's own writer in
// the cover's language. There are no boxes to choose: the dialog only closes.
func (w *Wizard) openTextPreview(d deid.Decision) {
	inv, details, language := w.in.Inventory, w.in.Details, w.coverLanguage()
	title := lang.X("export.preview.text.title", "What is replaced in {{.Name}}", map[string]any{"Name": itemName(d)})
	var cancel func()
	wait := w.showLooking(title, &cancel)
	cancel = w.runAny(func(ctx context.Context) (any, error) {
		m := pexport.WithDetails(inv, details).Identity.Matcher()
		return redactview.OpenText(ctx, d.Item, m, language, intake.Options{})
	}, func(r any, err error) {
		if errors.Is(err, context.Canceled) {
			return
		}
		wait.Hide()
		if err != nil {
			kit.ShowMessage(title, lang.X("export.preview.err", "Dossier could not show this file. It is sent as the list says, or left out."), w.win)
			return
		}
		t := r.(*redactview.Document)
		dlg := kit.NewCloseDialog(title, redactbox.NewTextPreview(t), w.win)
		if w.win != nil {
			s := w.win.Canvas().Size()
			dlg.Resize(fyne.NewSize(s.Width*0.92, s.Height*0.92))
		}
		dlg.Show()
		w.shownText = t
	})
}

// showLooking shows that a preview is being made, with a Cancel button that calls *cancel (set once
// the work has started) and closes the dialog.
func (w *Wizard) showLooking(title string, cancel *func()) *dialog.CustomDialog {
	wait := dialog.NewCustomWithoutButtons(title,
		container.NewVBox(widget.NewLabel(lang.X("export.preview.looking", "Looking for your details in this file…")), widget.NewProgressBarInfinite()), w.win)
	stop := kit.NewButton(lang.X("button.cancel", "Cancel"), func() {
		if *cancel != nil {
			(*cancel)()
		}
		wait.Hide()
	})
	stop.Dismiss = true
	wait.SetButtons([]fyne.CanvasObject{stop})
	wait.Show()
	return wait
}
