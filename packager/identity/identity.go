// Package identity gathers the identifying facts found in a case's records
// (names, IDs, birth dates, accession numbers, addresses, phone numbers) so that
// later steps can warn about mismatches, build the pseudonym map and scan
// written bytes for leaks. Values stay in memory and in the local store; they
// are never logged.
package identity

import (
	"sort"
	"strings"
	"sync"
)

// Kind says what sort of identifying fact a Token holds.
type Kind string

// The kinds of identifying fact.
const (
	Name       Kind = "name"
	ID         Kind = "id"
	BirthDate  Kind = "birthDate"
	Accession  Kind = "accession"
	Address    Kind = "address"
	Phone      Kind = "phone"
	Specimen   Kind = "specimen" // slide barcodes, specimen and container IDs
	Other      Kind = "other"
	minimumLen      = 2
)

// Token is one identifying fact and where it came from.
type Token struct {
	Kind  Kind   `json:"kind"`
	Value string `json:"value"`
	// Source names the field it came from (e.g. "DICOM PatientName", "aperio.Filename").
	Source string `json:"source"`
}

// Set is a de-duplicated collection of tokens, safe for concurrent use.
type Set struct {
	mu     sync.Mutex
	tokens map[key]Token
}

type key struct {
	kind  Kind
	value string
}

// NewSet returns an empty set.
func NewSet() *Set { return &Set{tokens: make(map[key]Token)} }

// Add records value under kind, ignoring empty and trivially short values and
// placeholders such as "ANONYMOUS". The first source seen for a value is kept.
func (s *Set) Add(kind Kind, value, source string) {
	v := Normalize(value)
	if len(v) < minimumLen || placeholder(v) {
		return
	}
	k := key{kind, strings.ToUpper(v)}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tokens == nil {
		s.tokens = make(map[key]Token)
	}
	if _, ok := s.tokens[k]; !ok {
		s.tokens[k] = Token{Kind: kind, Value: v, Source: source}
	}
}

// Merge adds every token of o to s.
func (s *Set) Merge(o *Set) {
	for _, t := range o.Tokens() {
		s.Add(t.Kind, t.Value, t.Source)
	}
}

// Tokens returns the tokens sorted by kind, then value.
func (s *Set) Tokens() []Token {
	s.mu.Lock()
	out := make([]Token, 0, len(s.tokens))
	for _, t := range s.tokens {
		out = append(out, t)
	}
	s.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return out[i].Kind < out[j].Kind
		}
		return out[i].Value < out[j].Value
	})
	return out
}

// Len reports how many distinct tokens the set holds.
func (s *Set) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.tokens)
}

// Normalize trims spaces, DICOM padding and trailing name-component separators.
func Normalize(v string) string {
	v = strings.TrimRight(v, "\x00 ")
	v = strings.TrimSpace(v)
	v = strings.TrimRight(v, "^=")
	return strings.TrimSpace(v)
}

func placeholder(v string) bool {
	switch strings.ToUpper(v) {
	case "ANONYMOUS", "ANON", "ANONYMIZED", "ANONYMISED", "DEIDENTIFIED", "DE-IDENTIFIED", "REMOVED", "REDACTED",
		"UNKNOWN", "NONE", "NO NAME", "NONAME", "PATIENT", "N/A", "NA", "NULL", "TEST", "^", "0", "00000000":
		return true
	}
	return false
}
