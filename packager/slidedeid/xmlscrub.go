package slidedeid

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// errBadXML is wrapped when a vendor XML cannot be parsed; the message
// never quotes its content.
var errBadXML = errors.New("slidedeid: malformed XML metadata")

// xnode is an XML element with the byte spans of its raw text, so that
// edits can be spliced into the original without re-serialising the rest.
type xnode struct {
	name      xml.Name // raw: Space holds the prefix
	attrs     []xml.Attr
	start     int // offset of '<'
	tagEnd    int // offset after the start tag
	end       int // offset after the end tag
	selfClose bool
	parent    *xnode
	children  []*xnode
	text      strings.Builder
}

func (n *xnode) attr(local string) string {
	for _, a := range n.attrs {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

func (n *xnode) child(local string) *xnode {
	for _, c := range n.children {
		if c.name.Local == local {
			return c
		}
	}
	return nil
}

func (n *xnode) walk(fn func(*xnode) bool) {
	if !fn(n) {
		return
	}
	for _, c := range n.children {
		c.walk(fn)
	}
}

const maxXMLDepth = 256

// parseSpans parses s into a tree of elements with byte spans.
func parseSpans(s string) (*xnode, error) {
	dec := xml.NewDecoder(strings.NewReader(s))
	dec.Strict = true
	dec.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	var root *xnode
	var stack []*xnode
	for {
		pos := int(dec.InputOffset())
		tok, err := dec.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, xmlErr(err)
		}
		end := int(dec.InputOffset())
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) >= maxXMLDepth {
				return nil, fmt.Errorf("%w: nested too deeply", errBadXML)
			}
			n := &xnode{name: t.Name, attrs: append([]xml.Attr(nil), t.Attr...), start: pos, tagEnd: end}
			n.selfClose = end >= 2 && end <= len(s) && s[end-2:end] == "/>"
			if len(stack) > 0 {
				n.parent = stack[len(stack)-1]
				n.parent.children = append(n.parent.children, n)
			} else if root == nil {
				root = n
			} else {
				return nil, fmt.Errorf("%w: several root elements", errBadXML)
			}
			stack = append(stack, n)
		case xml.EndElement:
			if len(stack) == 0 {
				return nil, fmt.Errorf("%w: unbalanced end tag", errBadXML)
			}
			top := stack[len(stack)-1]
			if top.name != t.Name {
				return nil, fmt.Errorf("%w: mismatched end tag", errBadXML)
			}
			top.end = end
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text.Write(t)
			}
		}
	}
	if root == nil || len(stack) != 0 {
		return nil, fmt.Errorf("%w: no complete root element", errBadXML)
	}
	return root, nil
}

func xmlErr(err error) error {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("%w: syntax error on line %d", errBadXML, se.Line)
	}
	return fmt.Errorf("%w: invalid XML", errBadXML)
}

func rawName(n xml.Name) string {
	if n.Space != "" {
		return n.Space + ":" + n.Local
	}
	return n.Local
}

var attrEscaper = strings.NewReplacer(`&`, "&amp;", `<`, "&lt;", `>`, "&gt;", `"`, "&quot;", "\t", "&#x9;", "\n", "&#xA;", "\r", "&#xD;")

// xmlRules say what an XML scrub removes. Keys name what was removed, for
// the plan's report (element and attribute names, never values).
type xmlRules struct {
	dropElem func(n *xnode) bool
	dropAttr func(n *xnode, a xml.Attr) bool
}

type xmlEdit struct {
	start, end int
	repl       string
}

// scrubXML removes elements and attributes from the XML document s, leaving
// every other byte as it was. It returns the new text and the names of what
// was removed ("elem" or "elem@attr").
func scrubXML(s string, rules xmlRules) (string, []string, error) {
	root, err := parseSpans(s)
	if err != nil {
		return "", nil, err
	}
	var edits []xmlEdit
	var keys []string
	root.walk(func(n *xnode) bool {
		if n != root && rules.dropElem != nil && rules.dropElem(n) {
			edits = append(edits, xmlEdit{n.start, n.end, ""})
			keys = append(keys, n.name.Local)
			return false
		}
		if rules.dropAttr == nil {
			return true
		}
		var kept []xml.Attr
		changed := false
		for _, a := range n.attrs {
			if rules.dropAttr(n, a) {
				changed = true
				keys = append(keys, n.name.Local+"@"+a.Name.Local)
				continue
			}
			kept = append(kept, a)
		}
		if changed {
			var b strings.Builder
			b.WriteString("<" + rawName(n.name))
			for _, a := range kept {
				b.WriteString(" " + rawName(a.Name) + `="` + attrEscaper.Replace(a.Value) + `"`)
			}
			if n.selfClose {
				b.WriteString("/>")
			} else {
				b.WriteString(">")
			}
			edits = append(edits, xmlEdit{n.start, n.tagEnd, b.String()})
		}
		return true
	})
	if len(edits) == 0 {
		return s, nil, nil
	}
	sort.Slice(edits, func(i, j int) bool { return edits[i].start < edits[j].start })
	var b strings.Builder
	pos := 0
	for _, e := range edits {
		if e.start < pos || e.end > len(s) || e.start > e.end {
			return "", nil, fmt.Errorf("%w: overlapping edits at %s", errBadXML, strconv.Itoa(e.start))
		}
		b.WriteString(s[pos:e.start])
		b.WriteString(e.repl)
		pos = e.end
	}
	b.WriteString(s[pos:])
	return b.String(), keys, nil
}
