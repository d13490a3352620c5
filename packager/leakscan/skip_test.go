package leakscan

import (
	"math/rand"
	"reflect"
	"testing"

	"dossier/packager/identity"
)

// feedPlain is Feed without any skipping: the automaton steps over every
// byte. Feed must find exactly what it finds, and end in the same state.
func (s *Scanner) feedPlain(st *State, where string, p []byte, hits []Hit) []Hit {
	node := uint32(st.node)
	for i := 0; i < len(p); i++ {
		e := s.flat[node<<8|uint32(p[i])]
		node = e >> 1
		if e&1 != 0 {
			for _, idx := range s.out[node] {
				n := s.needles[idx]
				if l := s.number[idx]; l > 0 && !st.Loose && runsOnDigits(p, i-l+1, i) {
					continue
				}
				hits = append(hits, Hit{Where: where, Offset: st.off + int64(i) + 1, Kind: n.Kind, Source: n.Source})
			}
		}
	}
	st.node = int32(node)
	st.off += int64(len(p))
	return hits
}

// The skip table changes nothing found: random needle sets (short and
// long, digits, Latin-1), data of every kind with needles planted (whole,
// in other case, cut short, overlapping), fed in chunks of every size.
func TestSkipFindsWhatTheAutomatonFinds(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	alphabet := []byte("abcdeABCDE0123456789^-. /\xe9\xfc")
	word := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = alphabet[r.Intn(len(alphabet))]
		}
		return string(b)
	}
	sets := [][]identity.Needle{caseSet().Needles()}
	for range 30 {
		var ns []identity.Needle
		for range 1 + r.Intn(12) {
			ns = append(ns, identity.Needle{Text: word(2 + r.Intn(9)), Kind: identity.Name, Source: "test"})
		}
		sets = append(sets, ns)
	}
	total := 0
	for si, needles := range sets {
		sc := New(needles)
		for di := range 12 {
			data := make([]byte, 1+r.Intn(60000))
			switch di % 4 {
			case 0:
				r.Read(data) // binary
			case 1:
				r.Read(data) // 16-bit pixels of 12 bits
				for i := 1; i < len(data); i += 2 {
					data[i] &= 0x0F
				}
			case 2:
				for i := range data { // text of the needles' own letters
					data[i] = alphabet[r.Intn(len(alphabet))]
				}
			case 3:
				for i := range data { // digits
					data[i] = '0' + byte(r.Intn(10))
				}
			}
			for range r.Intn(40) {
				n := needles[r.Intn(len(needles))].Text
				if r.Intn(4) == 0 {
					n = n[:r.Intn(len(n)+1)]
				}
				if r.Intn(2) == 0 {
					b := []byte(n)
					for i := range b {
						if b[i] >= 'a' && b[i] <= 'z' {
							b[i] -= 'a' - 'A'
						}
					}
					n = string(b)
				}
				if at := r.Intn(len(data)); at+len(n) <= len(data) {
					copy(data[at:], n)
				}
			}
			for _, loose := range []bool{false, true} {
				for _, chunk := range []int{1, 3, 7, 64, 4096, len(data)} {
					if chunk < 7 && len(data) > 5000 {
						continue
					}
					a, b := State{Loose: loose}, State{Loose: loose}
					var got, want []Hit
					for i := 0; i < len(data); i += chunk {
						part := data[i:min(i+chunk, len(data))]
						got = sc.Feed(&a, "x", part, got)
						want = sc.feedPlain(&b, "x", part, want)
						if a != b {
							t.Fatalf("set %d data %d chunk %d: state %+v, want %+v", si, di, chunk, a, b)
						}
					}
					total += len(got)
					if !reflect.DeepEqual(got, want) {
						t.Fatalf("set %d data %d chunk %d loose %v: %d hits, want %d", si, di, chunk, loose, len(got), len(want))
					}
				}
			}
		}
	}
	if total < 1000 {
		t.Errorf("only %d hits in all: the planted needles were not found", total)
	}
}
