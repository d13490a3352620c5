package deid

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"

	"dossier/packager/intake"
	"dossier/packager/privacy"
	"dossier/packager/slide"
	"dossier/packager/slidedeid"
)

// ErrMultiFile is returned by Write for an item written as several files
// (see Parts).
var ErrMultiFile = errors.New("this item is several files: write each of its parts")

// MultiFile reports whether an item is written as several files, with
// Parts, instead of one with Write: a MIRAX slide (its .mrxs file and the
// files of the folder beside it).
func MultiFile(it *intake.Item) bool {
	return it.Kind == intake.KindSlide && it.Slide != nil && it.Slide.Vendor == slide.VendorMirax
}

// Part is one file of an item that is written as several files.
type Part struct {
	// Name is the file's path in the output tree.
	Name string
	// Source is the original file it is made from.
	Source string
	write  func(ctx context.Context, dst io.Writer) error
}

// Write writes the part to dst, reading its original once; the original is
// never modified.
func (pt Part) Write(ctx context.Context, dst io.Writer) error { return pt.write(ctx, dst) }

// Parts plans the files that the decision for a MultiFile item writes. The
// .mrxs file takes the decision's name and the folder's files go in the
// folder of that name without its extension (OpenSlide finds the folder
// so). A copy (the identified level) is every file of the slide byte for
// byte; at the private levels it is the de-identified copy of
// slidedeid.PlanMRXS, which checks its own result before anything is
// written: no label, no macro, no identifying Slidedat.ini key, and a new
// SLIDE_ID. The caller still scans the written bytes.
func Parts(ctx context.Context, d Decision, p privacy.Params) ([]Part, error) {
	if !d.Writes() {
		return nil, ErrNotWritten
	}
	it := d.Item
	if !MultiFile(it) {
		return nil, errors.New("this item is written as one file")
	}
	folder := strings.TrimSuffix(d.Name, filepath.Ext(d.Name))
	if d.Action == Copy || p.Level == privacy.Identified {
		var parts []Part
		seen := map[string]bool{}
		for i, src := range append([]string{it.Path}, it.Slide.Files...) {
			name := d.Name
			if i > 0 {
				if filepath.Clean(src) == filepath.Clean(it.Path) {
					continue
				}
				name = folder + "/" + filepath.Base(src)
			}
			if seen[strings.ToUpper(name)] {
				continue
			}
			seen[strings.ToUpper(name)] = true
			parts = append(parts, Part{Name: name, Source: src, write: copyFile(src)})
		}
		return parts, nil
	}
	mp, err := slidedeid.PlanMRXS(ctx, it.Path, p)
	if err != nil {
		return nil, err
	}
	parts := make([]Part, len(mp.Files))
	for i, f := range mp.Files {
		name := d.Name
		if f.Name != "" {
			name = folder + "/" + f.Name
		}
		parts[i] = Part{Name: name, Source: f.Source, write: func(ctx context.Context, dst io.Writer) error {
			return mp.WriteFile(ctx, i, dst)
		}}
	}
	return parts, nil
}

// copyFile copies the file at path, stopping when ctx is cancelled.
func copyFile(path string) func(context.Context, io.Writer) error {
	return func(ctx context.Context, dst io.Writer) error {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(dst, contextReader{ctx, f})
		return err
	}
}
