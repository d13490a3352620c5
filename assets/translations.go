package assets

import "embed"

// Translations holds the texts Dossier shows and prints, one JSON file a
// language: translations/LANG.json, where LANG is a BCP 47 tag ("en",
// "zh-Hans"). Each file is a flat object of keys to strings, the shape of
// Fyne's lang translation files, so the desktop app can load the same
// files. en.json is the reference: every other file has the same keys.
// Dropping in a new file (say fr.json) adds a language; see packager/i18n.
//
//go:embed translations/*.json
var Translations embed.FS

// Messages holds the translations of the sentences Dossier's packages write
// into their findings (see packager/i18n.Msg): translations/messages/LANG.json,
// a flat object of English formats to their translation. English needs no
// file; a format a file lacks stays in English.
//
//go:embed translations/messages/*.json
var Messages embed.FS
