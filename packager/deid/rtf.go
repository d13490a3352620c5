package deid

import (
	"bytes"
	"fmt"
	"io"

	"dossier/packager/rtflex"
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
	last, start := 0, 0
	depth, strip := 0, 0 // the depth of the group being removed, when stripping
	stripping := false
	for t := range rtflex.Tokens(b) {
		switch t.Kind {
		case rtflex.GroupStart:
			depth++
			if !stripping && rtfStripped[rtfGroupWord(b, t.Start)] {
				stripping, strip, start = true, depth, t.Start
			}
		case rtflex.GroupEnd:
			if stripping && depth == strip {
				out.Write(b[last:start])
				if rtfWordBefore(b, start) && t.End < len(b) && rtfJoins(b[t.End]) {
					out.WriteByte(' ') // \chatn{...}Text must not become \chatnText
				}
				last = t.End
				stripping = false
			}
			depth--
		}
	}
	if stripping {
		return fmt.Errorf("an RTF group is not closed: %w", ErrDamagedDocument)
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
	end := 0
	for t := range rtflex.Tokens(b) {
		end = t.End
		tok := b[t.Start:t.End]
		switch t.Kind {
		case rtflex.GroupStart:
			if len(stack) < 1<<16 {
				stack = append(stack, hidden)
			}
		case rtflex.GroupEnd:
			if len(stack) > 0 {
				hidden, stack = stack[len(stack)-1], stack[:len(stack)-1]
			}
		case rtflex.Break:
		case rtflex.Word:
			switch t.Name {
			case "v":
				hidden = !t.HasParam || t.Param != 0
			case "plain":
				hidden = false
			}
			if hidden && t.Name == "u" {
				continue // a hidden \uN character goes with its text
			}
		default: // a character or a control symbol
			if hidden && !(t.Kind == rtflex.Symbol && t.Byte == '*') {
				continue
			}
		}
		out = append(out, tok...)
	}
	return append(out, b[end:]...) // a final backslash
}

// rtfGroupWord returns the control word that opens the group starting at
// b[i] ('{'), skipping line breaks and an ignorable-destination mark (\*)
// with the spaces after it.
func rtfGroupWord(b []byte, i int) string {
	star := false
	for t := range rtflex.Tokens(b[i+1:]) {
		switch {
		case t.Kind == rtflex.Break:
		case t.Kind == rtflex.Symbol && t.Byte == '*' && !star:
			star = true
		case t.Kind == rtflex.Char && t.Byte == ' ' && star:
		case t.Kind == rtflex.Word:
			return t.Name
		default:
			return ""
		}
	}
	return ""
}
