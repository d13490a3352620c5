// Package burnedin suggests the boxes of text burned into pictures: the
// known header regions of ultrasound machines (regions.go, data in
// assets/ultrasound) and, where tesseract is installed, the OCR word
// boxes of the case's identity spellings. The boxes are suggestions for
// the user to confirm; packager/pixelmask masks them.
package burnedin

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"os/exec"
	"strconv"
	"strings"

	"dossier/packager/dicomx"
	"dossier/packager/identity"
	"dossier/packager/pixelmask"
)

// ErrNoOCR is returned when tesseract (Debian package tesseract-ocr) is
// not installed: OCR suggestions are then not made, and the app and the
// command line say so.
var ErrNoOCR = errors.New("burnedin: tesseract is not installed (Debian package tesseract-ocr), so text in pictures is not looked for")

// Tesseract returns the path of the tesseract program, or ErrNoOCR.
func Tesseract() (string, error) {
	p, err := exec.LookPath("tesseract")
	if err != nil {
		return "", ErrNoOCR
	}
	return p, nil
}

// Word is one word tesseract read, with its box in the picture's pixels.
type Word struct {
	Text string
	Box  pixelmask.Box
	// Line identifies the text line (block, paragraph, line numbers).
	Line [3]int
}

// OCR reads the words of m with `tesseract stdin - tsv`. The picture is
// passed on the standard input, never written to a file.
func OCR(ctx context.Context, m image.Image) ([]Word, error) {
	bin, err := Tesseract()
	if err != nil {
		return nil, err
	}
	var in bytes.Buffer
	if err := png.Encode(&in, m); err != nil {
		return nil, fmt.Errorf("burnedin: %w", err)
	}
	cmd := exec.CommandContext(ctx, bin, "stdin", "stdout", "--psm", "11", "tsv")
	cmd.Stdin = &in
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		// tesseract's messages name no file content; keep the first line.
		msg, _, _ := strings.Cut(strings.TrimSpace(stderr.String()), "\n")
		return nil, fmt.Errorf("burnedin: tesseract: %w (%s)", err, msg)
	}
	return parseTSV(&out)
}

// parseTSV reads tesseract's TSV output (level, page_num, block_num,
// par_num, line_num, word_num, left, top, width, height, conf, text).
func parseTSV(r io.Reader) ([]Word, error) {
	cr := csv.NewReader(r)
	cr.Comma = '\t'
	cr.LazyQuotes = true
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	var words []Word
	header := true
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return words, nil
		}
		if err != nil {
			return nil, fmt.Errorf("burnedin: tesseract output: %w", err)
		}
		if header {
			header = false
			continue
		}
		if len(rec) < 12 || rec[0] != "5" || strings.TrimSpace(rec[11]) == "" {
			continue
		}
		n := make([]int, 10)
		for i := range n {
			n[i], _ = strconv.Atoi(rec[i+1])
		}
		words = append(words, Word{
			Text: rec[11],
			Box:  pixelmask.Box{X: n[5], Y: n[6], Width: n[7], Height: n[8]},
			Line: [3]int{n[1], n[2], n[3]},
		})
	}
}

// MatchWords returns a box over the words of each place where m finds an
// identity spelling in the words' lines (words of one line joined by a
// space, so a name read as two words is found), grown by pad pixels.
// Frame is set on every box.
func MatchWords(words []Word, m *identity.Matcher, pad, frame int) []pixelmask.Box {
	var out []pixelmask.Box
	for i := 0; i < len(words); {
		j := i
		var text strings.Builder
		var starts []int
		for j < len(words) && words[j].Line == words[i].Line {
			if j > i {
				text.WriteByte(' ')
			}
			starts = append(starts, text.Len())
			text.WriteString(words[j].Text)
			j++
		}
		line := words[i:j]
		for _, sp := range m.FindAll(text.String()) {
			var u pixelmask.Box
			for k, w := range line {
				if starts[k] < sp.End && starts[k]+len(w.Text) > sp.Start {
					u = union(u, w.Box)
				}
			}
			if u.Width > 0 {
				u.X, u.Y = max(u.X-pad, 0), max(u.Y-pad, 0)
				u.Width, u.Height = u.Width+2*pad, u.Height+2*pad
				u.Frame = frame
				out = append(out, u)
			}
		}
		i = j
	}
	return out
}

func union(a, b pixelmask.Box) pixelmask.Box {
	if a.Width == 0 {
		return b
	}
	x0, y0 := min(a.X, b.X), min(a.Y, b.Y)
	x1, y1 := max(a.X+a.Width, b.X+b.Width), max(a.Y+a.Height, b.Y+b.Height)
	return pixelmask.Box{X: x0, Y: y0, Width: x1 - x0, Height: y1 - y0}
}

// SuggestOCR returns the boxes of the identity spellings m finds in the
// text of picture img (frame is the 1-based frame the boxes are for, 0
// for a single picture). It returns ErrNoOCR when tesseract is missing.
func SuggestOCR(ctx context.Context, img image.Image, m *identity.Matcher, frame int) ([]pixelmask.Box, error) {
	words, err := OCR(ctx, img)
	if err != nil {
		return nil, err
	}
	return MatchWords(words, m, 2, frame), nil
}

// Suggestions are the boxes suggested for one DICOM image.
type Suggestions struct {
	// Known are the known header regions of its machine (every frame).
	Known []pixelmask.Box
	// OCR are the boxes of identity spellings read in its first frame
	// (for every frame: a cine's header stays where it is).
	OCR []pixelmask.Box
	// OCRMissing reports that tesseract is not installed: no OCR was done,
	// and the user must be told.
	OCRMissing bool
}

// All returns the known and the OCR boxes together.
func (s Suggestions) All() []pixelmask.Box {
	return append(append([]pixelmask.Box(nil), s.Known...), s.OCR...)
}

// SuggestDICOM suggests the boxes of burned-in identity in the DICOM image
// in src: the known regions of its machine and, where tesseract is
// installed, the spellings m finds in the text of its first frame.
func SuggestDICOM(ctx context.Context, src io.ReaderAt, size int64, m *identity.Matcher) (Suggestions, error) {
	var s Suggestions
	h, err := dicomx.ReadHeader(ctx, src, size)
	if err != nil {
		return s, err
	}
	s.Known = Suggest(h)
	img, err := pixelmask.DICOMFrame(ctx, src, size, 1)
	if err != nil {
		return s, err
	}
	s.OCR, err = SuggestOCR(ctx, img, m, 0)
	if errors.Is(err, ErrNoOCR) {
		s.OCRMissing = true
		return s, nil
	}
	return s, err
}
