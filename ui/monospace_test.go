package ui

import (
	"strings"
	"testing"
	"time"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	"dossier/packager/store"
)

// TestMonospaceHasNoChinese: the Sent tab's list in the Chinese UI draws the fingerprint's digits in
// monospace and its word ("指纹") in the UI's font: the monospace font has no Chinese characters, and
// the word came out as two empty boxes when the whole line was monospace.
func TestMonospaceHasNoChinese(t *testing.T) {
	t.Cleanup(func() { useLanguage("") })
	t.Setenv("LANGUAGE", "")
	useLanguage("zh-Hans")
	h := newHistoryPanel(func() {})
	h.setExports([]*store.Export{{Name: "dossier-2026-12-04", Recipient: "generated passphrase", Level: "pseudonymised",
		Fingerprint: strings.Repeat("377a4c32", 8), Created: time.Date(2026, 12, 4, 20, 59, 0, 0, time.UTC), Bytes: 946000}})
	w := test.NewWindow(h.object)
	defer w.Close()
	w.Resize(fyne.NewSize(900, 500))
	mono, word := 0, false
	walkAll(w.Content(), func(o fyne.CanvasObject) {
		tx, ok := o.(*canvas.Text)
		if !ok || tx.Text == "" {
			return
		}
		if tx.Text == "指纹" && !tx.TextStyle.Monospace {
			word = true
		}
		if !tx.TextStyle.Monospace {
			return
		}
		mono++
		for _, r := range tx.Text {
			if r > unicode.MaxASCII && r != '…' {
				t.Errorf("monospace text %q has %q, which the monospace font cannot draw", tx.Text, r)
				break
			}
		}
	})
	if mono == 0 || !word {
		t.Errorf("the fingerprint is not shown: %d monospace texts, the word in the UI's font: %v", mono, word)
	}
}
