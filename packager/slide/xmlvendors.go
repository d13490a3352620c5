package slide

import (
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// ---- XML helper ----

type xnode struct {
	name     xml.Name
	attrs    []xml.Attr
	children []*xnode
	text     strings.Builder
}

func (n *xnode) attr(local string) (string, bool) {
	for _, a := range n.attrs {
		if a.Name.Local == local {
			return a.Value, true
		}
	}
	return "", false
}

func (n *xnode) walk(fn func(*xnode)) {
	fn(n)
	for _, c := range n.children {
		c.walk(fn)
	}
}

func (n *xnode) child(local string) *xnode {
	for _, c := range n.children {
		if c.name.Local == local {
			return c
		}
	}
	return nil
}

const maxXMLDepth = 256

func parseXML(s string) (*xnode, error) {
	dec := xml.NewDecoder(strings.NewReader(s))
	dec.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	dec.Strict = true
	var root *xnode
	var stack []*xnode
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: XML: %s", ErrBadMetadata, scrubXMLErr(err))
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) >= maxXMLDepth {
				return nil, fmt.Errorf("%w: XML nested too deeply", ErrBadMetadata)
			}
			n := &xnode{name: t.Name, attrs: append([]xml.Attr(nil), t.Attr...)}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			} else if root == nil {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text.Write(t)
			}
		}
	}
	if root == nil {
		return nil, fmt.Errorf("%w: XML has no root element", ErrBadMetadata)
	}
	return root, nil
}

// scrubXMLErr keeps only the line number of an XML error: the message of
// encoding/xml may quote content, which could be a metadata value.
func scrubXMLErr(err error) string {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return "syntax error on line " + strconv.Itoa(se.Line)
	}
	return "invalid XML"
}

// ---- Leica ----

const (
	leicaNS1 = "http://www.leica-microsystems.com/scn/2010/03/10"
	leicaNS2 = "http://www.leica-microsystems.com/scn/2010/10/01"
)

func attrInt(n *xnode, name string) int64 {
	v, ok := n.attr(name)
	if !ok {
		return 0
	}
	i, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return 0
	}
	return i
}

func (f *File) detectLeica(desc string) (*Info, error) {
	root, err := parseXML(desc)
	if err != nil {
		return nil, fmt.Errorf("%w (leica description)", err)
	}
	if root.name.Local != "scn" {
		return nil, fmt.Errorf("%w: leica description: root element is not scn", ErrBadMetadata)
	}
	coll := root.child("collection")
	if coll == nil {
		return nil, fmt.Errorf("%w: leica description: no collection", ErrBadMetadata)
	}
	b := newBuilder(VendorLeica, f.container())
	ns2 := root.name.Space == leicaNS2
	if v, ok := coll.attr("barcode"); ok {
		b.flag("leica.barcode")
		b.ident("leica.barcode", v)
		if ns2 {
			if dec, err := base64.StdEncoding.DecodeString(strings.TrimSpace(v)); err == nil {
				b.ident("leica.barcode", string(dec))
			}
		}
	}
	if v, ok := coll.attr("name"); ok && v != "" {
		b.flag("leica.name")
		b.ident("leica.name", v)
	}
	cw, ch := attrInt(coll, "sizeX"), attrInt(coll, "sizeY")
	mainDone := false
	for _, img := range coll.children {
		if img.name.Local != "image" {
			continue
		}
		if v, ok := img.attr("name"); ok && v != "" && !strings.EqualFold(v, "macro") {
			b.flag("leica.name")
			b.ident("leica.name", v)
		}
		if cd := img.child("creationDate"); cd != nil {
			b.flag("leica.creationDate")
		}
		view := img.child("view")
		isMacro := view != nil && attrInt(view, "sizeX") == cw && attrInt(view, "sizeY") == ch &&
			attrInt(view, "offsetX") == 0 && attrInt(view, "offsetY") == 0
		pix := img.child("pixels")
		if pix == nil {
			continue
		}
		type dim struct {
			w, h int64
			ifd  int
		}
		var ds []dim
		for _, d := range pix.children {
			if d.name.Local != "dimension" || attrInt(d, "c") != 0 || attrInt(d, "z") != 0 {
				continue
			}
			ifd := -1
			if _, ok := d.attr("ifd"); ok {
				ifd = int(attrInt(d, "ifd"))
			}
			ds = append(ds, dim{attrInt(d, "sizeX"), attrInt(d, "sizeY"), ifd})
		}
		sort.SliceStable(ds, func(i, j int) bool { return ds[i].w > ds[j].w })
		switch {
		case isMacro:
			if len(ds) > 0 {
				b.image(ds[0].ifd, KindMacro, ds[0].w, ds[0].h)
			}
		case !mainDone:
			mainDone = true
			for _, d := range ds {
				b.image(d.ifd, KindLevel, d.w, d.h)
			}
		default:
			for _, d := range ds {
				b.image(d.ifd, KindOther, d.w, d.h)
			}
		}
	}
	if !mainDone {
		return nil, fmt.Errorf("%w: leica description: no main image", ErrBadMetadata)
	}
	f.flagTIFFTags(b)
	return b.finish(), nil
}

// ---- Philips ----

var philipsIdentifying = map[string]bool{
	"PIM_DP_UFS_BARCODE":          true,
	"DICOM_ACQUISITION_DATETIME":  true,
	"PIIM_DP_SCANNER_OPERATOR_ID": true,
	"PIM_DP_SOURCE_FILE":          true,
	"DICOM_DEVICE_SERIAL_NUMBER":  true,
}

var philipsIdentity = map[string]bool{
	"PIM_DP_UFS_BARCODE":          true,
	"PIIM_DP_SCANNER_OPERATOR_ID": true,
	"PIM_DP_SOURCE_FILE":          true,
}

func (f *File) detectPhilips(desc string) (*Info, error) {
	root, err := parseXML(desc)
	if err != nil {
		return nil, fmt.Errorf("%w (philips description)", err)
	}
	if v, _ := root.attr("ObjectType"); root.name.Local != "DataObject" || v != "DPUfsImport" {
		return nil, fmt.Errorf("%w: philips description: root is not DataObject DPUfsImport", ErrBadMetadata)
	}
	b := newBuilder(VendorPhilips, f.container())
	root.walk(func(n *xnode) {
		if n.name.Local == "Attribute" {
			name, _ := n.attr("Name")
			if philipsIdentifying[name] {
				key := "philips." + name
				b.flag(key)
				if philipsIdentity[name] {
					v := strings.TrimSpace(n.text.String())
					b.ident(key, v)
					if name == "PIM_DP_UFS_BARCODE" {
						if dec, err := base64.StdEncoding.DecodeString(v); err == nil {
							b.ident(key, string(dec))
						}
					}
				}
			}
		}
		if n.name.Local == "DataObject" {
			if ot, _ := n.attr("ObjectType"); ot == "DPScannedImage" {
				var typ string
				hasData := false
				for _, c := range n.children {
					if c.name.Local != "Attribute" {
						continue
					}
					switch name, _ := c.attr("Name"); name {
					case "PIM_DP_IMAGE_TYPE":
						typ = strings.TrimSpace(c.text.String())
					case "PIM_DP_IMAGE_DATA":
						hasData = strings.TrimSpace(c.text.String()) != ""
					}
				}
				if hasData {
					switch typ {
					case "LABELIMAGE":
						b.image(-1, KindLabel, 0, 0)
					case "MACROIMAGE":
						b.image(-1, KindMacro, 0, 0)
					}
				}
			}
		}
	})
	for i, d := range f.IFDs {
		w, h := dims(f, d)
		if d.Tiled() {
			b.image(i, KindLevel, w, h)
			continue
		}
		desc := f.TagString(d, TagImageDescription)
		switch {
		case strings.HasPrefix(desc, "Label"):
			b.image(i, KindLabel, w, h)
		case strings.HasPrefix(desc, "Macro"):
			b.image(i, KindMacro, w, h)
		default:
			b.image(i, KindOther, w, h)
		}
	}
	f.flagTIFFTags(b)
	return b.finish(), nil
}

// ---- Ventana ----

var ventanaFlags = []string{"BaseName", "JP2FileName", "UnitNumber", "UserName", "BuildDate", "Barcode1D", "Barcode2D"}

var ventanaIdentity = map[string]bool{"BaseName": true, "JP2FileName": true, "UserName": true, "Barcode1D": true, "Barcode2D": true}

func (f *File) detectVentana(xmp string) (*Info, error) {
	b := newBuilder(VendorVentana, f.container())
	root, err := parseXML(xmp)
	if err != nil {
		return nil, fmt.Errorf("%w (ventana XMP)", err)
	}
	root.walk(func(n *xnode) {
		if n.name.Local != "iScan" {
			return
		}
		for _, k := range ventanaFlags {
			if v, ok := n.attr(k); ok && strings.TrimSpace(v) != "" {
				b.flag("ventana." + k)
				if ventanaIdentity[k] {
					b.ident("ventana."+k, v)
				}
			}
		}
	})
	hasLevelDesc := false
	for _, d := range f.IFDs {
		if strings.HasPrefix(f.TagString(d, TagImageDescription), "level=") {
			hasLevelDesc = true
		}
	}
	for i, d := range f.IFDs {
		w, h := dims(f, d)
		desc := f.TagString(d, TagImageDescription)
		switch {
		case desc == "Label Image" || desc == "Label_Image":
			// OpenSlide names the BIF label image "macro".
			b.image(i, KindMacro, w, h)
		case desc == "Thumbnail":
			b.image(i, KindThumbnail, w, h)
		case d.Tiled() && (strings.HasPrefix(desc, "level=") || !hasLevelDesc):
			b.image(i, KindLevel, w, h)
		default:
			b.image(i, KindOther, w, h)
		}
	}
	if len(b.info.LevelSizes) == 0 {
		return nil, fmt.Errorf("%w: ventana: no tiled levels", ErrBadMetadata)
	}
	f.flagTIFFTags(b)
	return b.finish(), nil
}

// ---- generic TIFF / OME-TIFF ----

func (f *File) detectGeneric(desc0 string) (*Info, error) {
	b := newBuilder(VendorGenericTIFF, f.container())
	for i, d := range f.IFDs {
		w, h := dims(f, d)
		if d.Tiled() {
			b.image(i, KindLevel, w, h)
		} else {
			b.image(i, KindOther, w, h)
		}
	}
	if strings.Contains(desc0, "<OME") {
		if err := flagOME(b, desc0); err != nil {
			return nil, fmt.Errorf("%w (OME-XML)", err)
		}
	}
	for _, d := range f.IFDs {
		desc := f.TagString(d, TagImageDescription)
		if d.Index == 0 && strings.Contains(desc, "<OME") {
			continue
		}
		if strings.TrimSpace(desc) != "" {
			b.flag("tiff.ImageDescription")
		}
	}
	f.flagTIFFTags(b)
	// OpenSlide sorts generic-tiff levels by size.
	sort.SliceStable(b.info.LevelSizes, func(i, j int) bool { return b.info.LevelSizes[i][0] > b.info.LevelSizes[j][0] })
	return b.finish(), nil
}

func flagOME(b *infoBuilder, desc string) error {
	root, err := parseXML(desc)
	if err != nil {
		return err
	}
	root.walk(func(n *xnode) {
		switch n.name.Local {
		case "Image":
			if v, ok := n.attr("Name"); ok && v != "" {
				b.flag("ome.Image.Name")
				b.ident("ome.Image.Name", v)
			}
		case "AcquisitionDate", "AcquiredDate":
			b.flag("ome.Image.AcquisitionDate")
		case "Experimenter":
			b.flag("ome.Experimenter")
			for _, k := range []string{"FirstName", "MiddleName", "LastName", "Email", "UserName"} {
				if v, ok := n.attr(k); ok {
					b.ident("ome.Experimenter."+k, v)
				}
			}
		case "StructuredAnnotations":
			b.flag("ome.StructuredAnnotations")
		case "Description":
			if strings.TrimSpace(n.text.String()) != "" {
				b.flag("ome.Description")
			}
		}
	})
	return nil
}
