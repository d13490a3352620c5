package checklist

import (
	"io/fs"
	"strings"
	"testing"

	"dossier/assets"
)

// Every translation of the checklist names only rules and cancers that
// rules.json has.
func TestTranslationsMatchRules(t *testing.T) {
	rules, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	ids, cancers := map[string]bool{}, map[string]bool{}
	for _, r := range rules.Rules {
		ids[r.ID] = true
	}
	for _, c := range rules.Cancers {
		cancers[c.ID] = true
	}
	names, _ := fs.Glob(assets.Checklist, "checklist/rules.*.json")
	if len(names) == 0 {
		t.Fatal("no translation of the checklist")
	}
	for _, name := range names {
		lang := strings.TrimSuffix(strings.TrimPrefix(name, "checklist/rules."), ".json")
		tr, err := Texts(lang)
		if err != nil || tr == nil {
			t.Fatalf("%s: %v", name, err)
		}
		for id, rt := range tr.Rules {
			if !ids[id] {
				t.Errorf("%s: unknown rule %q", name, id)
			}
			if rt.Title == "" && rt.Request == "" && rt.Why == "" && rt.Advice == "" {
				t.Errorf("%s: rule %q has no text", name, id)
			}
		}
		for id := range tr.Cancers {
			if !cancers[id] {
				t.Errorf("%s: unknown cancer %q", name, id)
			}
		}
	}
	if tr, err := Texts("en"); tr != nil || err != nil {
		t.Errorf("Texts(en) = %v, %v", tr, err)
	}
	if tr, err := Texts("fr"); tr != nil || err != nil {
		t.Errorf("Texts(fr) = %v, %v", tr, err)
	}
	if tr, _ := Texts("zh-Hans"); tr.Rule("lung-egfr").Request == "" || tr.Cancer("lung") != "肺癌" {
		t.Errorf("zh-Hans lacks lung texts")
	}
}
