package bundle

import (
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"

	"dossier/packager/deid"
	"dossier/packager/intake"
	"dossier/packager/privacy"
)

// writeMRXS writes a MIRAX slide: its .mrxs file and its folder. Only the
// identified level reaches here (other levels leave MIRAX out for now).
func (p *packer) writeMRXS(s sink, d deid.Decision) error {
	if p.level != privacy.Identified {
		return errors.New("MIRAX slides can only be sent at the identified level for now")
	}
	folder := strings.TrimSuffix(d.Name, filepath.Ext(d.Name))
	paths := append([]string{d.Item.Path}, d.Item.Slide.Files...)
	seen := map[string]bool{}
	for i, src := range paths {
		name := d.Name
		if i > 0 {
			if filepath.Clean(src) == filepath.Clean(d.Item.Path) {
				continue
			}
			name = folder + "/" + filepath.Base(src)
		}
		if seen[name] {
			continue
		}
		seen[name] = true
		fi, err := os.Stat(src)
		if err != nil {
			return err
		}
		sub := deid.Decision{Item: &intake.Item{Path: src, Kind: intake.KindOther, Size: fi.Size(), ModTime: fi.ModTime()}, Path: src, Action: deid.Copy, Name: name}
		w, err := s.create(name, false)
		if err != nil {
			return err
		}
		t := newTee(w, false, nil, name, 0)
		werr := deid.Write(p.ctx, t, sub, p.opts.Params, p.opts.Intake)
		t.finish()
		if werr != nil {
			return werr
		}
		p.files = append(p.files, fileEntry{Name: name, Size: t.n, SHA256: hex.EncodeToString(t.sha256.Sum(nil)), MIME: "application/octet-stream", Title: "MIRAX slide file"})
		p.items = append(p.items, deid.Written{Path: src, Name: name, Action: deid.Copy, Bytes: t.n, SHA256: hex.EncodeToString(t.sha256.Sum(nil))})
	}
	p.done++
	return nil
}
