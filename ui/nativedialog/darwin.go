//go:build darwin && cgo

package nativedialog

import (
	"context"
	"errors"
	"strings"

	"github.com/sqweek/dialog"
)

// macOS: NSOpenPanel and NSSavePanel through github.com/sqweek/dialog, which runs them on the main
// thread as AppKit requires.
type macDialog struct{}

func system(context.Context) Chooser { return macDialog{} }

func (macDialog) Name() string { return "macos" }

func (macDialog) Choose(ctx context.Context, r Request) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	var (
		path string
		err  error
	)
	if r.Kind == Folder {
		path, err = dialog.Directory().Title(r.Title).SetStartDir(r.Folder).Browse()
	} else {
		b := dialog.File().Title(r.Title).SetStartDir(r.Folder)
		if r.Filter != nil {
			var exts []string
			for _, e := range r.Filter.Extensions {
				if e = strings.TrimLeft(e, "*."); e != "" {
					exts = append(exts, e)
				}
			}
			if len(exts) > 0 {
				b = b.Filter(r.Filter.Name, exts...)
			}
		}
		if r.Kind == SaveFile {
			path, err = b.SetStartFile(r.Name).Save()
		} else {
			path, err = b.Load()
		}
	}
	return systemResult(path, err, errors.Is(err, dialog.ErrCancelled))
}
