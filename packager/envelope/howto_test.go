package envelope

import (
	"strings"
	"testing"
)

// The instructions in Chinese keep to 76 columns (a Chinese character takes two) outside the
// commands, never break a Latin word or file name, and start no line with closing punctuation.
func TestHowToOpenInChineseWraps(t *testing.T) {
	for _, passphrase := range []bool{true, false} {
		for _, volumes := range []int{0, 1, 3} {
			text := HowToOpenIn("zh-Hans", "second-opinion.age", passphrase, volumes)
			chinese, _, _ := strings.Cut(text, "\nHOW TO OPEN ")
			for _, line := range strings.Split(chinese, "\n") {
				if strings.HasPrefix(line, "    ") {
					continue
				}
				if n := columns(strings.TrimPrefix(line, "\ufeff")); n > howToWidth {
					t.Errorf("a line of %d columns: %q", n, line)
				}
				if strings.HasPrefix(line, "，") || strings.HasPrefix(line, "。") || strings.HasPrefix(line, "）") || strings.HasSuffix(line, "（") {
					t.Errorf("a line broken at punctuation: %q", line)
				}
			}
			for _, word := range []string{"(MANIFEST.SHA256)", "(INDEX.HTM)", "https://age-encryption.org", "second-opinion.age"} {
				if !strings.Contains(strings.NewReplacer("（", "(", "）", ")").Replace(chinese), word) {
					t.Errorf("%q is broken in the Chinese text:\n%s", word, chinese)
				}
			}
		}
	}
	if got := wrapColumns("ab cd ef", 5); got != "ab cd\nef" {
		t.Errorf("wrapColumns: %q", got)
	}
	if got := wrapColumns("一二三，四", 6); got != "一二\n三，四" {
		t.Errorf("wrapColumns: %q", got)
	}
}
