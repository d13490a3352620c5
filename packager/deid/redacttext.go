package deid

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"

	"dossier/packager/i18n"
	"dossier/packager/identity"
	"dossier/packager/textenc"
)

// errEncoding is returned for a text file that would not be written back
// byte for byte in its own encoding: it is held for review.
var errEncoding = errors.New(i18n.Msg("its text names the patient, and its characters cannot be written back unchanged"))

// RedactText writes to dst the plain-text file src with every spelling m
// finds replaced by "[label]", in the file's own encoding (packager/textenc:
// UTF-8 with or without a byte order mark, UTF-16, Windows-1252, GB18030,
// Shift_JIS). A file that does not decode and encode back to the same bytes,
// or whose label cannot be written in its encoding, fails with errEncoding;
// the result is read back and fails with errSpellingLeft if it still names
// the patient. It returns the places replaced by kind of identity.
func RedactText(ctx context.Context, dst io.Writer, src io.Reader, m *identity.Matcher, label string) ([]Redaction, error) {
	b, err := io.ReadAll(io.LimitReader(src, maxCheckedText+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxCheckedText {
		return nil, errors.New(i18n.Msg("it is too long for Dossier to check all of it for names and other details"))
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	text, name := textenc.Decode(b)
	enc := textenc.Encoding(name)
	if back, err := enc.NewEncoder().Bytes([]byte(text)); err != nil || !bytes.Equal(back, b) {
		return nil, errEncoding
	}
	kinds := map[string]int{}
	for _, s := range m.FindAll(text) {
		kinds[string(s.Kind)]++
	}
	out, _ := m.Replace(text, "["+label+"]")
	if len(m.FindAll(out)) > 0 {
		return nil, errSpellingLeft
	}
	w, err := enc.NewEncoder().Bytes([]byte(out))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errEncoding, err)
	}
	if again, _ := textenc.Decode(w); len(m.FindAll(again)) > 0 {
		return nil, errSpellingLeft
	}
	if _, err := dst.Write(w); err != nil {
		return nil, err
	}
	counts := make([]Redaction, 0, len(kinds))
	for k, n := range kinds {
		counts = append(counts, Redaction{Kind: k, Count: n})
	}
	sort.Slice(counts, func(i, j int) bool { return counts[i].Kind < counts[j].Kind })
	return counts, nil
}
