package assets

import "embed"

// Checklist holds the checklist data: the rules of what a reviewer needs
// (checklist/rules.json) and the words that tell document types apart
// (checklist/doctypes.json).
//
//go:embed checklist/*.json
var Checklist embed.FS
