package leakscan

import (
	"archive/zip"
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"

	"dossier/packager/doctext"
	"dossier/packager/exif"
	"dossier/packager/pdftext"
	"dossier/packager/textenc"
)

// pdfcpu would otherwise create a configuration folder in the user's home; Dossier needs none of it.
// Set in init, before any goroutine reads pdfcpu's configuration: set later, under a sync.Once of
// one package, it raced with another package's reading of it on another worker.
func init() { api.DisableConfigDir() }

// Layer is one readable part of a written file, decoded so that text in it
// reads as text: an inflated PDF stream or the strings of a PDF object, a
// part of a DOCX or OpenDocument file, the decoded text of an RTF or text
// file, a metadata block of a picture.
type Layer struct {
	// Place names the part without quoting any of its content: "page 2
	// content", "form field 1", "word/comments.xml", "APP1 (EXIF)".
	Place string
	// Data is the layer's content: UTF-8 text where the format says it is
	// text, the raw bytes otherwise (metadata blocks).
	Data []byte
	// Truncated is set when the layer was longer than the limit and only
	// its start is in Data.
	Truncated bool
}

// LayerLimits bound what Layers reads, so a hostile file cannot exhaust
// memory: a stream that inflates to gigabytes, a million tiny objects.
type LayerLimits struct {
	// MaxLayers is the most layers yielded (default 100000); past it
	// Layers returns ErrTooManyLayers.
	MaxLayers int
	// MaxLayerBytes caps one layer's data (default 64 MiB); longer layers
	// are cut and marked Truncated.
	MaxLayerBytes int
	// MaxInput caps the bytes of a file read whole into memory (PDF, RTF,
	// text; default 1 GiB); larger files are refused with ErrTooLarge.
	MaxInput int64
}

func (l LayerLimits) withDefaults() LayerLimits {
	if l.MaxLayers <= 0 {
		l.MaxLayers = 100000
	}
	if l.MaxLayerBytes <= 0 {
		l.MaxLayerBytes = 64 << 20
	}
	if l.MaxInput <= 0 {
		l.MaxInput = 1 << 30
	}
	return l
}

// Errors from Layers.
var (
	ErrTooManyLayers = errors.New("leakscan: the file has more parts than are read")
	ErrTooLarge      = errors.New("leakscan: the file is too large to read its parts")
	ErrNoLayers      = errors.New("leakscan: cannot read the parts of this kind of file")
)

// Layers reads a written file of the given format (as intake names formats:
// "pdf", "docx", "xlsx", "pptx", "odf", "rtf", "txt", "html", "jpeg",
// "png", "tiff", "heic") and calls yield with each of its layers. An error
// from yield stops the reading and is returned.
func Layers(ctx context.Context, r io.ReaderAt, size int64, format string, lim LayerLimits, yield func(Layer) error) error {
	lim = lim.withDefaults()
	y := &yielder{lim: lim, yield: yield, ctx: ctx}
	switch format {
	case "pdf":
		return pdfLayers(y, r, size)
	case "docx", "xlsx", "pptx", "odf":
		return zipLayers(y, r, size, "", 0)
	case "rtf":
		b, err := readAll(r, size, lim)
		if err != nil {
			return err
		}
		return y.emit("text", []byte(doctext.RTFText(b)))
	case "txt", "html":
		b, err := readAll(r, size, lim)
		if err != nil {
			return err
		}
		text, _ := textenc.Decode(b)
		return y.emit("text", []byte(text))
	case "jpeg", "png", "tiff", "heic":
		b, err := readAll(r, size, lim)
		if err != nil {
			return err
		}
		return imageLayers(y, "", b, format, 0)
	}
	return ErrNoLayers
}

// Layers scans every layer of a written file (see the package function
// Layers) and returns the hits, each placed as "where: layer place".
func (s *Scanner) Layers(ctx context.Context, where string, r io.ReaderAt, size int64, format string, lim LayerLimits) ([]Hit, error) {
	var hits []Hit
	err := Layers(ctx, r, size, format, lim, func(l Layer) error {
		hits = append(hits, s.Bytes(where+": "+l.Place, l.Data)...)
		return nil
	})
	return hits, err
}

type yielder struct {
	ctx   context.Context
	lim   LayerLimits
	n     int
	yield func(Layer) error
}

func (y *yielder) emit(place string, data []byte) error {
	return y.emitLayer(Layer{Place: place, Data: data})
}

func (y *yielder) emitLayer(l Layer) error {
	if err := y.ctx.Err(); err != nil {
		return err
	}
	if y.n >= y.lim.MaxLayers {
		return ErrTooManyLayers
	}
	y.n++
	if len(l.Data) > y.lim.MaxLayerBytes {
		l.Data, l.Truncated = l.Data[:y.lim.MaxLayerBytes], true
	}
	return y.yield(l)
}

func readAll(r io.ReaderAt, size int64, lim LayerLimits) ([]byte, error) {
	if size > lim.MaxInput {
		return nil, ErrTooLarge
	}
	b := make([]byte, size)
	n, err := r.ReadAt(b, 0)
	if err != nil && !(errors.Is(err, io.EOF) && int64(n) == size) {
		return nil, fmt.Errorf("leakscan: reading the file: %w", err)
	}
	return b, nil
}

// zipLayers yields each part of a DOCX, XLSX, PPTX or OpenDocument file: XML
// parts as their text (character data and attribute values, so a name
// split over runs or held in an attribute reads whole), pictures as their
// metadata, other parts as their bytes.
func zipLayers(y *yielder, r io.ReaderAt, size int64, prefix string, depth int) error {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return fmt.Errorf("leakscan: reading the document: %w", err)
	}
	for _, f := range zr.File {
		name := f.Name
		if strings.HasSuffix(name, "/") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return fmt.Errorf("leakscan: reading the document: %w", err)
		}
		data, err := io.ReadAll(io.LimitReader(rc, int64(y.lim.MaxLayerBytes)+1))
		rc.Close()
		if err != nil {
			return fmt.Errorf("leakscan: reading the document: %w", err)
		}
		truncated := len(data) > y.lim.MaxLayerBytes
		if truncated {
			data = data[:y.lim.MaxLayerBytes]
		}
		ext := strings.ToLower(path.Ext(name))
		switch {
		case (ext == ".docx" || ext == ".xlsx" || ext == ".pptx" || ext == ".odt" || ext == ".docm" || ext == ".xlsm") && depth < 3 && !truncated:
			// A document embedded in the document: its parts are layers too.
			if err := zipLayers(y, bytes.NewReader(data), int64(len(data)), prefix+name+"!/", depth+1); err == nil {
				continue
			} else if errors.Is(err, ErrTooManyLayers) || errors.Is(err, context.Canceled) {
				return err
			}
		case ext == ".xml" || ext == ".rels" || ext == ".vml":
			text, terr := xmlLayerText(data, y.lim.MaxLayerBytes)
			if terr == nil {
				data = []byte(text)
			}
		case ext == ".jpeg" || ext == ".jpg" || ext == ".png" || ext == ".tif" || ext == ".tiff" || ext == ".heic":
			f := map[string]string{".jpeg": "jpeg", ".jpg": "jpeg", ".png": "png", ".tif": "tiff", ".tiff": "tiff", ".heic": "heic"}[ext]
			if err := imageLayers(y, prefix+name+" ", data, f, 0); err != nil {
				if errors.Is(err, ErrTooManyLayers) || errors.Is(err, context.Canceled) {
					return err
				}
			}
			continue
		}
		if err := y.emitLayer(Layer{Place: prefix + name, Data: data, Truncated: truncated}); err != nil {
			return err
		}
	}
	return nil
}

// xmlLayerText is the character data of an XML part, runs joined, with
// every attribute value on a line of its own.
func xmlLayerText(data []byte, limit int) (string, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = false
	var b, attrs strings.Builder
	for b.Len() < limit {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			if b.Len() > 0 {
				break
			}
			return "", err
		}
		switch t := tok.(type) {
		case xml.CharData:
			b.Write(t)
		case xml.StartElement:
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || a.Name.Local == "xmlns" {
					continue
				}
				if attrs.Len() < limit {
					attrs.WriteString(a.Value + "\n")
				}
			}
			switch t.Name.Local {
			case "tab", "s", "br", "cr", "line-break":
				b.WriteByte(' ')
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "p", "h", "tr", "tc", "table-cell", "si", "row", "c",
				"creator", "date", "initials", "title", "desc", "annotation", "note-citation", "note-body", "comment", "footnote", "endnote":
				b.WriteByte('\n')
			}
		}
	}
	// Attribute values come after the text, so they do not split words
	// whose letters are in runs of their own.
	return b.String() + "\n" + attrs.String(), nil
}

// textOf returns b as UTF-8 text: as it is when it is valid UTF-8,
// otherwise each valid UTF-8 sequence as it is and every other byte read
// as Latin-1. Metadata blocks and streams mix binary numbers with text in
// UTF-8 (newer programs) or Latin-1 (older ones); both read right this
// way. (Whole text files are decoded by textenc instead.)
func textOf(b []byte) []byte {
	if utf8.Valid(b) {
		return b
	}
	out := make([]byte, 0, len(b)+len(b)/4)
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n <= 1 {
			r, n = rune(b[0]), 1
		}
		out = utf8.AppendRune(out, r)
		b = b[n:]
	}
	return out
}

// pdfLayers yields the layers of a PDF: the content of each page, the
// XObjects and annotations of each page, form fields, attached files
// (their names and contents), the document information and the XMP
// metadata; then every other object not yet read, by number. Each
// object's layer is its strings (decoded from UTF-16 or PDFDocEncoding)
// followed by its stream, inflated.
func pdfLayers(y *yielder, r io.ReaderAt, size int64) (err error) {
	if size > y.lim.MaxInput {
		return ErrTooLarge
	}
	defer func() {
		if p := recover(); p != nil {
			err = errors.New("leakscan: cannot read this PDF (damaged)")
		}
	}()
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	ctx, err := api.ReadContext(io.NewSectionReader(r, 0, size), conf)
	if err != nil {
		return fmt.Errorf("leakscan: cannot read this PDF: %w", err)
	}
	if err := pdftext.LoadObjects(ctx); err != nil {
		return fmt.Errorf("leakscan: cannot read this PDF: %w", err)
	}
	if err := ctx.EnsurePageCount(); err != nil {
		ctx.PageCount = 0 // a damaged page tree: every object is still read, by number
	}
	places := map[int]string{}
	label := func(o types.Object, place string) {
		if ref, ok := o.(types.IndirectRef); ok {
			nr := ref.ObjectNumber.Value()
			if _, done := places[nr]; !done {
				places[nr] = place
			}
		}
	}
	// labelTree names every object reachable from o (through references,
	// cycle-guarded) after place.
	var labelTree func(o types.Object, place string, depth int)
	labelTree = func(o types.Object, place string, depth int) {
		if depth > 64 || o == nil {
			return
		}
		switch v := o.(type) {
		case types.IndirectRef:
			nr := v.ObjectNumber.Value()
			if _, done := places[nr]; done {
				return
			}
			places[nr] = place
			if e, ok := ctx.Find(nr); ok && e != nil && !e.Free {
				labelTree(e.Object, place, depth+1)
			}
		case types.Dict:
			for k, x := range v {
				if k == "Parent" || k == "P" || k == "Pg" || k == "Dest" || k == "Font" {
					continue
				}
				labelTree(x, place, depth+1)
			}
		case types.StreamDict:
			labelTree(v.Dict, place, depth)
		case types.Array:
			for _, x := range v {
				labelTree(x, place, depth+1)
			}
		}
	}
	if ctx.Info != nil {
		label(*ctx.Info, "document information (Info)")
	}
	if root, err := ctx.Catalog(); err == nil {
		if ctx.Root != nil {
			label(*ctx.Root, "document catalog")
		}
		labelTree(root["Metadata"], "XMP metadata", 0)
		labelTree(root["Outlines"], "bookmarks", 0)
		if af, ok := root["AcroForm"]; ok {
			if d, err := ctx.DereferenceDict(af); err == nil && d != nil {
				if fields, err := ctx.DereferenceArray(d["Fields"]); err == nil {
					for i, f := range fields {
						labelTree(f, fmt.Sprintf("form field %d", i+1), 0)
					}
				}
			}
		}
		if names, err := ctx.DereferenceDict(root["Names"]); err == nil && names != nil {
			labelTree(names["EmbeddedFiles"], "attached files", 0)
			labelTree(names["JavaScript"], "document JavaScript", 0)
		}
		labelTree(root["StructTreeRoot"], "structure tree", 0)
	}
	for i := 1; i <= ctx.PageCount && i <= 100000; i++ {
		d, ref, _, err := ctx.PageDict(i, false)
		if err != nil || d == nil {
			continue
		}
		if ref != nil {
			label(*ref, fmt.Sprintf("page %d", i))
		}
		labelTree(d["Contents"], fmt.Sprintf("page %d content", i), 0)
		if annots, err := ctx.DereferenceArray(d["Annots"]); err == nil {
			for k, a := range annots {
				labelTree(a, fmt.Sprintf("page %d annotation %d", i, k+1), 0)
			}
		}
		if res, err := ctx.DereferenceDict(d["Resources"]); err == nil && res != nil {
			if xo, err := ctx.DereferenceDict(res["XObject"]); err == nil && xo != nil {
				keys := make([]string, 0, len(xo))
				for k := range xo {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				for _, k := range keys {
					labelTree(xo[k], fmt.Sprintf("page %d XObject %d", i, len(places)), 0)
				}
			}
		}
		labelTree(d, fmt.Sprintf("page %d", i), 0)
	}
	nrs := make([]int, 0, len(ctx.Table))
	for nr := range ctx.Table {
		nrs = append(nrs, nr)
	}
	sort.Ints(nrs)
	for _, nr := range nrs {
		e := ctx.Table[nr]
		if e == nil || e.Free || e.Object == nil {
			continue
		}
		place, ok := places[nr]
		if !ok {
			place = "object"
		}
		if d, ok := e.Object.(types.StreamDict); ok {
			if t := d.NameEntry("Type"); t != nil && *t == "EmbeddedFile" {
				place = "attached file contents"
			}
		}
		place = fmt.Sprintf("%s (object %d)", place, nr)
		var b bytes.Buffer
		pdfStrings(&b, e.Object, 0, y.lim.MaxLayerBytes)
		if sd, ok := e.Object.(types.StreamDict); ok {
			b.WriteByte('\n')
			data := pdfStream(sd, y.lim.MaxLayerBytes)
			b.Write(textOf(data))
			if s := sd.Dict.NameEntry("Subtype"); strings.Contains(place, "content") || s != nil && *s == "Form" {
				b.WriteByte('\n')
				contentStrings(&b, data, y.lim.MaxLayerBytes)
			}
		}
		if b.Len() == 0 {
			continue
		}
		if err := y.emit(place, b.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

// contentStrings writes the strings of a content stream decoded, one a
// line: text shown in simple fonts, and the actual and alternative text of
// marked content (written in UTF-16, so unreadable in the stream's bytes).
func contentStrings(b *bytes.Buffer, data []byte, limit int) {
	lx := pdftext.NewLexer(data)
	for b.Len() < limit {
		t := lx.Next()
		switch t.Kind {
		case pdftext.KindEOF:
			return
		case pdftext.KindString, pdftext.KindHexString:
			s := pdftext.DecodeString(t.Bytes(data))
			if len(s) >= 2 && s[0] == 0xFE && s[1] == 0xFF {
				u := make([]uint16, 0, len(s)/2)
				for i := 2; i+1 < len(s); i += 2 {
					u = append(u, uint16(s[i])<<8|uint16(s[i+1]))
				}
				b.WriteString(string(utf16.Decode(u)))
			} else {
				b.Write(textOf(s))
			}
			b.WriteByte('\n')
		}
	}
}

// pdfStrings writes the strings and names of an object and of the objects
// nested directly in it, decoded, one a line.
func pdfStrings(b *bytes.Buffer, o types.Object, depth, limit int) {
	if depth > 64 || b.Len() > limit {
		return
	}
	switch v := o.(type) {
	case types.StringLiteral:
		if s, err := types.StringLiteralToString(v); err == nil {
			b.WriteString(s + "\n")
		} else {
			b.WriteString(v.Value() + "\n")
		}
	case types.HexLiteral:
		if s, err := types.HexLiteralToString(v); err == nil {
			b.WriteString(s + "\n")
		}
	case types.Name:
		b.WriteString(v.Value() + "\n")
	case types.Dict:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			pdfStrings(b, v[k], depth+1, limit)
		}
	case types.StreamDict:
		pdfStrings(b, v.Dict, depth, limit)
	case types.Array:
		for _, x := range v {
			pdfStrings(b, x, depth+1, limit)
		}
	}
}

// pdfStream returns a stream's content, inflated when it is compressed
// with Flate (bounded by limit), its raw bytes otherwise (pictures: the
// raw bytes of a JPEG hold its metadata as they are).
func pdfStream(sd types.StreamDict, limit int) []byte {
	if len(sd.FilterPipeline) == 0 {
		return sd.Raw
	}
	if len(sd.FilterPipeline) == 1 && sd.FilterPipeline[0].Name == "FlateDecode" && sd.FilterPipeline[0].DecodeParms == nil {
		zr, err := zlib.NewReader(bytes.NewReader(sd.Raw))
		if err != nil {
			return sd.Raw
		}
		out, _ := io.ReadAll(io.LimitReader(zr, int64(limit)))
		return out
	}
	if err := sd.DecodeWithLimit(int64(limit)); err == nil && sd.Content != nil {
		return sd.Content
	}
	return sd.Raw
}

// imageLayers yields the metadata blocks of a picture: JPEG application
// segments and comments, PNG text and EXIF chunks, TIFF tags that hold
// text, and the Exif and XMP items of a HEIC file.
func imageLayers(y *yielder, prefix string, b []byte, format string, depth int) error {
	switch format {
	case "jpeg":
		return jpegLayers(y, prefix, b, depth)
	case "png":
		return pngLayers(y, prefix, b)
	case "tiff":
		return tiffLayers(y, prefix+"TIFF", b)
	case "heic":
		return heicLayers(y, prefix, b)
	}
	return ErrNoLayers
}

func jpegLayers(y *yielder, prefix string, b []byte, depth int) error {
	if len(b) < 2 || b[0] != 0xFF || b[1] != 0xD8 {
		return errors.New("leakscan: not a JPEG")
	}
	i := 2
	for i+4 <= len(b) {
		if b[i] != 0xFF {
			return nil
		}
		m := b[i+1]
		if m == 0xFF {
			i++
			continue
		}
		if m == 0xD9 || m == 0xDA { // end, or image data: no more metadata segments
			break
		}
		if m >= 0xD0 && m <= 0xD7 || m == 0x01 {
			i += 2
			continue
		}
		n := int(binary.BigEndian.Uint16(b[i+2:]))
		if n < 2 || i+2+n > len(b) {
			return nil
		}
		body := b[i+4 : i+2+n]
		i += 2 + n
		var place string
		switch {
		case m == 0xFE:
			place = "COM (comment)"
		case m == 0xE1 && bytes.HasPrefix(body, []byte("Exif\x00\x00")):
			if err := tiffLayers(y, prefix+"APP1 (EXIF)", body[6:]); err != nil && errors.Is(err, ErrTooManyLayers) {
				return err
			}
			place = "APP1 (EXIF)"
		case m == 0xE1:
			place = "APP1 (XMP)"
		case m == 0xED:
			place = "APP13 (IPTC)"
		case m >= 0xE0 && m <= 0xEF:
			place = fmt.Sprintf("APP%d", m-0xE0)
		default:
			continue
		}
		if err := y.emit(prefix+place, textOf(body)); err != nil {
			return err
		}
	}
	return nil
}

func pngLayers(y *yielder, prefix string, b []byte) error {
	if len(b) < 8 || string(b[:8]) != "\x89PNG\r\n\x1a\n" {
		return errors.New("leakscan: not a PNG")
	}
	i := 8
	for i+12 <= len(b) {
		n := int(binary.BigEndian.Uint32(b[i:]))
		typ := string(b[i+4 : i+8])
		if n < 0 || i+12+n > len(b) {
			return nil
		}
		data := b[i+8 : i+8+n]
		i += 12 + n
		var text []byte
		switch typ {
		case "tEXt":
			text = latin1ToUTF8(data)
		case "zTXt":
			if k := bytes.IndexByte(data, 0); k >= 0 && k+2 <= len(data) {
				text = append(latin1ToUTF8(data[:k]), '\n')
				text = append(text, latin1ToUTF8(inflate(data[k+2:], y.lim.MaxLayerBytes))...)
			}
		case "iTXt":
			// keyword\0 flag method language\0 translated\0 text
			if k := bytes.IndexByte(data, 0); k >= 0 && k+3 <= len(data) {
				compressed := data[k+1] == 1
				rest := data[k+3:]
				parts := bytes.SplitN(rest, []byte{0}, 3)
				if len(parts) == 3 {
					t := parts[2]
					if compressed {
						t = inflate(t, y.lim.MaxLayerBytes)
					}
					text = bytes.Join([][]byte{data[:k], parts[0], parts[1], t}, []byte("\n"))
				}
			}
		case "eXIf":
			if err := tiffLayers(y, prefix+"eXIf", data); err != nil && errors.Is(err, ErrTooManyLayers) {
				return err
			}
			text = data
		case "IEND":
			return nil
		default:
			continue
		}
		if err := y.emit(prefix+typ, text); err != nil {
			return err
		}
	}
	return nil
}

func inflate(b []byte, limit int) []byte {
	zr, err := zlib.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil
	}
	out, _ := io.ReadAll(io.LimitReader(zr, int64(limit)))
	return out
}

func latin1ToUTF8(b []byte) []byte {
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return []byte(string(r))
}

// tiffLayers yields the text-bearing tags (ASCII, UNDEFINED, BYTE: EXIF
// descriptions, artist, XMP, IPTC, maker notes) of every IFD of a
// TIFF-structured block, following IFD chains and EXIF/GPS sub-IFDs with
// a guard against loops.
func tiffLayers(y *yielder, place string, b []byte) error {
	if len(b) < 8 {
		return nil
	}
	var bo binary.ByteOrder
	switch string(b[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return nil
	}
	var text bytes.Buffer
	seen := map[uint32]bool{}
	queue := []uint32{bo.Uint32(b[4:])}
	for len(queue) > 0 && len(seen) < 1000 {
		off := queue[0]
		queue = queue[1:]
		if off < 8 || seen[off] || int(off)+2 > len(b) {
			continue
		}
		seen[off] = true
		n := int(bo.Uint16(b[off:]))
		for k := 0; k < n; k++ {
			e := int(off) + 2 + 12*k
			if e+12 > len(b) {
				break
			}
			tag, typ, count := bo.Uint16(b[e:]), bo.Uint16(b[e+2:]), bo.Uint32(b[e+4:])
			if tag == 0x8769 || tag == 0x8825 || tag == 0xA005 || tag == 0x014A { // EXIF, GPS, interop, sub-IFDs
				queue = append(queue, bo.Uint32(b[e+8:]))
			}
			if typ != 1 && typ != 2 && typ != 7 { // BYTE, ASCII, UNDEFINED
				continue
			}
			var val []byte
			if count <= 4 {
				val = b[e+8 : e+8+int(count)]
			} else {
				vo := int64(bo.Uint32(b[e+8:]))
				if vo+int64(count) > int64(len(b)) {
					continue
				}
				val = b[vo : vo+int64(count)]
			}
			text.Write(val)
			text.WriteByte('\n')
			if text.Len() > y.lim.MaxLayerBytes {
				break
			}
		}
		if next := int(off) + 2 + 12*n; next+4 <= len(b) {
			queue = append(queue, bo.Uint32(b[next:]))
		}
	}
	if text.Len() == 0 {
		return nil
	}
	return y.emit(place+" tags", textOf(text.Bytes()))
}

// heicLayers yields the Exif and XMP items of a HEIC/HEIF file (the item
// data, as the file's item locations give it) and the raw bytes of the
// meta box (item names and properties).
func heicLayers(y *yielder, prefix string, b []byte) error {
	items, err := exif.HEIFMetadata(b)
	if err != nil {
		return err
	}
	if fields, err := exif.HEIFTextFields(bytes.NewReader(b), int64(len(b))); err == nil {
		var text bytes.Buffer
		for _, f := range fields {
			text.Write(b[f.Offset : f.Offset+f.Length])
			text.WriteByte('\n')
		}
		if text.Len() > 0 {
			if err := y.emit(prefix+"HEIC item names and descriptions", textOf(text.Bytes())); err != nil {
				return err
			}
		}
	}
	for _, it := range items {
		data := it.Data(b)
		if it.Kind == "Exif" {
			tiff := data
			if len(tiff) >= 4 {
				skip := int(binary.BigEndian.Uint32(tiff))
				if 4+skip <= len(tiff) {
					tiff = tiff[4+skip:]
				}
			}
			if err := tiffLayers(y, prefix+"HEIC Exif item", tiff); err != nil && errors.Is(err, ErrTooManyLayers) {
				return err
			}
		}
		if err := y.emit(fmt.Sprintf("%sHEIC %s item %d", prefix, it.Kind, it.ID), textOf(data)); err != nil {
			return err
		}
	}
	return nil
}
