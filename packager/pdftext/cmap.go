package pdftext

import (
	"unicode/utf16"
	"unicode/utf8"
)

// codeRange is one codespace range of a CMap: codes of n bytes whose bytes
// each lie between lo and hi.
type codeRange struct {
	n      int
	lo, hi [4]byte
}

// bfRange maps the codes lo..hi to text: dst with its last character
// incremented, or one entry of list per code (the array form).
type bfRange struct {
	lo, hi uint32
	dst    []uint16
	list   []string
}

// cidRange maps codes lo..hi to CIDs cid, cid+1, ...
type cidRange struct {
	lo, hi, cid uint32
}

// cmap holds what Dossier uses of a CMap: the codespace (how a string
// splits into codes), code-to-text (ToUnicode) and code-to-CID (an embedded
// encoding CMap).
type cmap struct {
	space  []codeRange
	chars  map[uint32]string
	ranges []bfRange
	cids   []cidRange
}

// maxCMapEntries bounds what one CMap may define.
const maxCMapEntries = 1 << 18

// parseCMap reads a CMap program. steps counts tokens against the
// document's budget; a CMap that runs out of it is read as far as it got.
func parseCMap(src []byte, steps func(int) bool) *cmap {
	cm := &cmap{chars: map[uint32]string{}}
	lx := NewLexer(src)
	var ops []Token
	entries := 0
	mode := ""
	for {
		t := lx.Next()
		if t.Kind == KindEOF || !steps(1) || entries > maxCMapEntries {
			break
		}
		switch t.Kind {
		case KindComment:
			continue
		case KindArrayBegin:
			// Keep arrays (bfrange's array form) whole: collect their strings.
			arr := []Token{t}
			for {
				e := lx.Next()
				if e.Kind == KindEOF || e.Kind == KindArrayEnd || !steps(1) || len(arr) > 1<<16 {
					break
				}
				arr = append(arr, e)
			}
			ops = append(ops, arr...)
			ops = append(ops, Token{Kind: KindArrayEnd})
			continue
		case KindOperator:
		default:
			if len(ops) < 1<<17 {
				ops = append(ops, t)
			}
			continue
		}
		op := string(t.Bytes(src))
		switch op {
		case "begincodespacerange", "beginbfchar", "beginbfrange", "begincidrange", "begincidchar":
			mode = op
			ops = ops[:0]
			continue
		case "endcodespacerange":
			for i := 0; i+1 < len(ops); i += 2 {
				lo, hi := DecodeString(ops[i].Bytes(src)), DecodeString(ops[i+1].Bytes(src))
				if len(lo) == 0 || len(lo) > 4 || len(hi) != len(lo) {
					continue
				}
				r := codeRange{n: len(lo)}
				copy(r.lo[:], lo)
				copy(r.hi[:], hi)
				cm.space = append(cm.space, r)
				entries++
			}
		case "endbfchar":
			for i := 0; i+1 < len(ops); i += 2 {
				if ops[i].Kind != KindHexString && ops[i].Kind != KindString {
					continue
				}
				code, ok := codeValue(DecodeString(ops[i].Bytes(src)))
				if !ok {
					continue
				}
				cm.chars[code] = dstText(ops[i+1], src)
				entries++
			}
		case "endbfrange":
			for i := 0; i+2 < len(ops); {
				lo, ok1 := codeValue(DecodeString(ops[i].Bytes(src)))
				hi, ok2 := codeValue(DecodeString(ops[i+1].Bytes(src)))
				d := ops[i+2]
				next := i + 3
				r := bfRange{lo: lo, hi: hi}
				if d.Kind == KindArrayBegin {
					j := i + 3
					for ; j < len(ops) && !(ops[j].Kind == KindArrayEnd && ops[j].End == 0); j++ {
						r.list = append(r.list, dstText(ops[j], src))
					}
					next = j + 1
				} else {
					r.dst = utf16Units(DecodeString(d.Bytes(src)))
				}
				i = next
				if !ok1 || !ok2 || hi < lo || (len(r.dst) == 0 && r.list == nil) {
					continue
				}
				cm.ranges = append(cm.ranges, r)
				entries++
			}
		case "endcidrange":
			for i := 0; i+2 < len(ops); i += 3 {
				lo, ok1 := codeValue(DecodeString(ops[i].Bytes(src)))
				hi, ok2 := codeValue(DecodeString(ops[i+1].Bytes(src)))
				if ok1 && ok2 && hi >= lo && ops[i+2].Kind == KindNumber {
					cm.cids = append(cm.cids, cidRange{lo, hi, uint32(max(0, Number(ops[i+2].Bytes(src))))})
					entries++
				}
			}
		case "endcidchar":
			for i := 0; i+1 < len(ops); i += 2 {
				c, ok := codeValue(DecodeString(ops[i].Bytes(src)))
				if ok && ops[i+1].Kind == KindNumber {
					cm.cids = append(cm.cids, cidRange{c, c, uint32(max(0, Number(ops[i+1].Bytes(src))))})
					entries++
				}
			}
		}
		_ = mode
		ops = ops[:0]
	}
	return cm
}

func codeValue(b []byte) (uint32, bool) {
	if len(b) == 0 || len(b) > 4 {
		return 0, false
	}
	var v uint32
	for _, c := range b {
		v = v<<8 | uint32(c)
	}
	return v, true
}

func utf16Units(b []byte) []uint16 {
	u := make([]uint16, 0, (len(b)+1)/2)
	for i := 0; i+1 < len(b); i += 2 {
		u = append(u, uint16(b[i])<<8|uint16(b[i+1]))
	}
	if len(b)%2 == 1 { // a one-byte destination, as some writers emit
		u = append(u, uint16(b[len(b)-1]))
	}
	return u
}

// dstText is the text of a bfchar destination: UTF-16BE in a string, or a
// glyph name.
func dstText(t Token, src []byte) string {
	switch t.Kind {
	case KindHexString, KindString:
		return string(utf16.Decode(utf16Units(DecodeString(t.Bytes(src)))))
	case KindName:
		if r, ok := glyphRune(NameValue(t.Bytes(src))); ok {
			return string(r)
		}
	}
	return ""
}

// lookup returns the text of a code, and whether the CMap knows it.
func (cm *cmap) lookup(code uint32) (string, bool) {
	if s, ok := cm.chars[code]; ok {
		return s, true
	}
	for i := len(cm.ranges) - 1; i >= 0; i-- {
		r := &cm.ranges[i]
		if code < r.lo || code > r.hi {
			continue
		}
		off := code - r.lo
		if r.list != nil {
			if int(off) < len(r.list) {
				return r.list[off], true
			}
			return "", false
		}
		u := append([]uint16(nil), r.dst...)
		u[len(u)-1] += uint16(off)
		return string(utf16.Decode(u)), true
	}
	return "", false
}

// cid returns the CID of a code in an embedded encoding CMap.
func (cm *cmap) cid(code uint32) (uint32, bool) {
	for i := len(cm.cids) - 1; i >= 0; i-- {
		r := cm.cids[i]
		if code >= r.lo && code <= r.hi {
			return r.cid + code - r.lo, true
		}
	}
	return 0, false
}

// split returns the length of the code at the start of s: the codespace
// range it falls in, or the shortest code length when none matches (as
// PDF readers do), or def when the CMap declares no codespace.
func splitCode(space []codeRange, s []byte, def int) int {
	if len(space) == 0 {
		return min(def, len(s))
	}
	shortest := 4
	for n := 1; n <= 4 && n <= len(s); n++ {
		for _, r := range space {
			if r.n != n {
				continue
			}
			shortest = min(shortest, r.n)
			ok := true
			for i := 0; i < n; i++ {
				if s[i] < r.lo[i] || s[i] > r.hi[i] {
					ok = false
					break
				}
			}
			if ok {
				return n
			}
		}
	}
	for _, r := range space {
		shortest = min(shortest, r.n)
	}
	return max(1, min(shortest, len(s)))
}

// validText drops what must not reach page text: invalid UTF-8 and
// control characters other than white space.
func validText(s string) string {
	ok := true
	for _, r := range s {
		if r == utf8.RuneError || r < 0x20 && r != '\t' && r != '\n' || r == 0x7f || (r >= 0xD800 && r < 0xE000) {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if r == utf8.RuneError || r < 0x20 || r == 0x7f || (r >= 0xD800 && r < 0xE000) {
			continue
		}
		out = append(out, r)
	}
	return string(out)
}
