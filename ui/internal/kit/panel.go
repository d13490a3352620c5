package kit

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Panel is content on a rounded, tinted background whose colours follow the theme (light or dark).
type Panel struct {
	widget.BaseWidget
	content fyne.CanvasObject
	fill    fyne.ThemeColorName
	stroke  fyne.ThemeColorName // "" for no border
}

// NewPanel returns content on a background of the theme colour fill, with an optional border colour.
func NewPanel(content fyne.CanvasObject, fill, stroke fyne.ThemeColorName) *Panel {
	p := &Panel{content: content, fill: fill, stroke: stroke}
	p.ExtendBaseWidget(p)
	return p
}

// SetStroke changes the border colour ("" for none).
func (p *Panel) SetStroke(stroke fyne.ThemeColorName) {
	p.stroke = stroke
	p.Refresh()
}

// CreateRenderer is part of fyne.Widget.
func (p *Panel) CreateRenderer() fyne.WidgetRenderer {
	bg := canvas.NewRectangle(nil)
	r := &panelRenderer{p: p, bg: bg, inner: container.NewPadded(p.content)}
	r.Refresh()
	return r
}

type panelRenderer struct {
	p     *Panel
	bg    *canvas.Rectangle
	inner *fyne.Container
}

func (r *panelRenderer) Layout(s fyne.Size) {
	r.bg.Resize(s)
	r.inner.Resize(s)
}

func (r *panelRenderer) MinSize() fyne.Size { return r.inner.MinSize() }

func (r *panelRenderer) Refresh() {
	th := r.p.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	r.bg.FillColor = th.Color(r.p.fill, v)
	r.bg.CornerRadius = th.Size(theme.SizeNameInputRadius) * 2
	r.bg.StrokeWidth = 0
	if r.p.stroke != "" {
		r.bg.StrokeColor = th.Color(r.p.stroke, v)
		r.bg.StrokeWidth = 2
	}
	r.bg.Refresh()
	r.inner.Refresh()
}

func (r *panelRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.bg, r.inner} }

func (r *panelRenderer) Destroy() {}
