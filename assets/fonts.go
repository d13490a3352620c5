package assets

import "embed"

// Fonts holds the TrueType fonts Dossier embeds in the PDFs it writes (the
// cover summary, the records-request letter): DejaVu Sans (regular, bold,
// oblique) for Latin, Greek and Cyrillic, Droid Sans Fallback for Chinese
// and Japanese, a bold Noto Sans SC cut to the common Chinese characters for
// Chinese headings (also in the desktop app), and NanumSquare for Korean.
// Paths are "fonts/NAME.ttf";
// fonts/SOURCES.md says where each comes from and under which licence.
//
//go:embed fonts/*.ttf
var Fonts embed.FS

// Font file names inside Fonts.
const (
	FontSans        = "fonts/DejaVuSans.ttf"
	FontSansBold    = "fonts/DejaVuSans-Bold.ttf"
	FontSansOblique = "fonts/DejaVuSans-Oblique.ttf"
	FontCJK         = "fonts/DroidSansFallbackFull.ttf"
	FontCJKBold     = "fonts/NotoSansSC-Bold-subset.ttf"
	FontKorean      = "fonts/NanumSquareR.ttf"
)
