package identity

import "testing"

// NewTextMatcher gives the matcher it built before for the same spellings
// in the same order, and a new one for others; each finds its own.
func TestNewTextMatcherKeepsRecentOnes(t *testing.T) {
	a := NewTextMatcher([]string{"jane doe", "19610203"})
	if b := NewTextMatcher([]string{"jane doe", "19610203"}); b != a {
		t.Error("the same spellings built a second matcher")
	}
	c := NewTextMatcher([]string{"jane doe", "1961020"})
	if c == a {
		t.Error("other spellings got the first matcher")
	}
	if len(a.FindAll("born 19610203")) != 1 || len(c.FindAll("born 19610203")) != 0 {
		t.Error("a kept matcher finds what another was built for")
	}
	for i := range 2 * maxTextMatchers {
		NewTextMatcher([]string{string(rune('a' + i%26)), "x"})
	}
	textMatchers.mu.Lock()
	n := len(textMatchers.m)
	textMatchers.mu.Unlock()
	if n > maxTextMatchers {
		t.Errorf("%d matchers kept", n)
	}
}
