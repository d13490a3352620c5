package redactbox

import (
	"context"
	"errors"
	"image"
	"math"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"dossier/packager/deid"
	"dossier/packager/redactview"
	"dossier/ui/internal/kit"
)

// Run starts work in the background (the app's job runner) and calls done
// with its result on the UI goroutine. The returned function cancels the
// work; done is then called with an error wrapping context.Canceled.
type Run func(work func(ctx context.Context) (any, error), done func(any, error)) (cancel func())

// Preview is the whole preview of one record: the page before, with its
// boxes to edit, the page after, the buttons and the page turner.
type Preview struct {
	// OnChanged is called after the boxes changed.
	OnChanged func()

	run     Run
	view    *redactview.View
	boxes   map[int][]Box // by page
	page    int
	editor  *Editor
	after   *canvas.Image
	status  *widget.Label
	pageLbl *widget.Label
	prev    *kit.Button
	next    *kit.Button
	remove  *kit.Button
	note    *widget.Label
	// unread says that the page shown has writing Dossier cannot read.
	unread  *widget.Label
	content *fyne.Container
	// frame is the frame of a moving DICOM image shown (1-based); its
	// boxes apply to every frame.
	frame    int
	frameLbl *widget.Label
	slider   *widget.Slider
	cancel   func() // the after picture's job
	// afterGen counts the after pictures asked for; only the newest is shown.
	afterGen int
	// AfterShown counts the after pictures shown (for tests).
	AfterShown int
}

// NewPreview returns the preview of an opened record with its boxes (nil:
// the suggested ones).
func NewPreview(v *redactview.View, boxes []Box, run Run) *Preview {
	p := &Preview{run: run, view: v, boxes: map[int][]Box{}, page: 1, frame: 1}
	if boxes == nil {
		boxes = v.Suggested
	}
	for _, b := range boxes {
		p.boxes[b.Page] = append(p.boxes[b.Page], b)
	}
	p.editor = NewEditor(nil, 1, 1, 0) // page 0: no page shown yet
	p.editor.OnChanged = p.changed
	p.after = canvas.NewImageFromImage(nil)
	p.after.FillMode = canvas.ImageFillContain
	p.after.ScaleMode = canvas.ImageScaleSmooth
	p.after.SetMinSize(fyne.NewSize(240, 180))
	p.status = widget.NewLabel("")
	p.status.Wrapping = fyne.TextWrapWord
	p.note = widget.NewLabel("")
	p.note.Wrapping = fyne.TextWrapWord
	p.pageLbl = widget.NewLabel("")
	p.prev = kit.NewButtonWithIcon(lang.X("redact.page.prev", "Previous page"), theme.NavigateBackIcon(), func() { p.showPage(p.page - 1) })
	p.next = kit.NewButtonWithIcon(lang.X("redact.page.next", "Next page"), theme.NavigateNextIcon(), func() { p.showPage(p.page + 1) })
	add := kit.NewButtonWithIcon(lang.X("redact.add", "Add a box"), theme.ContentAddIcon(), p.editor.AddBox)
	p.remove = kit.NewButtonWithIcon(lang.X("redact.remove", "Remove the chosen box"), theme.DeleteIcon(), p.editor.RemoveSelected)

	help := widget.NewLabel(lang.X("redact.help", "Black boxes hide what is under them. Drag on the picture to draw a box, drag a box to move it, or its corner to resize it. With the keyboard: Tab to a box, the arrow keys move it, Delete removes it."))
	help.Wrapping = fyne.TextWrapWord
	legend := container.NewHBox()
	origins := []redactview.Origin{redactview.Header, redactview.OCR, redactview.Drawn}
	if v.Unit == redactview.Points {
		origins = []redactview.Origin{redactview.Text, redactview.Drawn}
		if len(v.Unread) > 0 {
			origins = []redactview.Origin{redactview.Text, redactview.Outlined, redactview.Drawn}
		}
	}
	for _, o := range origins {
		sw := canvas.NewRectangle(originColor(o))
		sw.SetMinSize(fyne.NewSize(14, 14))
		legend.Add(container.NewCenter(sw))
		legend.Add(widget.NewLabel(OriginName(o)))
	}
	before := container.NewBorder(widget.NewLabelWithStyle(lang.X("redact.before", "Now, with the boxes"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true}), nil, nil, nil, p.editor)
	afterBox := container.NewBorder(widget.NewLabelWithStyle(lang.X("redact.after", "As it will be sent"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true}), nil, nil, nil, p.after)
	pics := container.NewGridWithColumns(2, before, afterBox)
	p.unread = widget.NewLabel(lang.X("redact.unread", "Some writing on this page is drawn as shapes or in a font Dossier cannot read, so it cannot find your name there. Red boxes cover what looks like writing drawn as shapes: check them, and draw a box over every other name, date of birth or number you see on the page."))
	p.unread.Wrapping = fyne.TextWrapWord
	p.unread.Importance = widget.WarningImportance
	p.unread.Hide()
	top := container.NewVBox(help, legend, p.note, p.unread)
	if len(v.Suggested) > 0 && v.Unit == redactview.Points {
		l := widget.NewLabel(lang.X("redact.textnote", "Your name and other details found in the text (blue boxes) are always removed; add boxes for anything else you want hidden."))
		l.Wrapping = fyne.TextWrapWord
		top.Add(l)
	}
	if v.Frames > 1 {
		// A moving image (a cine): one set of boxes for every frame, and a
		// slider to look through the frames with them.
		l := widget.NewLabel(lang.X("redact.frames", "This moving image has {{.N}} frames. The boxes hide the same place in every frame: move the slider to check that they cover your details in each one.", map[string]any{"N": v.Frames}))
		l.Wrapping = fyne.TextWrapWord
		top.Add(l)
		p.frameLbl = widget.NewLabel("")
		p.slider = widget.NewSlider(1, float64(v.Frames))
		p.slider.Step = 1
		p.slider.OnChangeEnded = func(f float64) { p.ShowFrame(int(math.Round(f))) }
		p.setFrameLabel()
	}
	bottom := container.NewVBox(container.NewHBox(add, p.remove, p.prev, p.pageLbl, p.next), p.status)
	if p.slider != nil {
		bottom.Objects = append([]fyne.CanvasObject{container.NewBorder(nil, nil, p.frameLbl, nil, p.slider)}, bottom.Objects...)
	}
	p.content = container.NewBorder(top, bottom, nil, nil, pics)
	if v.OCRMissing {
		p.note.SetText(lang.X("redact.noocr", "Dossier could not read the text in this picture, because the text reader (tesseract) is not installed on this computer. Look at the picture yourself and draw a box over every name, date of birth or number you see."))
	} else {
		p.note.Hide()
	}
	p.showPage(1)
	return p
}

// Content is what the preview shows.
func (p *Preview) Content() fyne.CanvasObject { return p.content }

// Editor is the editor of the page shown.
func (p *Preview) Editor() *Editor { return p.editor }

// After is the picture of the page as it will be sent (nil until worked out).
func (p *Preview) After() image.Image { return p.after.Image }

// Page is the page shown (1-based).
func (p *Preview) Page() int { return p.page }

// Boxes returns every page's boxes.
func (p *Preview) Boxes() []Box {
	p.keep()
	var out []Box
	for n := 1; n <= p.view.Pages; n++ {
		out = append(out, p.boxes[n]...)
	}
	return out
}

// Redactions are the boxes as the export takes them; confirmed says the
// user accepted them.
func (p *Preview) Redactions(confirmed bool) *deid.Redactions {
	return p.view.Redactions(p.Boxes(), confirmed)
}

// Frame is the frame of a moving image shown (1 for any other record).
func (p *Preview) Frame() int { return p.frame }

// ShowFrame shows frame n (1-based) of a moving DICOM image, before and as
// sent, with the same boxes.
func (p *Preview) ShowFrame(n int) {
	if n < 1 || n > p.view.Frames || n == p.frame {
		return
	}
	p.keep()
	p.frame = n
	if p.slider != nil && int(math.Round(p.slider.Value)) != n {
		p.slider.SetValue(float64(n))
	}
	p.setFrameLabel()
	p.showPage(p.page)
}

func (p *Preview) setFrameLabel() {
	if p.frameLbl != nil {
		p.frameLbl.SetText(lang.X("redact.frame", "Frame {{.N}} of {{.Of}}", map[string]any{"N": p.frame, "Of": p.view.Frames}))
	}
}

// Close stops the work in the background.
func (p *Preview) Close() {
	if p.cancel != nil {
		p.cancel()
		p.cancel = nil
	}
}

// keep saves the editor's boxes of the page shown.
func (p *Preview) keep() {
	if p.editor.page == p.page {
		p.boxes[p.page] = p.editor.Boxes()
	}
}

func (p *Preview) showPage(n int) {
	if n < 1 || n > p.view.Pages {
		return
	}
	frame := p.frame
	p.keep()
	p.page = n
	if slices.Contains(p.view.Unread, n) {
		p.unread.Show()
	} else {
		p.unread.Hide()
	}
	p.pageLbl.SetText(lang.X("redact.page", "Page {{.N}} of {{.Of}}", map[string]any{"N": n, "Of": p.view.Pages}))
	if p.view.Pages <= 1 {
		p.prev.Hide()
		p.next.Hide()
		p.pageLbl.Hide()
	}
	p.prev.Disable()
	p.next.Disable()
	if n > 1 {
		p.prev.Enable()
	}
	if n < p.view.Pages {
		p.next.Enable()
	}
	p.status.SetText(lang.X("redact.working", "Drawing the page…"))
	v := p.view
	p.run(func(ctx context.Context) (any, error) {
		if v.Frames > 1 {
			return v.BeforeFrame(ctx, frame)
		}
		return v.Before(ctx, n)
	}, func(r any, err error) {
		if p.page != n || p.frame != frame {
			return
		}
		if err != nil {
			if !errors.Is(err, context.Canceled) {
				p.status.SetText(lang.X("redact.err.before", "Dossier could not show this page."))
			}
			return
		}
		w, h := v.Size(n)
		p.editor.SetPicture(r.(image.Image), w, h, n)
		p.editor.SetBoxes(p.boxes[n])
		p.updateAfter()
	})
}

func (p *Preview) changed() {
	p.keep()
	p.updateAfter()
	if p.OnChanged != nil {
		p.OnChanged()
	}
}

// updateAfter works out the page as sent with the boxes, in the background;
// a newer change cancels an older one.
func (p *Preview) updateAfter() {
	if p.cancel != nil {
		p.cancel()
	}
	p.afterGen++
	gen, n, frame, boxes, v := p.afterGen, p.page, p.frame, p.Boxes(), p.view
	p.status.SetText(lang.X("redact.working.after", "Working out what will be sent…"))
	p.cancel = p.run(func(ctx context.Context) (any, error) {
		if v.Frames > 1 {
			return v.AfterFrame(ctx, frame, boxes)
		}
		return v.After(ctx, n, boxes)
	}, func(r any, err error) {
		if gen != p.afterGen {
			return
		}
		p.cancel = nil
		if err != nil {
			switch {
			case errors.Is(err, context.Canceled):
			case slices.Contains(v.Unread, n):
				p.status.SetText(lang.X("redact.err.unread", "Draw boxes over the writing on this page that Dossier cannot read; then the right side shows the file as it will be sent."))
			default:
				p.status.SetText(lang.X("redact.err.after", "Dossier could not hide these boxes in this file, so it would not be sent this way. Try other boxes, or leave the file out."))
			}
			return
		}
		p.after.Image = r.(image.Image)
		p.after.Refresh()
		p.AfterShown++
		p.status.SetText(lang.X("redact.ready", "The right side shows the file as it will be sent."))
	})
}
