package ui

import (
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// breakMark marks where Chinese and Japanese text may break between lines. Fyne wraps words only
// at white space (and cuts a word that does not fit anywhere), so Chinese text, written without
// spaces, was either cut anywhere (inside "DICOM" too) or broken at the one space far back. U+200A
// HAIR SPACE is white space to Fyne, and the UI's Chinese fonts give it no width
// (scripts/zero-width-hair-space.py), so a mark between two characters is a break opportunity
// and nothing else.
const breakMark = '\u200a'

// Punctuation a line must not start with, or end with (as on the cover, packager/cover).
const (
	noBreakBefore = "，。、；：！？）］｝〕〉》」』】〗’”…‥·・ー々〻ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ,.;:!?)]}%"
	noBreakAfter  = "（［｛〔〈《「『【〖‘“([{"
)

// cjkUI reports whether the UI is in Chinese or Japanese.
func cjkUI() bool {
	l := currentLanguage()
	return strings.HasPrefix(l, "zh") || strings.HasPrefix(l, "ja")
}

// breakable returns text ready for a wrapping label: in Chinese and Japanese, with a break mark
// between characters where a line may break (between two Chinese characters, and between Chinese
// and Latin), never inside a Latin word or number, nor before closing or after opening
// punctuation. Other languages' text is returned as it is.
func breakable(text string) string {
	if !cjkUI() {
		return text
	}
	return markBreaks(text)
}

func markBreaks(text string) string {
	var b strings.Builder
	b.Grow(len(text) + len(text)/2)
	var prev rune
	for i, r := range text {
		if i > 0 && r != breakMark && prev != breakMark && !unicode.IsSpace(r) && !unicode.IsSpace(prev) &&
			(ideographic(prev) || ideographic(r)) &&
			!strings.ContainsRune(noBreakBefore, r) && !strings.ContainsRune(noBreakAfter, prev) {
			b.WriteRune(breakMark)
		}
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}

// unmarked is text without break marks.
func unmarked(text string) string { return strings.ReplaceAll(text, string(breakMark), "") }

// ideographic reports whether r is written without spaces around it: Han characters, kana, and CJK
// and full-width punctuation.
func ideographic(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana) ||
		r >= 0x3000 && r <= 0x303F || r >= 0xFF00 && r <= 0xFFEF
}

// newWrapLabel is a label of running text that wraps in the UI's language: at spaces, and in
// Chinese and Japanese between characters too, but never inside a Latin word or number. Set its
// text with setWrapText.
func newWrapLabel(text string) *widget.Label {
	return newWrapLabelWithStyle(text, fyne.TextStyle{})
}

// newWrapLabelWithStyle is newWrapLabel in a text style.
func newWrapLabelWithStyle(text string, st fyne.TextStyle) *widget.Label {
	l := widget.NewLabelWithStyle(breakable(text), fyne.TextAlignLeading, st)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// setWrapText sets the text of a label made by newWrapLabel.
func setWrapText(l *widget.Label, text string) { l.SetText(breakable(text)) }
