// Package uitest is what the app's headless tests share: a loop that runs, in the test's
// goroutine, what the job runner posts to the UI goroutine, and ways to look at a window as a
// person sees it (the labels and buttons shown).
package uitest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"dossier/ui/internal/kit"
)

// Loop runs what the runner posts to the UI goroutine (kit.NewRunner(loop.Post)) when the test
// asks: the test's goroutine is the UI goroutine.
type Loop struct{ ch chan func() }

// NewLoop returns an empty loop.
func NewLoop() *Loop { return &Loop{ch: make(chan func(), 100000)} }

// Post queues f for the UI goroutine.
func (l *Loop) Post(f func()) { l.ch <- f }

// Until runs posted functions until cond holds, failing the test after 20 seconds.
func (l *Loop) Until(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for !cond() {
		select {
		case f := <-l.ch:
			f()
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// Next runs the next function posted, waiting at most d for it; false when none came.
func (l *Loop) Next(d time.Duration) bool {
	select {
	case f := <-l.ch:
		f()
		return true
	case <-time.After(d):
		return false
	}
}

// Drain runs what is posted during d.
func (l *Loop) Drain(d time.Duration) {
	end := time.After(d)
	for {
		select {
		case f := <-l.ch:
			f()
		case <-end:
			return
		}
	}
}

// Walk calls f for o and everything shown inside it, skipping hidden subtrees.
func Walk(o fyne.CanvasObject, f func(fyne.CanvasObject)) {
	if o == nil || !o.Visible() {
		return
	}
	f(o)
	switch c := o.(type) {
	case *fyne.Container:
		for _, x := range c.Objects {
			Walk(x, f)
		}
	case fyne.Widget:
		for _, x := range test.WidgetRenderer(c).Objects() {
			Walk(x, f)
		}
	}
}

// Shown returns every object shown in the window, dialogs included.
func Shown(w fyne.Window) []fyne.CanvasObject {
	var out []fyne.CanvasObject
	add := func(o fyne.CanvasObject) { out = append(out, o) }
	Walk(w.Content(), add)
	for _, o := range w.Canvas().Overlays().List() {
		Walk(o, add)
	}
	return out
}

// Labels returns the texts of every label (and selectable text) shown in the window.
func Labels(w fyne.Window) []string {
	var out []string
	for _, o := range Shown(w) {
		switch l := o.(type) {
		case *widget.Label:
			out = append(out, l.Text)
		case *kit.SelectableText:
			out = append(out, l.Text)
		}
	}
	return out
}

// HasLabel reports whether a label shown in the window holds text.
func HasLabel(w fyne.Window, text string) bool {
	return slices.ContainsFunc(Labels(w), func(s string) bool { return strings.Contains(s, text) })
}

// FindButton finds a shown button by its text (nil if there is none).
func FindButton(w fyne.Window, text string) *widget.Button {
	for _, o := range Shown(w) {
		if b, ok := o.(*kit.Button); ok && b.Text == text {
			return &b.Button
		}
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			return b
		}
	}
	return nil
}
