package i18n

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"regexp"
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
// Catalog.Message looks up a text without values as it is. The file may
// also hold texts that come from data, such as the checklist's guidance.

// messagesDir is where the message files are inside assets.Messages.
const messagesDir = "translations/messages"

// Msg marks an English message format for translation and returns it
// unchanged: a package writes NewText(i18n.Msg("could not be read: %s"), why)
// where it would have written the format alone. A format's values are %s
// for a text that may be a message itself (translated in turn), %v for a
// value shown as it is (a file name, a date, a courier), %q for a quoted
// message and %d for a number; a format must hold words besides them.
func Msg(format string) string { return format }

// verbRe finds the verbs a message format may use.
var verbRe = regexp.MustCompile(`%[sdqv]`)

// messageTable is one language's message translations.
type messageTable struct {
	texts map[string]string
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

// Message translates a message without values as it is: a format marked
// with Msg that has no verbs, or a text listed as it is in the message file
// (the checklist's guidance, a status word). Anything else, and any text in
// a language without a translation, is returned unchanged: a finding with
// values is kept as a Text and written with Catalog.Text.
func (c *Catalog) Message(s string) string {
	tr := c.messageTable()
	if tr == nil || s == "" {
		return s
	}
	if t, ok := tr.texts[s]; ok {
		return t
	}
	return s
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
