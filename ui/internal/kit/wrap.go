package kit

import (
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// BreakMark marks where Chinese and Japanese text may break between lines. Fyne wraps words only
// at white space (and cuts a word that does not fit anywhere), so Chinese text, written without
// spaces, was either cut anywhere (inside "DICOM" too) or broken at the one space far back. U+200A
// HAIR SPACE is white space to Fyne, and the UI's Chinese fonts give it no width
// (scripts/zero-width-hair-space.py), so a mark between two characters is a break opportunity
// and nothing else.
const BreakMark = '\u200a'

// Punctuation a line must not start with, or end with (as on the cover, packager/cover).
const (
	noBreakBefore = "，。、；：！？）］｝〕〉》」』】〗’”…‥·・ー々〻ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ,.;:!?)]}%"
	noBreakAfter  = "（［｛〔〈《「『【〖‘“([{"
)

// cjkUI reports whether the UI is in Chinese or Japanese.
func cjkUI() bool {
	l := Language()
	return strings.HasPrefix(l, "zh") || strings.HasPrefix(l, "ja")
}

// Breakable returns text ready for a wrapping label: in Chinese and Japanese, with a break mark
// between characters where a line may break (between two Chinese characters, and between Chinese
// and Latin), never inside a Latin word or number, nor before closing or after opening
// punctuation. Other languages' text is returned as it is.
func Breakable(text string) string {
	if !cjkUI() {
		return text
	}
	return MarkBreaks(text)
}

// MarkBreaks is Breakable in any language.
func MarkBreaks(text string) string {
	var b strings.Builder
	b.Grow(len(text) + len(text)/2)
	var prev rune
	for i, r := range text {
		if i > 0 && r != BreakMark && prev != BreakMark && !unicode.IsSpace(r) && !unicode.IsSpace(prev) &&
			(ideographic(prev) || ideographic(r)) &&
			!strings.ContainsRune(noBreakBefore, r) && !strings.ContainsRune(noBreakAfter, prev) {
			b.WriteRune(BreakMark)
		}
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}

// Unmarked is text without break marks.
func Unmarked(text string) string { return strings.ReplaceAll(text, string(BreakMark), "") }

// ideographic reports whether r is written without spaces around it: Han characters, kana, and CJK
// and full-width punctuation.
func ideographic(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana) ||
		r >= 0x3000 && r <= 0x303F || r >= 0xFF00 && r <= 0xFFEF
}

// NewWrapLabel is a label of running text that wraps in the UI's language: at spaces, and in
// Chinese and Japanese between characters too, but never inside a Latin word or number. Set its
// text with SetWrapText. WordWrap's labels wrap Chinese anywhere, inside "DICOM" too.
func NewWrapLabel(text string) *widget.Label {
	return NewWrapLabelWithStyle(text, fyne.TextStyle{})
}

// NewWrapLabelWithStyle is NewWrapLabel in a text style.
func NewWrapLabelWithStyle(text string, st fyne.TextStyle) *widget.Label {
	l := widget.NewLabelWithStyle(Breakable(text), fyne.TextAlignLeading, st)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// SetWrapText sets the text of a label made by NewWrapLabel, or of a text made by NewWrapText.
func SetWrapText(l interface{ SetText(string) }, text string) { l.SetText(Breakable(text)) }
