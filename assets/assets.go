// Package assets holds the data files Dossier embeds in its binary.
package assets

import _ "embed"

// Icon is the application icon (PNG, 512x512).
//
//go:embed icon.png
var Icon []byte
