package assets

import "embed"

// UITranslations holds the desktop app's own texts, one JSON file a language: translations/ui/LANG.json,
// where LANG is a BCP 47 tag ("en", "zh-Hans"). Each file is a flat object of keys to strings, the
// format of Fyne's lang package (ui loads them with lang.AddTranslationsFS). en.json is the reference:
// every other file has the same keys (a test checks it). Dropping in a new file (say fr.json) adds a
// language to the app; the name it is offered under in Settings is the file's "language.name" key.
// They are kept apart from translations/*.json (the cover and the letter) so each can grow on its own.
//
//go:embed translations/ui/*.json
var UITranslations embed.FS

// UITranslationsDir is the folder of UITranslations that holds the files.
const UITranslationsDir = "translations/ui"
