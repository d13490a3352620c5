package checklist

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync"

	"dossier/assets"
)

// RuleText is a rule's wording in another language. An empty field keeps
// the English one.
type RuleText struct {
	Title   string `json:"title,omitempty"`
	Why     string `json:"why,omitempty"`
	Advice  string `json:"advice,omitempty"`
	Request string `json:"request,omitempty"`
}

// Translation is the checklist's wording in one language: the file
// assets/checklist/rules.LANG.json (say rules.zh-Hans.json), which
// overlays rules.json by rule and cancer id. Dropping in a file adds the
// language; a rule or cancer it leaves out keeps its English text.
type Translation struct {
	// Rules are the rules' texts by rule id.
	Rules map[string]RuleText `json:"rules"`
	// Cancers are the cancer types' names by cancer id.
	Cancers map[string]string `json:"cancers,omitempty"`
}

var (
	textsMu sync.Mutex
	texts   = map[string]*Translation{}
)

// Texts returns the checklist's wording in a language (a tag as in
// packager/i18n: "zh-Hans"), or nil when there is no file for it (and for
// English, the language of rules.json).
func Texts(lang string) (*Translation, error) {
	if lang == "" || strings.EqualFold(lang, "en") {
		return nil, nil
	}
	textsMu.Lock()
	defer textsMu.Unlock()
	if t, ok := texts[lang]; ok {
		return t, nil
	}
	name := "checklist/rules." + lang + ".json"
	data, err := assets.Checklist.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		texts[lang] = nil
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var t Translation
	if err := json.Unmarshal(data, &t); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	texts[lang] = &t
	return &t, nil
}

// Rule returns a rule's texts in the translation (empty when there is
// none, or t is nil).
func (t *Translation) Rule(id string) RuleText {
	if t == nil {
		return RuleText{}
	}
	return t.Rules[id]
}

// Cancer returns a cancer type's name in the translation, or "".
func (t *Translation) Cancer(id string) string {
	if t == nil {
		return ""
	}
	return t.Cancers[id]
}
