package i18n_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"testing/fstest"

	"dossier/packager/i18n"
)

func TestText(t *testing.T) {
	zh := i18n.MustLoad(i18n.ChineseSimplified)
	en := i18n.MustLoad(i18n.English)
	gapOne := i18n.Msg("1 of %d images is missing (numbers run from %d to %d)")
	gapSeveral := i18n.Msg("%d of %d images are missing (numbers run from %d to %d)")
	for _, c := range []struct {
		text    i18n.Text
		en, zh  string
		english string // what fmt.Sprintf of the English format gives
	}{
		{i18n.NewText(i18n.Msg("skipped when reading: %s"), i18n.NewText(i18n.Msg("system folder, not a record"))),
			"skipped when reading: system folder, not a record", "读取时已跳过：系统文件夹，不是病历", ""},
		// An error is kept as its text, shown as it is.
		{i18n.NewText(i18n.Msg("damaged ZIP archive: %s"), errors.New("zip: not a valid zip file")),
			"damaged ZIP archive: zip: not a valid zip file", "ZIP 压缩包已损坏：zip: not a valid zip file", ""},
		// Findings one after the other.
		{i18n.NewText(i18n.Msg("could not be read: %s"), i18n.Parts{
			i18n.NewText(i18n.Msg("damaged ZIP archive: %s"), "x"), i18n.NewText(i18n.Msg("system folder, not a record"))}),
			"could not be read: damaged ZIP archive: x; system folder, not a record", "无法读取：ZIP 压缩包已损坏：x；系统文件夹，不是病历", ""},
		// A count chooses its form.
		{i18n.Plural(1, i18n.Msg("%d public key"), i18n.Msg("%d public keys")), "1 public key", "", ""},
		{i18n.Plural(3, i18n.Msg("%d public key"), i18n.Msg("%d public keys")), "3 public keys", "", ""},
		{i18n.Plural(3, gapOne, gapSeveral, 10, 1, 10), "3 of 10 images are missing (numbers run from 1 to 10)", "10 张影像中缺少 3 张（编号从 1 到 10）", ""},
		// A text without values is a finished sentence (as older stores hold them).
		{i18n.Text{Format: "system folder, not a record"}, "system folder, not a record", "系统文件夹，不是病历", ""},
		{i18n.Text{Format: "100% sure"}, "100% sure", "100% sure", ""},
	} {
		if got := c.text.String(); got != c.en {
			t.Errorf("String() = %q, want %q", got, c.en)
		}
		if got := en.Text(c.text); got != c.en {
			t.Errorf("English Text() = %q, want %q", got, c.en)
		}
		if c.zh != "" {
			if got := zh.Text(c.text); got != c.zh {
				t.Errorf("Chinese Text(%q) = %q, want %q", c.en, got, c.zh)
			}
		}
		// A round trip through JSON keeps the text, and its English.
		b, err := json.Marshal(c.text)
		if err != nil {
			t.Fatal(err)
		}
		var back i18n.Text
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(back, c.text) {
			t.Errorf("JSON round trip of %q: %#v, want %#v (%s)", c.en, back, c.text, b)
		}
		var plain struct{ Text string }
		if err := json.Unmarshal(b, &plain); err != nil || plain.Text != c.en {
			t.Errorf("JSON %s: text %q, want %q (%v)", b, plain.Text, c.en, err)
		}
	}
}

// A plain string, as an older case store holds it, reads as a finished sentence.
func TestTextFromString(t *testing.T) {
	var got []i18n.Text
	if err := json.Unmarshal([]byte(`["the file is empty", null]`), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].String() != "the file is empty" || !got[1].IsZero() {
		t.Errorf("read %#v", got)
	}
	var zero i18n.Text
	if err := json.Unmarshal([]byte(`{"text":"x","format":"x"}`), &zero); err != nil || zero.Format != "x" || zero.Args != nil {
		t.Errorf("read %#v (%v)", zero, err)
	}
	if err := json.Unmarshal([]byte(`{"format":"n %d","args":[1.5]}`), &zero); err != nil || fmt.Sprint(zero.Args) != "[1.5]" {
		t.Errorf("read %#v (%v)", zero, err)
	}
}

// The singular and plural forms are translated each, and a value at %v is
// never looked up.
func TestTextTable(t *testing.T) {
	fsys := fstest.MapFS{"m/xx.json": {Data: []byte(`{
		"%d file": "F1:%d",
		"%d files": "FN:%d",
		"named %v: %s": "N<%s>(%s)",
		"thing": "T"
	}`)}}
	c := i18n.NewTestCatalog(t, fsys, "m", "xx")
	for _, tc := range []struct {
		text i18n.Text
		want string
	}{
		{i18n.Plural(1, "%d file", "%d files"), "F1:1"},
		{i18n.Plural(0, "%d file", "%d files"), "FN:0"},
		{i18n.NewText("named %v: %s", "thing", "thing"), "N<thing>(T)"},
		{i18n.NewText("named %v: %s", "thing", i18n.Parts{i18n.NewText("thing"), i18n.NewText("other")}), "N<thing>(T;other)"},
		{i18n.NewText("named %v: %s", int64(7), i18n.List{"thing", "other"}), "N<7>(T,other)"},
	} {
		if got := c.Text(tc.text); got != tc.want {
			t.Errorf("Text(%q) = %q, want %q", tc.text.Format, got, tc.want)
		}
	}
}
