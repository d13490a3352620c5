// Package i18n holds the translated texts of Dossier's documents (the cover
// summary and the records-request letter) and, later, of its desktop app.
//
// Texts live in assets/translations/LANG.json, one file a language, each a
// flat JSON object of keys to strings: the shape of Fyne's lang files, so
// the app's UI can load the same files. LANG is a BCP 47 tag ("en",
// "zh-Hans", "fr"). en.json is the reference: every other file has exactly
// its keys, and a text whose key a language lacks falls back to English.
// Adding a language is dropping in a file: Languages lists the files
// present, so no code changes.
//
// Texts are fmt formats: T(key, args...) formats with fmt.Sprintf when args
// are given (a translation may reorder them with explicit indexes, "%[2]s
// %[1]s"), and returns the text as written when none are. Counted texts
// have two keys, KEY.one and KEY.other (see N); dates are formatted by
// Date and DateTime from the date.* keys.
package i18n

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"dossier/assets"
)

// English is the reference language, and the default.
const English = "en"

// ChineseSimplified is the tag of Simplified Chinese.
const ChineseSimplified = "zh-Hans"

// ErrUnknownLanguage is returned by Load for a language with no file.
var ErrUnknownLanguage = errors.New("i18n: no translation for this language")

// dir is where the files are inside assets.Translations.
const dir = "translations"

// Catalog is the texts of one language, with English behind it for keys
// the language lacks.
type Catalog struct {
	lang     string
	msgs     map[string]string
	fallback map[string]string
	// table, when set, stands in for the language's message file (tests).
	table *messageTable
}

var (
	loadOnce sync.Once
	loaded   map[string]map[string]string // by tag as spelled in the file name
	loadErr  error
)

// files reads every translation file once.
func files() (map[string]map[string]string, error) {
	loadOnce.Do(func() { loaded, loadErr = readAll(assets.Translations, dir) })
	return loaded, loadErr
}

// readAll reads every DIR/LANG.json of fsys.
func readAll(fsys fs.FS, dir string) (map[string]map[string]string, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]string{}
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		var msgs map[string]string
		if err := json.Unmarshal(data, &msgs); err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", name, err)
		}
		out[strings.TrimSuffix(path.Base(name), ".json")] = msgs
	}
	if _, ok := out[English]; !ok {
		return nil, fmt.Errorf("i18n: %s/%s.json is missing", dir, English)
	}
	return out, nil
}

// Languages returns the tags of the languages there is a file for, English
// first, then the others in order.
func Languages() []string {
	all, err := files()
	if err != nil {
		return []string{English}
	}
	return languages(all)
}

func languages(all map[string]map[string]string) []string {
	var out []string
	for tag := range all {
		if tag != English {
			out = append(out, tag)
		}
	}
	slices.Sort(out)
	return append([]string{English}, out...)
}

// lookup returns the tag as its file spells it, matching case-insensitively.
func lookup(all map[string]map[string]string, lang string) (string, bool) {
	for tag := range all {
		if strings.EqualFold(tag, lang) {
			return tag, true
		}
	}
	return "", false
}

// Load returns the catalog of a language ("en", "zh-Hans", any tag
// Languages lists; case does not matter, and "" is English). A language
// without a file is an error wrapping ErrUnknownLanguage.
func Load(lang string) (*Catalog, error) {
	all, err := files()
	if err != nil {
		return nil, fmt.Errorf("i18n: translations: %w", err)
	}
	lang = strings.ReplaceAll(strings.TrimSpace(lang), "_", "-")
	if lang == "" {
		lang = English
	}
	tag, ok := lookup(all, lang)
	if !ok {
		return nil, fmt.Errorf("%w: %q (available: %s)", ErrUnknownLanguage, lang, strings.Join(Languages(), ", "))
	}
	return &Catalog{lang: tag, msgs: all[tag], fallback: all[English]}, nil
}

// MustLoad is Load for a language known to exist; it falls back to English
// (and to the keys themselves if even that failed) instead of failing.
func MustLoad(lang string) *Catalog {
	if c, err := Load(lang); err == nil {
		return c
	}
	if c, err := Load(English); err == nil {
		return c
	}
	return &Catalog{lang: English}
}

// Lang returns the catalog's language tag.
func (c *Catalog) Lang() string { return c.lang }

// Has reports whether the catalog, or English behind it, has a key.
func (c *Catalog) Has(key string) bool {
	_, ok := c.text(key)
	return ok
}

func (c *Catalog) text(key string) (string, bool) {
	if s, ok := c.msgs[key]; ok {
		return s, true
	}
	s, ok := c.fallback[key]
	return s, ok
}

// T returns the text of a key, formatted with args (fmt.Sprintf) when any
// are given. A key no file has returns the key itself, so a mistake shows
// on the page instead of an empty line.
func (c *Catalog) T(key string, args ...any) string {
	s, ok := c.text(key)
	if !ok {
		return key
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

// N returns a counted text: KEY.one when n is 1, KEY.other otherwise,
// formatted with n and then args ("%d studies").
func (c *Catalog) N(key string, n int, args ...any) string {
	form := ".other"
	if n == 1 {
		form = ".one"
	}
	return c.T(key+form, append([]any{n}, args...)...)
}

// Date writes a day in the language's long form ("27 November 2026",
// "2026年11月27日").
func (c *Catalog) Date(t time.Time) string {
	return c.T("date.format", t.Day(), c.T("date.month."+strconv.Itoa(int(t.Month()))), t.Year())
}

// DateTime writes a day and its time of day with the time zone ("27
// November 2026, 14:30 UTC").
func (c *Catalog) DateTime(t time.Time) string {
	return c.T("date.time.format", c.Date(t), t.Format("15:04 MST"))
}

// Match returns the language to use for a locale as the environment spells
// it ("zh_CN.UTF-8", "en_GB", "fr", "C"): any Chinese locale is Simplified
// Chinese (Traditional Chinese locales too while there is no zh-Hant
// file), otherwise the language whose file matches the locale or its
// language part, otherwise English.
func Match(locale string) string {
	all, err := files()
	if err != nil {
		return English
	}
	locale, _, _ = strings.Cut(locale, ".")
	locale, _, _ = strings.Cut(locale, "@")
	locale = strings.ReplaceAll(strings.TrimSpace(locale), "_", "-")
	if locale == "" {
		return English
	}
	base, rest, _ := strings.Cut(locale, "-")
	if strings.EqualFold(base, "zh") {
		rest = strings.ToLower(rest)
		if strings.Contains(rest, "hant") || rest == "tw" || rest == "hk" || rest == "mo" {
			if tag, ok := lookup(all, "zh-Hant"); ok {
				return tag
			}
		}
		if tag, ok := lookup(all, ChineseSimplified); ok {
			return tag
		}
	}
	if tag, ok := lookup(all, locale); ok {
		return tag
	}
	if tag, ok := lookup(all, base); ok {
		return tag
	}
	return English
}

// FromEnv returns the language of the environment's locale: LC_ALL, then
// LC_MESSAGES, then LANG (see Match).
func FromEnv() string {
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if s := os.Getenv(v); s != "" {
			return Match(s)
		}
	}
	return English
}

// verbRE matches one fmt verb (or "%%").
var verbRE = regexp.MustCompile(`%(?:%|[-+# 0]*(?:\[(\d+)\])?(?:\d+|\*)?(?:\.(?:\d+|\*)?)?(?:\[(\d+)\])?([a-zA-Z]))`)

// placeholders lists a format's verbs as "ARG:VERB" (arguments counted
// from 1), sorted, ignoring "%%".
func placeholders(format string) []string {
	var out []string
	next := 1
	for _, m := range verbRE.FindAllStringSubmatch(format, -1) {
		if m[0] == "%%" {
			continue
		}
		idx := next
		for _, s := range []string{m[1], m[2]} {
			if s != "" {
				idx, _ = strconv.Atoi(s)
			}
		}
		out = append(out, strconv.Itoa(idx)+":"+m[3])
		next = idx + 1
	}
	slices.Sort(out)
	return out
}

// Validate checks every translation file against en.json: the same keys
// (none missing, none unknown), no empty text, and the same placeholders
// (the same verbs for the same arguments, in any order). It returns one
// error a problem.
func Validate() []error {
	all, err := files()
	if err != nil {
		return []error{err}
	}
	return validate(all)
}

func validate(all map[string]map[string]string) []error {
	var errs []error
	ref := all[English]
	for _, tag := range slices.Sorted(maps.Keys(all)) {
		msgs := all[tag]
		for _, key := range slices.Sorted(maps.Keys(ref)) {
			s, ok := msgs[key]
			if !ok {
				errs = append(errs, fmt.Errorf("i18n: %s.json: missing key %q", tag, key))
				continue
			}
			if strings.TrimSpace(s) == "" && !strings.HasSuffix(key, ".separator") {
				// A separator may be a space, or nothing (Chinese writes sentences without one).
				errs = append(errs, fmt.Errorf("i18n: %s.json: %q is empty", tag, key))
			}
			if want, got := placeholders(ref[key]), placeholders(s); !slices.Equal(want, got) {
				errs = append(errs, fmt.Errorf("i18n: %s.json: %q has placeholders %v, en.json has %v", tag, key, got, want))
			}
		}
		for _, key := range slices.Sorted(maps.Keys(msgs)) {
			if _, ok := ref[key]; !ok {
				errs = append(errs, fmt.Errorf("i18n: %s.json: unknown key %q (not in en.json)", tag, key))
			}
		}
	}
	return errs
}
