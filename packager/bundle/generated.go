package bundle

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"dossier/packager/deid"
	"dossier/packager/dicomdir"
	"dossier/packager/dicomx"
	"dossier/packager/doctext"
	"dossier/packager/i18n"
	"dossier/packager/intake"
	"dossier/packager/leakscan"
	"dossier/packager/privacy"
)

// addDICOM reads the header of a DICOM file as written, for the DICOMDIR,
// the study list and the cover, from the kept prefix of the file: the
// header reader stops before pixel data, so it never asks for more.
func (p *packer) addDICOM(d *deid.Decision, prefix []byte, size int64) error {
	h, err := dicomx.ReadHeader(p.ctx, bytes.NewReader(prefix), size)
	if h == nil && d.Action == deid.Copy {
		// A copy is the original byte for byte: read its header there.
		f, oerr := intake.Open(d.Item, p.opts.Intake)
		if oerr != nil {
			return oerr
		}
		h, err = dicomx.ReadHeader(p.ctx, f, f.Size())
		f.Close()
	}
	if err != nil && h == nil {
		return fmt.Errorf("the written DICOM file cannot be read back: %w", err)
	}
	if p.dir == nil {
		p.dir, _ = dicomdir.NewBuilder(fileSetID)
	}
	if err := p.dir.AddPath(d.Name, h); err != nil && p.dirErr == nil {
		p.dirErr = err
	}
	folder, series := folders(d.Name)
	st := p.studies[folder]
	if st == nil {
		st = &studyLine{Folder: folder, Date: strings.Clone(isoDate(h.StudyDate)), Description: strings.Clone(h.StudyDescription)}
		p.studies[folder] = st
		p.order = append(p.order, folder)
	}
	if !p.series[series] {
		p.series[series] = true
		st.Series++
	}
	if h.Modality != "" && !strings.Contains(" "+st.Modalities+" ", " "+h.Modality+" ") {
		st.Modalities = strings.TrimSpace(st.Modalities + " " + h.Modality)
	}
	st.Images++
	return nil
}

// fileSetID is the DICOMDIR's File-set ID.
const fileSetID = "DOSSIER"

// folders are the study folder (DICOM/ST000001) and the series folder
// (DICOM/ST000001/SE000001) of a DICOM file's name in the bundle, as parts
// of the name.
func folders(name string) (study, series string) {
	n := 0
	study, series = name, name
	for i := 0; i < len(name); i++ {
		if name[i] != '/' {
			continue
		}
		switch n++; n {
		case 2:
			study = name[:i]
		case 3:
			series = name[:i]
			return study, series
		}
	}
	return study, series
}

func isoDate(da string) string {
	if len(da) == 8 {
		return da[:4] + "-" + da[4:6] + "-" + da[6:]
	}
	return da
}

// writeGenerated writes DICOMDIR, METADATA.XML, README.TXT, INDEX.HTM,
// COVER.PDF and, last, MANIFEST.SHA256.
func (p *packer) writeGenerated(s sink, res *Result) error {
	info := treeInfo{Created: p.created, Level: p.level, Recipient: p.opts.Recipient, Files: p.files}
	switch p.level {
	case privacy.Identified:
		if len(p.inv.Patients) == 1 {
			info.PatientID, info.PatientName = p.inv.Patients[0].ID, p.inv.Patients[0].Name
		}
	default:
		info.PatientID = p.opts.Params.Pseudonym
	}
	for _, k := range p.order {
		info.Studies = append(info.Studies, *p.studies[k])
	}
	for i := range info.Studies {
		if p.level != privacy.Identified {
			info.Studies[i].Description = "" // descriptors may carry identity
		}
	}
	added := addedPaths(inventoryPaths(p.inv))
	for _, d := range res.LeftOut {
		d.Path = added(d.Path) // relative to what was added: no local user or folder names
		info.LeftOut = append(info.LeftOut, leftOutLine(d, p.level))
	}
	if p.dirErr != nil {
		return fmt.Errorf("making the DICOMDIR: %w", p.dirErr)
	}
	if p.dir != nil && p.dir.Len() > 0 {
		if err := p.generatedStream(s, NameDICOMDIR, false, p.dir.Write); err != nil {
			return fmt.Errorf("making the DICOMDIR: %w", err)
		}
		p.dir = nil
	}
	setUID := privacy.Params{Secret: []byte(p.created.String() + p.opts.Params.Pseudonym)}.UID("submission set")
	docUID := func(name string) string {
		return privacy.Params{Secret: []byte(setUID)}.UID(name)
	}
	if err := p.generated(s, NameMetadata, metadata(info, setUID, docUID), true); err != nil {
		return err
	}
	// INDEX.HTM's pictures, covered by the fingerprint like the records they show.
	info.Thumbs = p.thumbnails(s, info.Files)
	// The fingerprint covers the records and the machine-readable files.
	info.Fingerprint = fingerprint(p.files, p.gen)
	res.Fingerprint = info.Fingerprint
	if err := p.generated(s, NameReadme, readme(info), true); err != nil {
		return err
	}
	ci := p.coverInfo(info)
	info.Language, info.Questions, info.Documents = p.opts.Language, p.opts.Index.Questions, p.opts.Index.Documents
	if p.opts.Index.Clinical != nil {
		info.Clinical = p.opts.Index.Clinical(ci)
	}
	if err := p.generated(s, NameIndex, index(info), true); err != nil {
		return err
	}
	var cover bytes.Buffer
	if err := p.opts.Cover(p.ctx, &cover, ci); err != nil {
		return fmt.Errorf("making the cover summary: %w", err)
	}
	if p.scanner != nil {
		if text, err := doctext.Extract(p.ctx, bytes.NewReader(cover.Bytes()), int64(cover.Len()), "pdf", doctext.Options{}); err == nil {
			p.leaks = append(p.leaks, p.scanner.String(NameCover+" (text)", text)...)
		}
	}
	if err := p.generated(s, NameCover, cover.Bytes(), false); err != nil {
		return err
	}
	return p.generatedStream(s, NameManifest, true, func(w io.Writer) error { return writeManifest(w, p.files, p.gen) })
}

// coverInfo is what the cover (and INDEX.HTM's clinical summary) is made from.
func (p *packer) coverInfo(info treeInfo) CoverInfo {
	ci := CoverInfo{Level: p.level, Fingerprint: info.Fingerprint, Created: p.created, LeftOut: info.LeftOut, Names: map[string]string{}}
	for i := range p.files {
		it := p.files[i].written(false)
		ci.Names[it.Path] = it.Name
		if len(it.Redacted) > 0 && p.level != privacy.Identified {
			// A redacted document, or a picture masked under the boxes
			// the user confirmed.
			if ci.Redacted == nil {
				ci.Redacted = map[string][]deid.Redaction{}
			}
			ci.Redacted[it.Name] = it.Redacted
		}
		if it.SentNamed() && p.level != privacy.Identified {
			ci.SentNamed = append(ci.SentNamed, filepath.Base(filepath.FromSlash(it.Name)))
		}
	}
	for _, st := range info.Studies {
		ci.Studies = append(ci.Studies, StudySummary{Date: st.Date, Modalities: strings.Fields(st.Modalities), Description: st.Description, Series: st.Series, Images: st.Images, Folder: st.Folder})
	}
	return ci
}

// generated writes one generated file, scanning it like the items.
func (p *packer) generated(s sink, name string, data []byte, compress bool) error {
	if p.scanner != nil {
		p.leaks = append(p.leaks, p.scanner.Bytes(name, data)...)
	}
	w, err := s.create(name, compress)
	if err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	if name != NameManifest {
		p.gen = append(p.gen, fileEntry{Name: name, Size: int64(len(data)), sum: sum})
	}
	return nil
}

// generatedStream is generated for a file that write writes as it makes it
// (the DICOMDIR and the manifest of a large bundle are several MB): the
// bytes are scanned and hashed on their way into the bundle.
func (p *packer) generatedStream(s sink, name string, compress bool, write func(io.Writer) error) error {
	w, err := s.create(name, compress)
	if err != nil {
		return err
	}
	sum := sha256.New()
	var out io.Writer = io.MultiWriter(w, sum)
	var tap *leakscan.Tap
	if p.scanner != nil {
		tap = p.scanner.Writer(name, out)
		out = tap
	}
	bw := bufio.NewWriterSize(out, 64<<10)
	c := &countWriter{w: bw}
	if err := write(c); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if tap != nil {
		p.leaks = append(p.leaks, tap.Hits...)
	}
	if name != NameManifest {
		f := fileEntry{Name: name, Size: c.n}
		sum.Sum(f.sum[:0])
		p.gen = append(p.gen, f)
	}
	return nil
}

// countWriter counts what passes through it.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}

// LeftOutLine is one item left out of a bundle: what it is and why it was
// left out, written in a language where it is shown.
type LeftOutLine struct {
	// What is the item's path relative to what was added at the identified
	// level, else the kind of item (never the original file name).
	What i18n.Text
	Why  i18n.Text
}

// String writes the line in English: "what: why".
func (l LeftOutLine) String() string { return l.What.String() + ": " + l.Why.String() }

// leftOutLine says what was left out and why, without the original file
// name at private levels (the kind of item stands in for it).
func leftOutLine(d deid.Decision, level privacy.Level) LeftOutLine {
	what := i18n.Plain(d.Path)
	if level != privacy.Identified {
		what = describe(d.Item)
	}
	return LeftOutLine{What: what, Why: d.Reason}
}

func describe(it *intake.Item) i18n.Text {
	switch it.Kind {
	case intake.KindDICOM:
		if it.Modality != "" {
			return i18n.NewText(i18n.Msg("a %v image"), it.Modality)
		}
		return i18n.NewText(i18n.Msg("a DICOM file"))
	case intake.KindPDF:
		return i18n.NewText(i18n.Msg("a PDF document"))
	case intake.KindImage:
		return i18n.NewText(i18n.Msg("a picture (%v)"), it.Format)
	case intake.KindSlide:
		return i18n.NewText(i18n.Msg("a slide (%v)"), it.Slide.Vendor)
	case intake.KindDocument:
		return i18n.NewText(i18n.Msg("a document (%v)"), it.Format)
	}
	return i18n.NewText(i18n.Msg("a file (%v)"), it.Kind)
}

func mimeOf(it *intake.Item) string {
	switch it.Format {
	case "pdf":
		return "application/pdf"
	case "jpeg":
		return "image/jpeg"
	case "png":
		return "image/png"
	case "bmp":
		return "image/bmp"
	case "txt":
		return "text/plain"
	case "html":
		return "text/html"
	case "docx":
		return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	case "doc":
		return "application/msword"
	case "rtf":
		return "application/rtf"
	}
	if it.Kind == intake.KindDICOM {
		return "application/dicom"
	}
	return "application/octet-stream"
}

func titleOf(it *intake.Item, category string) string {
	if category != "" {
		return strings.ToUpper(category[:1]) + strings.ReplaceAll(category[1:], "-", " ")
	}
	d := describe(it).String()
	return strings.ToUpper(d[:1]) + d[1:]
}
