package i18n

import (
	"errors"
	"io/fs"
	"strings"
)

// PlainError is an error's message as a person is shown it inside a
// finding: without the prefixes of the low-level packages ("dicomx: ") and,
// for a file system error, without the operation and the path (the finding
// names the file already).
func PlainError(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	msg := err.Error()
	for _, p := range lowLevel {
		msg = strings.ReplaceAll(msg, p+": ", "")
	}
	return msg
}

// lowLevel are the packages whose errors start with their name (the
// format packages and primitives, and preview; internal/tiers checks it).
var lowLevel = []string{
	"atomicfile", "burnedin", "dicomdeid", "dicomdir", "dicomwire", "dicomx", "doctext", "envelope", "exif",
	"i18n", "identity", "jpegdec", "jpegls", "leakscan", "pdftext", "pixelmask", "preview", "privacy", "redact", "rtflex",
	"slide", "slidedeid", "textenc",
}
