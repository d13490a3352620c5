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
// groups rtfStripped lists, and without hidden text (\v); everything else
// is copied byte for byte.
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
			if rtfWordBefore(b, i) && end+1 < len(b) && rtfJoins(b[end+1]) {
				out.WriteByte(' ') // \chatn{...}Text must not become \chatnText
			}
			last = end + 1
			i = end
		}
	}
	out.Write(b[last:])
	_, err = dst.Write(removeRTFHidden(out.Bytes()))
	return err
}

// removeRTFHidden drops the text formatted as hidden (\v, until \v0,
// \plain or the end of the group): plain characters, \'xx and \uN
// characters and control symbols that stand for text. Control words stay,
// so the formatting after the hidden text is as before.
func removeRTFHidden(b []byte) []byte {
	out := make([]byte, 0, len(b))
	hidden := false
	var stack []bool
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch c {
		case '{':
			if len(stack) < 1<<16 {
				stack = append(stack, hidden)
			}
			out = append(out, c)
			continue
		case '}':
			if len(stack) > 0 {
				hidden, stack = stack[len(stack)-1], stack[:len(stack)-1]
			}
			out = append(out, c)
			continue
		case '\\':
		case '\r', '\n':
			out = append(out, c)
			continue
		default:
			if !hidden {
				out = append(out, c)
			}
			continue
		}
		if w, n, ok := rtfBin(b, i); ok {
			out = append(out, b[i:i+w+n]...)
			i += w + n - 1
			continue
		}
		if i+1 >= len(b) {
			out = append(out, c)
			continue
		}
		next := b[i+1]
		if !(next >= 'a' && next <= 'z' || next >= 'A' && next <= 'Z') {
			// A control symbol: \'xx is a character, others mostly are too.
			end := i + 2
			if next == '\'' {
				end = min(i+4, len(b))
			}
			if !hidden || next == '*' {
				out = append(out, b[i:end]...)
			}
			i = end - 1
			continue
		}
		j := i + 1
		for j < len(b) && j-i < 33 && (b[j] >= 'a' && b[j] <= 'z' || b[j] >= 'A' && b[j] <= 'Z') {
			j++
		}
		word := string(b[i+1 : j])
		k := j
		if k < len(b) && b[k] == '-' {
			k++
		}
		for k < len(b) && b[k] >= '0' && b[k] <= '9' && k-j < 12 {
			k++
		}
		param := string(b[j:k])
		if k < len(b) && b[k] == ' ' {
			k++
		}
		switch word {
		case "v":
			hidden = param != "0"
		case "plain":
			hidden = false
		}
		if !(hidden && word == "u") { // a hidden \uN character goes with its text
			out = append(out, b[i:k]...)
		}
		i = k - 1
	}
	return out
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
