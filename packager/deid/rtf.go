package deid

import (
	"bytes"
	"fmt"
	"io"
)

// maxRTF bounds the size of an RTF document cleaned in memory.
const maxRTF = 512 << 20

// rtfStripped are the RTF groups removed from a cleaned document: the
// document information (title, author, operator, company, ...), user
// properties and document variables, comments (annotations) with their
// authors and anchors, and the table of revision authors.
var rtfStripped = map[string]bool{
	"info": true, "userprops": true, "docvar": true, "annotation": true, "atnid": true, "atnauthor": true,
	"atndate": true, "atnref": true, "atnicn": true, "atnparent": true, "atrfstart": true, "atrfend": true,
	"revtbl": true,
}

// StripRTF copies an RTF document without its \info group and the other
// groups rtfStripped lists; everything else is copied byte for byte.
func StripRTF(dst io.Writer, src io.Reader) error {
	b, err := io.ReadAll(io.LimitReader(src, maxRTF+1))
	if err != nil {
		return err
	}
	if len(b) > maxRTF {
		return fmt.Errorf("the RTF document is too large to clean (over %d MiB)", maxRTF>>20)
	}
	if !bytes.HasPrefix(b, []byte(`{\rtf`)) {
		return fmt.Errorf("not an RTF document: %w", ErrDamagedDocument)
	}
	var out bytes.Buffer
	last := 0
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '\\':
			if w, n, ok := rtfBin(b, i); ok {
				i += w + n - 1
				continue
			}
			i++ // an escaped character (\{, \}, \\) or the first letter of a word
		case '{':
			word := rtfGroupWord(b, i)
			if !rtfStripped[word] {
				continue
			}
			end, ok := rtfGroupEnd(b, i)
			if !ok {
				return fmt.Errorf("an RTF group is not closed: %w", ErrDamagedDocument)
			}
			out.Write(b[last:i])
			last = end + 1
			i = end
		}
	}
	out.Write(b[last:])
	_, err = dst.Write(out.Bytes())
	return err
}

// rtfGroupWord returns the control word that opens the group starting at
// b[i] ('{'), skipping an ignorable-destination mark (\*).
func rtfGroupWord(b []byte, i int) string {
	j := i + 1
	for j < len(b) && (b[j] == '\r' || b[j] == '\n') {
		j++
	}
	if j+1 < len(b) && b[j] == '\\' && b[j+1] == '*' {
		j += 2
		for j < len(b) && (b[j] == ' ' || b[j] == '\r' || b[j] == '\n') {
			j++
		}
	}
	if j >= len(b) || b[j] != '\\' {
		return ""
	}
	k := j + 1
	for k < len(b) && k-j < 32 && (b[k] >= 'a' && b[k] <= 'z' || b[k] >= 'A' && b[k] <= 'Z') {
		k++
	}
	return string(b[j+1 : k])
}

// rtfGroupEnd returns the index of the '}' that closes the group opening
// at b[i], honouring escapes and binary data.
func rtfGroupEnd(b []byte, i int) (int, bool) {
	depth := 0
	for ; i < len(b); i++ {
		switch b[i] {
		case '\\':
			if w, n, ok := rtfBin(b, i); ok {
				i += w + n - 1
				continue
			}
			i++
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return i, true
			}
		}
	}
	return 0, false
}

// rtfBin recognises \binN at b[i]: it returns the length of the control
// word (with its delimiter) and N, the count of raw bytes that follow.
func rtfBin(b []byte, i int) (word, n int, ok bool) {
	if !bytes.HasPrefix(b[i:], []byte(`\bin`)) {
		return 0, 0, false
	}
	j := i + 4
	for j < len(b) && b[j] >= '0' && b[j] <= '9' && j-i < 16 {
		n = n*10 + int(b[j]-'0')
		j++
	}
	if j == i+4 {
		return 0, 0, false // \binding or the like
	}
	if j < len(b) && b[j] == ' ' {
		j++
	}
	return j - i, min(n, len(b)-j), true
}
