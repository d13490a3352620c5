package ui

import (
	"context"
	"errors"
	"image"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"dossier/packager/doctext"
	"dossier/packager/intake"
	"dossier/packager/preview"
	"dossier/ui/internal/kit"
)

// previewSide is the longest side of the pictures asked for.
const previewSide = 480

// previewPanel shows, below the inventory, what the selected row holds: a series' middle image, a
// slide's thumbnail, a photo, or a document's first lines (with the kind it is sorted as, which the
// person may correct). Pictures are made by the job runner and given up when the selection changes.
type previewPanel struct {
	v      *mainView
	object fyne.CanvasObject

	title   *widget.Label
	note    *widget.Label // the placeholder: "choose a file", "working…", or why there is no picture
	image   *canvas.Image
	text    *selectableText
	kind    *kit.Choice[doctext.Category] // a document's kind
	kindRow *fyne.Container
	setting bool

	node *invNode
	job  *job
	gen  int
}

func newPreviewPanel(v *mainView) *previewPanel {
	p := &previewPanel{v: v}
	p.title = widget.NewLabelWithStyle(lang.X("preview.title", "Preview"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.title.Wrapping = fyne.TextWrapWord // the whole name and what it is, which the list may shorten
	p.note = newWrapLabel(lang.X("preview.choose", "Choose a series, slide, photo or document above to see it here."))
	p.image = canvas.NewImageFromImage(nil)
	p.image.FillMode = canvas.ImageFillContain
	p.image.ScaleMode = canvas.ImageScaleSmooth
	p.image.SetMinSize(fyne.NewSquareSize(160))
	p.image.Hide()
	p.text = kit.NewSelectableText("")
	p.text.Wrapping = wordWrap()
	p.text.Hide()
	p.kind = kit.NewSelect(doctext.Categories(), categoryName, func(c doctext.Category, ok bool) {
		if p.setting || p.node == nil || p.node.item == nil {
			return
		}
		if ok {
			p.v.setCategory(p.node.item.Path, c)
		}
	})
	p.kindRow = container.NewBorder(nil, nil, widget.NewLabel(lang.X("preview.kind", "Kind of document:")), nil, p.kind.Object())
	p.kindRow.Hide()
	body := container.NewBorder(container.NewVBox(p.kindRow, p.note), nil, nil, nil,
		container.NewStack(p.image, container.NewVScroll(p.text)))
	p.object = container.NewBorder(p.title, nil, nil, nil, body)
	return p
}

// stop gives up the picture being made.
func (p *previewPanel) stop() {
	p.gen++
	if p.job != nil {
		p.job.Cancel()
		p.job = nil
	}
}

// previewResult is a finished preview: a picture or some text.
type previewResult struct {
	img  image.Image
	text string
}

// show previews a row of the inventory (nil shows nothing).
func (p *previewPanel) show(n *invNode) {
	p.stop()
	p.node = n
	p.image.Hide()
	p.text.Hide()
	p.kindRow.Hide()
	if n == nil {
		return
	}
	full := n.title
	if n.detail != "" {
		full += "\n" + n.detail
	}
	p.title.SetText(full)
	inv := p.v.inv
	var work func(ctx context.Context) (previewResult, error)
	switch {
	case n.series != nil && n.study != nil:
		study, series := n.study.StudyInstanceUID, n.series.SeriesInstanceUID
		work = func(ctx context.Context) (previewResult, error) {
			img, err := preview.SeriesImage(ctx, inv, study, series, preview.Options{MaxSide: previewSide})
			return previewResult{img: img}, err
		}
	case n.slide != nil:
		s := n.slide
		work = func(ctx context.Context) (previewResult, error) {
			img, err := preview.SlideImage(ctx, inv, s, preview.Options{MaxSide: previewSide})
			return previewResult{img: img}, err
		}
	case n.item != nil && (n.item.Kind == intake.KindPDF || n.item.Kind == intake.KindDocument):
		it := n.item
		p.showKind(it.Path)
		work = func(ctx context.Context) (previewResult, error) {
			t, err := preview.Text(ctx, it, 0)
			return previewResult{text: t}, err
		}
	case n.item != nil && n.item.Kind == intake.KindImage:
		it := n.item
		p.showKind(it.Path)
		work = func(ctx context.Context) (previewResult, error) {
			img, err := preview.Image(ctx, it, preview.Options{MaxSide: previewSide})
			return previewResult{img: img}, err
		}
	case n.study != nil:
		setWrapText(p.note, lang.X("preview.study", "Choose one of the study's series to see a picture of it."))
		return
	default:
		setWrapText(p.note, lang.X("preview.none", "There is nothing to preview for this row."))
		return
	}
	setWrapText(p.note, lang.X("preview.working", "Making a preview…"))
	gen := p.gen
	p.job = startJob(p.v.run, context.Background(), func(ctx context.Context, _ func(struct{})) (previewResult, error) {
		return work(ctx)
	}, nil, func(r previewResult, err error) {
		if gen != p.gen {
			return
		}
		p.job = nil
		p.done(r, err)
	})
}

func (p *previewPanel) done(r previewResult, err error) {
	switch {
	case errors.Is(err, context.Canceled):
		return
	case errors.Is(err, doctext.ErrNoText):
		setWrapText(p.note, lang.X("preview.notext", "This document has no text Dossier can read (it may be a scan). It is still sent as it is."))
	case errors.Is(err, preview.ErrNoPreview):
		setWrapText(p.note, lang.X("preview.noreason", "No preview: {{.Reason}}. The file is still sent as it is.", map[string]any{"Reason": noPreviewReason(err)}))
	case err != nil:
		setWrapText(p.note, lang.X("preview.failed", "No preview could be made of this file. It is still listed and sent as it is."))
	case r.img != nil:
		setWrapText(p.note, lang.X("preview.image", "A small picture, only to recognise the file."))
		p.image.Image = r.img
		p.image.Show()
		p.image.Refresh()
	default:
		if strings.TrimSpace(r.text) == "" {
			setWrapText(p.note, lang.X("preview.notext", "This document has no text Dossier can read (it may be a scan). It is still sent as it is."))
			return
		}
		setWrapText(p.note, lang.X("preview.firstlines", "The first lines of the document:"))
		p.text.SetText(r.text)
		p.text.Show()
	}
}

// noPreviewReason is the plain reason of an ErrNoPreview error ("compressed with JPEG 2000, …").
func noPreviewReason(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, preview.ErrNoPreview.Error()+": "); i >= 0 {
		s = s[i+len(preview.ErrNoPreview.Error())+2:]
	}
	return strings.TrimSuffix(s, ".")
}

// showKind shows the kind a document is sorted as, from the latest checklist.
func (p *previewPanel) showKind(path string) {
	c := &p.v.checks
	var cat doctext.Category
	if k, ok := c.corrections[path]; ok {
		cat = k
	} else if c.report != nil {
		for _, d := range c.report.Documents {
			if d.Path == path {
				cat = d.Category
				break
			}
		}
	}
	if cat == "" {
		if c.report == nil || c.docCache[path] == nil {
			return // not sorted (yet)
		}
	}
	p.setting = true
	p.kind.SetValue(cat)
	p.setting = false
	p.kindRow.Show()
}

// reportChanged refreshes the document kind shown after the checklist was worked out again.
func (p *previewPanel) reportChanged() {
	if p.node != nil && p.node.item != nil && isDocument(p.node.item.Kind) {
		p.showKind(p.node.item.Path)
	}
}
