package kit

import (
	"errors"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"

	"dossier/packager/export"
	"dossier/packager/i18n"
)

// Language is the tag of the language the texts are shown in ("en" unless a translation matched).
func Language() string {
	return lang.X("language.tag", "en")
}

// EnglishUI reports whether the texts are shown in English, in which case the domain's own English
// texts are shown as they are.
func EnglishUI() bool {
	l := Language()
	return l == "en" || strings.HasPrefix(l, "en-")
}

// DocumentLanguage is the language the documents Dossier writes for the person (the request letter,
// and by default the cover summary) are in: the UI's, when the documents have a translation into it.
func DocumentLanguage() string {
	if c, err := i18n.Load(Language()); err == nil {
		return c.Lang()
	}
	return i18n.English
}

// WordWrap is how long texts wrap in the UI's language: at spaces, or, for Chinese and Japanese
// (written without spaces between words), between any two characters (Fyne's word wrapping breaks only at spaces, so a Chinese
// paragraph that starts with "Dossier " would leave the word alone on its first line).
func WordWrap() fyne.TextWrap {
	switch l := Language(); {
	case strings.HasPrefix(l, "zh"), strings.HasPrefix(l, "ja"):
		return fyne.TextWrapBreak
	}
	return fyne.TextWrapWord
}

// Message is a text without values that Dossier's packages wrote in English (a kind of identity, a
// sentence marked with i18n.Msg) in the UI's language: an exact lookup, see i18n.Catalog.Message.
// Findings with values are kept as i18n.Text and written with Text.
func Message(s string) string {
	if EnglishUI() {
		return s
	}
	return i18n.MustLoad(Language()).Message(s)
}

// FileCount writes a number of files ("1 file", "3 files") in the UI's language.
func FileCount(n int) string { return Count(n, "count.files", "{{.N}} files") }

// Count writes a number of things in the UI's language with the plural form the number takes there
// (Fyne's lang.XN): key's translations hold the forms ("one", "other"), each with {{.N}}, the number
// written with thousands separators; other is the English plural, the fallback.
func Count(n int, key, other string) string {
	return lang.XN(key, other, n, map[string]any{"N": FormatCount(n)})
}

// FormatCount writes a count with thousands separators.
func FormatCount(n int) string {
	s := strconv.Itoa(n)
	if n < 0 || len(s) <= 3 {
		return s
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// WarnIcon is the warning icon in the theme's warning colour.
func WarnIcon() fyne.Resource { return theme.NewWarningThemedResource(theme.WarningIcon()) }

// FingerprintGroups writes a fingerprint in groups of four, easy to read out.
func FingerprintGroups(hex string) string {
	var parts []string
	for i := 0; i < len(hex); i += 4 {
		parts = append(parts, hex[i:min(i+4, len(hex))])
	}
	return strings.Join(parts, " ")
}

// CopyText puts text on the clipboard.
func CopyText(s string) {
	if a := fyne.CurrentApp(); a != nil {
		a.Clipboard().SetContent(s)
	}
}

// ParseKeys reads public keys, one a line, as export.ParseKeys does, with its errors in the UI's
// language.
func ParseKeys(text string) ([]string, error) {
	keys, err := export.ParseKeys(text)
	if err != nil {
		return nil, errors.New(ErrorText(err))
	}
	return keys, nil
}

// KeyError words the error of a key that cannot be used for people, in the UI's language.
func KeyError(err error) error {
	return errors.New(ErrorText(&export.KeyError{Err: err}))
}

// texter is an error that keeps its message as a text (export.KeyError, a weak passphrase).
type texter interface{ Text() i18n.Text }

// ErrorText is an error of Dossier's packages in the UI's language: the text an error in its chain
// keeps (export.KeyError, a weak passphrase), else its message, which is then a sentence marked with
// i18n.Msg as it is (export.ErrNoLock).
func ErrorText(err error) string {
	var t texter
	if errors.As(err, &t) {
		return Text(t.Text())
	}
	return Text(i18n.NewText(err.Error()))
}

// FolderText is a folder chosen, or says none is.
func FolderText(d string) string {
	if d == "" {
		return lang.X("export.nofolder", "No folder chosen yet")
	}
	return d
}

// Text is a finding kept as format and values (an intake problem, a reason to leave an item out) in
// the UI's language: see i18n.Catalog.Text.
func Text(t i18n.Text) string {
	if EnglishUI() {
		return t.String()
	}
	return i18n.MustLoad(Language()).Text(t)
}
