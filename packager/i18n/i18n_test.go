package i18n

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// TestTranslationFiles checks every file in assets/translations against
// en.json: the same keys, none empty, the same placeholders.
func TestTranslationFiles(t *testing.T) {
	for _, err := range Validate() {
		t.Error(err)
	}
	langs := Languages()
	if len(langs) < 2 || langs[0] != English || !slices.Contains(langs, ChineseSimplified) {
		t.Errorf("Languages() = %v", langs)
	}
	for _, lang := range langs {
		c, err := Load(lang)
		if err != nil {
			t.Fatal(err)
		}
		if c.T("language.name") == "language.name" {
			t.Errorf("%s has no language.name", lang)
		}
	}
}

func TestValidateFindsProblems(t *testing.T) {
	all := map[string]map[string]string{
		"en": {"a": "A %s", "b": "B %[1]d of %[2]d", "c": "C", "d": "D"},
		"xx": {"a": "A", "b": "%[2]d 中 %[1]d", "c": "", "e": "E"},
	}
	var got []string
	for _, err := range validate(all) {
		got = append(got, err.Error())
	}
	joined := strings.Join(got, "\n")
	for _, want := range []string{`"a" has placeholders`, `missing key "d"`, `unknown key "e"`, `"c" is empty`} {
		if !strings.Contains(joined, want) {
			t.Errorf("no error %q in:\n%s", want, joined)
		}
	}
	if strings.Contains(joined, `"b"`) {
		t.Errorf("reordered placeholders reported:\n%s", joined)
	}
	if len(got) != 4 {
		t.Errorf("%d errors:\n%s", len(got), joined)
	}
}

// A new file is a new language, with no code.
func TestDropInLanguage(t *testing.T) {
	fsys := fstest.MapFS{
		"translations/en.json":      {Data: []byte(`{"hello": "Hello %s", "bye": "Bye"}`)},
		"translations/zh-Hans.json": {Data: []byte(`{"hello": "你好 %s", "bye": "再见"}`)},
		"translations/fr.json":      {Data: []byte(`{"hello": "Bonjour %s", "bye": "Au revoir"}`)},
	}
	all, err := readAll(fsys, "translations")
	if err != nil {
		t.Fatal(err)
	}
	if got := languages(all); !slices.Equal(got, []string{"en", "fr", "zh-Hans"}) {
		t.Errorf("languages = %v", got)
	}
	if errs := validate(all); len(errs) != 0 {
		t.Errorf("%v", errs)
	}
	if _, err := readAll(fstest.MapFS{"translations/fr.json": {Data: []byte(`{}`)}}, "translations"); err == nil {
		t.Error("no error without en.json")
	}
	if _, err := readAll(fstest.MapFS{"translations/en.json": {Data: []byte(`{"a": 1}`)}}, "translations"); err == nil {
		t.Error("no error for a non-string text")
	}
}

func TestLoadAndFallback(t *testing.T) {
	c, err := Load("ZH_hans")
	if err != nil {
		t.Fatal(err)
	}
	if c.Lang() != ChineseSimplified {
		t.Errorf("Lang() = %q", c.Lang())
	}
	if en, _ := Load(""); en.Lang() != English {
		t.Errorf("default language %q", en.Lang())
	}
	if _, err := Load("tlh"); !errors.Is(err, ErrUnknownLanguage) {
		t.Errorf("Load(tlh): %v", err)
	}
	// A key the language lacks is English; one nobody has is the key.
	c = &Catalog{lang: "xx", msgs: map[string]string{"a": "Ä %d"}, fallback: map[string]string{"a": "A %d", "b": "B %s"}}
	if got := c.T("a", 1); got != "Ä 1" {
		t.Errorf("T(a) = %q", got)
	}
	if got := c.T("b", "x"); got != "B x" {
		t.Errorf("T(b) = %q", got)
	}
	if got := c.T("nope"); got != "nope" {
		t.Errorf("T(nope) = %q", got)
	}
	// Without args, a text is printed as written, percent signs and all.
	c.msgs["p"] = "100% sure"
	if got := c.T("p"); got != "100% sure" {
		t.Errorf("T(p) = %q", got)
	}
}

func TestCountsAndDates(t *testing.T) {
	en, zh := MustLoad(English), MustLoad(ChineseSimplified)
	for _, c := range []struct{ got, want string }{
		{en.N("cover.count.study", 1), "1 study"},
		{en.N("cover.count.study", 3), "3 studies"},
		{zh.N("cover.count.study", 3), "3项检查"},
		{en.Date(time.Date(2026, 11, 27, 14, 30, 0, 0, time.UTC)), "27 November 2026"},
		{zh.Date(time.Date(2026, 11, 27, 14, 30, 0, 0, time.UTC)), "2026年11月27日"},
		{en.DateTime(time.Date(2026, 11, 27, 14, 30, 0, 0, time.UTC)), "27 November 2026, 14:30 UTC"},
		{zh.DateTime(time.Date(2026, 1, 2, 9, 5, 0, 0, time.UTC)), "2026年1月2日 09:05 UTC"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestMatch(t *testing.T) {
	for locale, want := range map[string]string{
		"zh_CN.UTF-8": ChineseSimplified, "zh_SG": ChineseSimplified, "zh": ChineseSimplified, "zh_TW.UTF-8": ChineseSimplified,
		"zh-Hans": ChineseSimplified, "en_GB.UTF-8": English, "C": English, "POSIX": English, "": English, "fr_FR@euro": English,
		"de": English,
	} {
		if got := Match(locale); got != want {
			t.Errorf("Match(%q) = %q, want %q", locale, got, want)
		}
	}
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	t.Setenv("LANG", "zh_CN.UTF-8")
	if got := FromEnv(); got != ChineseSimplified {
		t.Errorf("FromEnv() = %q", got)
	}
	t.Setenv("LANG", "en_US.UTF-8")
	if got := FromEnv(); got != English {
		t.Errorf("FromEnv() = %q", got)
	}
}

func TestPlaceholders(t *testing.T) {
	for format, want := range map[string]string{
		"%d studies":         "1:d",
		"%[3]d年%[2]s%[1]d日":  "1:d 2:s 3:d",
		"100%% of %s, %5.2f": "1:s 2:f",
		"%[2]s then %s":      "2:s 3:s",
		"none":               "",
	} {
		if got := strings.Join(placeholders(format), " "); got != want {
			t.Errorf("placeholders(%q) = %q, want %q", format, got, want)
		}
	}
}
