package assets

import "embed"

// Summary holds the vocabularies the clinical summary reads report text with
// (summary/*.json): biomarker names, results and methods, histologic types and
// sites, stage systems, event kinds and date words, and the words a cover uses
// to show a fact in another language.
//
//go:embed summary/*.json
var Summary embed.FS
