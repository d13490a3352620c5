package i18n

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
)

// Text is one finding kept as data: a message format marked with Msg and
// the values it is written with, so that it can be kept (in the case store,
// in JSON) and written in any language at the edge, where it is shown
// (Catalog.Text). Make one with NewText or Plural.
//
// A value is a string (at %s a text that may be a message itself, looked up
// in the message file; at %v or %q shown as it is), an int (at %d), a List
// of words, a Text of its own, or Parts (findings one after the other).
// NewText turns errors and other values into strings, so a Text survives
// a round trip through JSON unchanged.
type Text struct {
	// Format is the message format, marked with Msg.
	Format string
	// One, when set, is the format used instead of Format when the count
	// (the first value, an int) is one: the singular form, in the message
	// data (see Plural).
	One string
	// Args are the values, one per verb of the format.
	Args []any
}

// Parts are findings written one after the other: "; " in English, the
// language's pdf.findings.separator otherwise.
type Parts []Text

// NewText returns the finding written from format with args: format must be
// marked with Msg (a test checks every marked format has its translations).
func NewText(format string, args ...any) Text {
	return Text{Format: format, Args: normalize(args)}
}

// Plain returns a text shown as it is in every language (a file name).
func Plain(s string) Text { return Text{Format: "%v", Args: []any{s}} }

// Plural returns a counted finding: one is the format for a count of one,
// other for any other count; n is the first value of both, followed by
// args. Both formats are marked with Msg.
func Plural(n int, one, other string, args ...any) Text {
	return Text{Format: other, One: one, Args: normalize(append([]any{n}, args...))}
}

// normalize turns values into the kinds a Text keeps.
func normalize(args []any) []any {
	if len(args) == 0 {
		return nil
	}
	out := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case string, int, Text, Parts, List:
			out[i] = v
		case []Text:
			out[i] = Parts(v)
		case []string:
			out[i] = List(v)
		case int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
			out[i] = int(toInt64(v))
		case error:
			out[i] = v.Error()
		default:
			out[i] = fmt.Sprint(v)
		}
	}
	return out
}

// toInt64 returns an integer value of any integer kind.
func toInt64(v any) int64 {
	switch n := v.(type) {
	case int8:
		return int64(n)
	case int16:
		return int64(n)
	case int32:
		return int64(n)
	case int64:
		return n
	case uint:
		return int64(n)
	case uint8:
		return int64(n)
	case uint16:
		return int64(n)
	case uint32:
		return int64(n)
	case uint64:
		return int64(n)
	}
	return 0
}

// IsZero reports whether the text is empty.
func (t Text) IsZero() bool { return t.Format == "" && t.One == "" }

// String writes the text in English.
func (t Text) String() string { return english().Text(t) }

// format returns the format the count chooses.
func (t Text) format() string {
	if t.One != "" && len(t.Args) > 0 {
		if n, ok := t.Args[0].(int); ok && n == 1 {
			return t.One
		}
	}
	return t.Format
}

// String writes the parts in English.
func (p Parts) String() string { return english().Parts(p) }

// english is the English catalog.
func english() *Catalog { return MustLoad(English) }

// Text writes a finding in the catalog's language: its format translated,
// with its values (see Text). A text without values is looked up as it
// is, so texts kept as finished English sentences (as older case stores
// hold them) are still shown.
func (c *Catalog) Text(t Text) string {
	f := t.format()
	if len(t.Args) == 0 {
		return c.Message(f)
	}
	return c.Sprintf(f, t.Args...)
}

// Parts writes findings one after the other, joined with the language's
// separator.
func (c *Catalog) Parts(p Parts) string {
	out := make([]string, len(p))
	for i, t := range p {
		out[i] = c.Text(t)
	}
	return strings.Join(out, c.T("pdf.findings.separator"))
}

// textJSON is a Text in JSON: its English text for readers, and the
// format and values to write it in another language.
type textJSON struct {
	Text   string            `json:"text"`
	Format string            `json:"format"`
	One    string            `json:"one,omitempty"`
	Args   []json.RawMessage `json:"args,omitempty"`
}

// MarshalJSON writes the text as an object: text (in English), format, one
// and args.
func (t Text) MarshalJSON() ([]byte, error) {
	j := textJSON{Text: t.String(), Format: t.Format, One: t.One}
	for _, a := range t.Args {
		b, err := marshalArg(a)
		if err != nil {
			return nil, err
		}
		j.Args = append(j.Args, b)
	}
	return json.Marshal(j)
}

// marshalArg writes one value: a string, a number, a text, or an object
// holding a list or parts.
func marshalArg(a any) ([]byte, error) {
	switch v := a.(type) {
	case List:
		return json.Marshal(struct {
			List []string `json:"list"`
		}{List: v})
	case Parts:
		if v == nil {
			v = Parts{}
		}
		return json.Marshal(struct {
			Parts []Text `json:"parts"`
		}{Parts: v})
	default:
		return json.Marshal(v)
	}
}

// UnmarshalJSON reads what MarshalJSON writes, and also a plain string: the
// finished English sentence that older case stores hold.
func (t *Text) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '"' {
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		*t = Text{Format: s}
		return nil
	}
	if string(data) == "null" {
		*t = Text{}
		return nil
	}
	var j textJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	out := Text{Format: j.Format, One: j.One}
	for _, raw := range j.Args {
		a, err := unmarshalArg(raw)
		if err != nil {
			return err
		}
		out.Args = append(out.Args, a)
	}
	*t = out
	return nil
}

// unmarshalArg reads one value written by marshalArg.
func unmarshalArg(raw json.RawMessage) (any, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, fmt.Errorf("i18n: empty value")
	}
	switch raw[0] {
	case '"':
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	case '{':
		var probe struct {
			List  *[]string `json:"list"`
			Parts *[]Text   `json:"parts"`
		}
		if err := json.Unmarshal(raw, &probe); err != nil {
			return nil, err
		}
		switch {
		case probe.List != nil:
			return List(*probe.List), nil
		case probe.Parts != nil:
			return Parts(*probe.Parts), nil
		}
		var t Text
		err := json.Unmarshal(raw, &t)
		return t, err
	case 'n':
		return nil, nil
	default:
		var f float64
		if err := json.Unmarshal(raw, &f); err != nil {
			return nil, err
		}
		if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			return int(f), nil
		}
		return f, nil
	}
}

// Strings writes texts in English, one string each.
func Strings(ts []Text) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.String()
	}
	return out
}
