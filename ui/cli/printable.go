package cli

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Printable returns a file or entry name made safe to print on a terminal:
// control characters (C0, DEL, C1), the Unicode bidirectional overrides,
// embeddings and isolates, other invisible format characters, and bytes that
// are not valid UTF-8 are written as Go escapes (\x1b, \u202e, \xff), so a
// name cannot move the cursor, recolour the terminal or make itself read
// backwards. Printable names come back unchanged (a backslash too, as in
// Windows paths).
func Printable(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case escapeRune(r):
			if r < 0x100 {
				fmt.Fprintf(&b, `\x%02x`, r)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func needsEscape(s string) bool {
	if !utf8.ValidString(s) {
		return true
	}
	for _, r := range s {
		if escapeRune(r) {
			return true
		}
	}
	return false
}

// escapeRune reports the runes Printable escapes: controls and format
// characters (category Cf holds the bidi controls U+202A-U+202E,
// U+2066-U+2069, U+200E, U+200F, U+061C and zero-width characters), and the
// line and paragraph separators.
func escapeRune(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029'
}
