package dicomdeid

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"
)

// e11Text is PS3.15 Table E.1-1 as data (see the file's header).
//
//go:embed e1_1.txt
var e11Text string

// Option is a column of Table E.1-1: an option of the Basic Application
// Confidentiality Profile.
type Option string

// The option columns of Table E.1-1.
const (
	OptRetainSafePrivate  Option = "sp"
	OptRetainUIDs         Option = "ui"
	OptRetainDevice       Option = "dv"
	OptRetainInstitution  Option = "in"
	OptRetainPatientChars Option = "pc"
	OptRetainFullDates    Option = "fd"
	OptRetainModifDates   Option = "md"
	OptCleanDescriptors   Option = "cd"
	OptCleanStructContent Option = "cs"
	OptCleanGraphics      Option = "cg"
)

// Rule is one row of Table E.1-1.
type Rule struct {
	// Tag is group<<16|element. Mask has 1 bits where the tag must match
	// (repeating groups such as 50xx,xxxx have zeros there).
	Tag, Mask uint32
	// Odd marks the "private attributes" row (any odd group).
	Odd bool
	// Basic is the action of the Basic Profile column: D, Z, X, K, C, U,
	// X/Z, X/D, Z/D, X/Z/D or X/Z/U*.
	Basic string
	// Options holds the action of each option column that has one.
	Options map[Option]string
	// Name is the attribute name.
	Name string
}

// rules is Table E.1-1, keyed by tag for exact rows; masked rows are in
// maskedRules.
var (
	rules       map[uint32]*Rule
	maskedRules []*Rule
	ruleList    []*Rule
	oddRule     *Rule
)

func init() {
	var err error
	ruleList, err = parseRules(e11Text)
	if err != nil {
		panic("dicomdeid: bad embedded E.1-1 table: " + err.Error())
	}
	rules = make(map[uint32]*Rule, len(ruleList))
	for _, r := range ruleList {
		switch {
		case r.Odd:
			oddRule = r
		case r.Mask != 0xFFFFFFFF:
			maskedRules = append(maskedRules, r)
		default:
			rules[r.Tag] = r
		}
	}
}

// Rules returns a copy of Table E.1-1 as embedded, in table order.
func Rules() []Rule {
	out := make([]Rule, len(ruleList))
	for i, r := range ruleList {
		out[i] = *r
	}
	return out
}

func parseRules(text string) ([]*Rule, error) {
	var out []*Rule
	seen := map[string]bool{}
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		spec, name, ok := strings.Cut(line, "|")
		if !ok {
			return nil, fmt.Errorf("dicomdeid: line %d: no name", n+1)
		}
		f := strings.Fields(spec)
		if len(f) < 2 {
			return nil, fmt.Errorf("dicomdeid: line %d: too few fields", n+1)
		}
		if seen[f[0]] {
			return nil, fmt.Errorf("dicomdeid: line %d: duplicate tag %s", n+1, f[0])
		}
		seen[f[0]] = true
		r := &Rule{Basic: f[1], Options: map[Option]string{}, Name: strings.TrimSpace(name)}
		if !validAction(r.Basic) {
			return nil, fmt.Errorf("dicomdeid: line %d: bad action %q", n+1, r.Basic)
		}
		if f[0] == "odd" {
			r.Odd = true
		} else {
			if len(f[0]) != 8 {
				return nil, fmt.Errorf("dicomdeid: line %d: bad tag %q", n+1, f[0])
			}
			var tag, mask uint32
			for _, c := range f[0] {
				tag, mask = tag<<4, mask<<4
				if c == 'x' {
					continue
				}
				v, err := strconv.ParseUint(string(c), 16, 8)
				if err != nil {
					return nil, fmt.Errorf("dicomdeid: line %d: bad tag %q", n+1, f[0])
				}
				tag |= uint32(v)
				mask |= 0xF
			}
			r.Tag, r.Mask = tag, mask
		}
		for _, o := range f[2:] {
			k, v, ok := strings.Cut(o, "=")
			if !ok || !validAction(v) {
				return nil, fmt.Errorf("dicomdeid: line %d: bad option %q", n+1, o)
			}
			switch Option(k) {
			case OptRetainSafePrivate, OptRetainUIDs, OptRetainDevice, OptRetainInstitution, OptRetainPatientChars,
				OptRetainFullDates, OptRetainModifDates, OptCleanDescriptors, OptCleanStructContent, OptCleanGraphics:
			default:
				return nil, fmt.Errorf("dicomdeid: line %d: unknown option %q", n+1, k)
			}
			r.Options[Option(k)] = v
		}
		out = append(out, r)
	}
	return out, nil
}

func validAction(a string) bool {
	switch a {
	case "D", "Z", "X", "K", "C", "U", "X/Z", "X/D", "Z/D", "X/Z/D", "X/Z/U*":
		return true
	}
	return false
}

// lookupRule returns the E.1-1 row for tag t, or nil.
func lookupRule(t uint32) *Rule {
	if r := rules[t]; r != nil {
		return r
	}
	if g := t >> 16; g&1 == 1 {
		return oddRule
	}
	for _, r := range maskedRules {
		if t&r.Mask == r.Tag {
			return r
		}
	}
	return nil
}

// action is what is done to one attribute.
type action int

const (
	actKeep    action = iota // K
	actRemove                // X
	actEmpty                 // Z
	actDummy                 // D
	actClean                 // C
	actUID                   // U
	actRecurse               // X/Z/U*: keep the sequence, remap the UIDs inside
)

func (a action) String() string {
	return [...]string{"K", "X", "Z", "D", "C", "U", "U*"}[a]
}

// Resolve returns the single action Dossier applies for rule r with the
// given options in force. Option columns override the Basic column; when
// several applied options disagree, C (clean) wins over K (keep), as the
// more protective. The combined codes resolve without IOD knowledge to the
// choice that keeps every IOD conformant: anything allowing D becomes D (a
// dummy is valid for Type 1, 2 and 3), X/Z becomes Z (valid for Types 2 and
// 3), and X/Z/U* keeps the sequence with its UIDs remapped.
func (r *Rule) Resolve(opts []Option) string {
	a := r.Basic
	got := ""
	for _, o := range opts {
		if v, ok := r.Options[o]; ok {
			if got == "" || v == "C" || v == "X" {
				got = v
			}
		}
	}
	if got != "" {
		a = got
	}
	switch a {
	case "X/D", "Z/D", "X/Z/D":
		return "D"
	case "X/Z":
		return "Z"
	case "X/Z/U*":
		return "U*"
	}
	return a
}

func toAction(s string) action {
	switch s {
	case "X":
		return actRemove
	case "Z":
		return actEmpty
	case "D":
		return actDummy
	case "C":
		return actClean
	case "U":
		return actUID
	case "U*":
		return actRecurse
	}
	return actKeep
}
