package assets

import "embed"

// Identity holds the vocabulary Dossier uses to find a patient's identity in
// text: month names by language (identity/months.json), international
// calling codes with their trunk prefixes (identity/phone.json), and the
// labels of identity fields in reports (identity/labels.json).
//
//go:embed identity/*.json
var Identity embed.FS
