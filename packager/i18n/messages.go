package i18n

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"dossier/assets"
)

// Messages are the sentences Dossier's packages write into their findings
// (an intake problem, the reason an item is left out, a checklist note).
// They are translated the way gettext does it, with the English format as
// the key: assets/translations/messages/LANG.json maps each English format
// to its translation. A package marks each format with Msg where it is
// written (a test finds every marked format in the source and checks that
// each language has it) and keeps the finding as a Text, the format with
// its values, which the display edge writes in its language (Catalog.Text).
// Catalog.Message translates a finished English text instead, finding the
// format it was written from: it serves the findings not yet kept as Text
// and texts kept as sentences by older case stores. The file may also hold
// texts that come from data, such as the checklist's guidance.

// messagesDir is where the message files are inside assets.Messages.
const messagesDir = "translations/messages"

// Msg marks an English message format for translation and returns it
// unchanged: a package writes NewText(i18n.Msg("could not be read: %s"), why)
// where it would have written the format alone. A format's values are %s
// for a text that may be a message itself (translated in turn), %v for a
// value shown as it is (a file name, a date, a courier), %q for a quoted
// message and %d for a number; a format must hold words besides them.
func Msg(format string) string { return format }

// format is one translated message format with verbs, as a pattern that
// finds its values in a text written from it.
type format struct {
	text  string
	re    *regexp.Regexp
	verbs []byte // 's', 'v', 'q' or 'd', one per verb
}

// verbRe finds the verbs a message format may use.
var verbRe = regexp.MustCompile(`%[sdqv]`)

// maxListParts bounds the items of a list that Message splits: longer
// lists are translated item by item only when every item is a message.
const maxListParts = 64

// compile returns the pattern of a format, or nil for one without verbs.
func compile(text string) *format {
	locs := verbRe.FindAllStringIndex(text, -1)
	if len(locs) == 0 {
		return nil
	}
	f := &format{text: text}
	var b strings.Builder
	b.WriteString("(?s)^") // a value may hold line breaks
	last := 0
	for _, l := range locs {
		b.WriteString(regexp.QuoteMeta(text[last:l[0]]))
		switch v := text[l[1]-1]; v {
		case 'd':
			b.WriteString(`(-?\d+)`)
		case 'q':
			b.WriteString(`("(?:[^"\\]|\\.)*")`)
		default:
			b.WriteString(`(.*?)`)
		}
		f.verbs = append(f.verbs, text[l[1]-1])
		last = l[1]
	}
	b.WriteString(regexp.QuoteMeta(text[last:]))
	b.WriteString("$")
	f.re = regexp.MustCompile(b.String())
	return f
}

// messageTable is one language's message translations, with the patterns
// of its formats that have verbs, longest first so that the most specific
// matches.
type messageTable struct {
	texts    map[string]string
	patterns []*format
}

var (
	messagesOnce sync.Once
	messages     map[string]*messageTable // by language tag
	messagesErr  error
)

// messageFiles reads every message file once.
func messageFiles() (map[string]*messageTable, error) {
	messagesOnce.Do(func() { messages, messagesErr = readMessages(assets.Messages, messagesDir) })
	return messages, messagesErr
}

// readMessages reads every DIR/LANG.json of fsys.
func readMessages(fsys fs.FS, dir string) (map[string]*messageTable, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	out := map[string]*messageTable{}
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		t := &messageTable{texts: map[string]string{}}
		if err := json.Unmarshal(data, &t.texts); err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", name, err)
		}
		for k := range t.texts {
			if f := compile(k); f != nil {
				t.patterns = append(t.patterns, f)
			}
		}
		slices.SortFunc(t.patterns, func(a, b *format) int {
			return cmp.Or(len(b.text)-len(a.text), strings.Compare(a.text, b.text))
		})
		out[strings.TrimSuffix(path.Base(name), ".json")] = t
	}
	return out, nil
}

// MessageFile returns the translations of the message formats into a
// language (nil when it has no file), for tests and tools.
func MessageFile(lang string) (map[string]string, error) {
	all, err := messageFiles()
	if err != nil {
		return nil, err
	}
	for tag, t := range all {
		if strings.EqualFold(tag, lang) {
			return t.texts, nil
		}
	}
	return nil, nil
}

// List is a list of values a message names ("EGFR, ALK"): Sprintf
// translates each and joins them with the language's list separator.
type List []string

// Message translates an English message written from a format marked with Msg
// (or listed as it is in the message file): the format is translated, and
// so is each %s value inside it that is a message itself; other values
// (a file name, an error's details) stay as they are. Findings joined by
// "; " and lists joined by ", " are translated part by part, splitting
// into as many messages as possible. A text no format matches, or a
// language without a translation, gives s unchanged.
func (c *Catalog) Message(s string) string {
	tr := c.messageTable()
	if tr == nil || s == "" {
		return s
	}
	if t, ok := c.parts(tr, s, "; ", "pdf.findings.separator"); ok {
		return t
	}
	if t, ok := c.parts(tr, s, ", ", "pdf.list.separator"); ok {
		return t
	}
	if t, ok := c.one(tr, s); ok {
		return t
	}
	return s
}

// parts translates s split at sep into the most messages that cover it
// all, joined by the language's separator (the text of key); false when s
// has no sep or cannot be covered by messages.
func (c *Catalog) parts(tr *messageTable, s, sep, key string) (string, bool) {
	items := strings.Split(s, sep)
	if len(items) < 2 {
		return "", false
	}
	if len(items) > maxListParts {
		out := make([]string, len(items))
		for i, it := range items {
			t, ok := c.one(tr, it)
			if !ok {
				return "", false
			}
			out[i] = t
		}
		return strings.Join(out, c.T(key)), true
	}
	// best[i] is the cover of items[:i] with the most messages (count -1:
	// none found).
	type cover struct {
		count int
		texts []string
	}
	best := make([]cover, len(items)+1)
	for i := 1; i <= len(items); i++ {
		best[i].count = -1
		for j := 0; j < i; j++ {
			if best[j].count < 0 || best[j].count+1 <= best[i].count {
				continue
			}
			t, ok := c.one(tr, strings.Join(items[j:i], sep))
			if !ok {
				continue
			}
			best[i] = cover{best[j].count + 1, append(slices.Clone(best[j].texts), t)}
		}
	}
	if b := best[len(items)]; b.count >= 2 {
		return strings.Join(b.texts, c.T(key)), true
	}
	return "", false
}

// one translates s as a single message: an exact entry of the table, or a
// format with values; false when neither matches.
func (c *Catalog) one(tr *messageTable, s string) (string, bool) {
	if t, ok := tr.texts[s]; ok {
		return t, true
	}
	for _, f := range tr.patterns {
		m := f.re.FindStringSubmatch(s)
		if m == nil {
			continue
		}
		args := make([]any, len(f.verbs))
		for i, v := range f.verbs {
			switch v {
			case 'd':
				n, _ := strconv.Atoi(m[i+1])
				args[i] = n
			case 'q':
				u, err := strconv.Unquote(m[i+1])
				if err != nil {
					u = m[i+1]
				}
				args[i] = c.Message(u)
			case 'v':
				args[i] = m[i+1]
			default:
				args[i] = c.Message(m[i+1])
			}
		}
		return fmt.Sprintf(tr.texts[f.text], args...), true
	}
	return "", false
}

// Sprintf writes an English format marked with Msg in the catalog's
// language: the translated format, with each value at a %s translated as
// a message, each List joined with the language's list separator (its
// items translated), and each Text or Parts written in the language;
// values at %v stay as they are. In English (or without
// a translation of the format) it is fmt.Sprintf, with lists joined by ", ".
func (c *Catalog) Sprintf(format string, args ...any) string {
	tr := c.messageTable()
	verbs := verbRe.FindAllString(format, -1)
	if tr != nil {
		if t, ok := tr.texts[format]; ok {
			format = t
		} else {
			tr = nil
		}
	}
	out := make([]any, len(args))
	for i, a := range args {
		message := i < len(verbs) && verbs[i] == "%s"
		switch v := a.(type) {
		case List:
			if tr != nil {
				out[i] = c.List(v)
			} else {
				out[i] = strings.Join(v, ", ")
			}
		case Text:
			out[i] = c.Text(v)
		case Parts:
			out[i] = c.Parts(v)
		case string:
			out[i] = v
			if tr != nil && message {
				out[i] = c.Message(v)
			}
		default:
			out[i] = a
			if i < len(verbs) && verbs[i] == "%v" {
				out[i] = fmt.Sprint(a) // shown as it is, whatever verb a translation uses
			}
		}
	}
	if len(out) == 0 {
		return format
	}
	return fmt.Sprintf(format, out...)
}

// List translates each text of a list (as Message does) and joins them
// with the language's list separator ("EGFR, ALK"; "EGFR、ALK").
func (c *Catalog) List(items []string) string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = c.Message(s)
	}
	return strings.Join(out, c.T("pdf.list.separator"))
}

// messageTable is the catalog's message translations, or nil for English.
func (c *Catalog) messageTable() *messageTable {
	if c.table != nil {
		return c.table
	}
	if c.lang == English || c.lang == "" {
		return nil
	}
	all, err := messageFiles()
	if err != nil {
		return nil
	}
	return all[c.lang]
}
