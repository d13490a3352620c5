package slidedeid

import (
	"encoding/xml"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"dossier/packager/slide"
)

// vendorRules decide which images go and how each kept IFD is scrubbed.
type vendorRules interface {
	roles(pl *planner) error
	scrubIFD(pl *planner, ed *ifdEdit) error
}

// Baseline and private tags that may identify, removed from every IFD.
const (
	tagCopyright     = 33432
	tagIPTC          = 33723
	tagExifIFD       = 34665
	tagPhotoshop     = 37724
	tagGPSIFD        = 34853
	tagImageUniqueID = 42016
)

var commonDrop = []struct {
	tag uint16
	key string
}{
	{slide.TagDocumentName, "tiff.DocumentName"},
	{slide.TagPageName, "tiff.PageName"},
	{slide.TagDateTime, "tiff.DateTime"},
	{slide.TagArtist, "tiff.Artist"},
	{slide.TagHostComputer, "tiff.HostComputer"},
	{tagCopyright, "tiff.Copyright"},
	{tagIPTC, "tiff.IPTC"},
	{tagExifIFD, "tiff.ExifIFD"},
	{tagPhotoshop, "tiff.Photoshop"},
	{tagGPSIFD, "tiff.GPSIFD"},
	{tagImageUniqueID, "tiff.ImageUniqueID"},
}

// serialLike matches Make/Model values that carry a serial number (the same
// rule as the slide package's detection).
var serialLike = regexp.MustCompile(`(?i)serial|s/n|\bsn[-: ]?[0-9]|[0-9]{6,}`)

// scrubCommon removes the baseline identifying tags of ed.
func (pl *planner) scrubCommon(ed *ifdEdit) error {
	for _, t := range commonDrop {
		if ee := ed.find(t.tag); ee != nil {
			pl.deleteEntry(ee, t.key)
		}
	}
	for _, t := range []struct {
		tag uint16
		key string
	}{{slide.TagMake, "tiff.Make"}, {slide.TagModel, "tiff.Model"}} {
		ee := ed.find(t.tag)
		if ee == nil {
			continue
		}
		s, ok, err := pl.text(ee)
		if err != nil {
			return err
		}
		if !ok || serialLike.MatchString(s) {
			pl.deleteEntry(ee, t.key)
		}
	}
	return nil
}

// dropTag deletes tag from ed when present.
func (pl *planner) dropTag(ed *ifdEdit, tag uint16, key string) {
	if ee := ed.find(tag); ee != nil {
		pl.deleteEntry(ee, key)
	}
}

// rewriteText applies fn to the text value of tag; fn returns the new text,
// or drop true to delete the entry. Non-text values are deleted.
func (pl *planner) rewriteText(ed *ifdEdit, tag uint16, key string, fn func(string) (string, bool, error)) error {
	ee := ed.find(tag)
	if ee == nil {
		return nil
	}
	s, ok, err := pl.text(ee)
	if err != nil {
		return err
	}
	if !ok {
		pl.deleteEntry(ee, key)
		return nil
	}
	ns, drop, err := fn(s)
	if err != nil {
		return fmt.Errorf("slidedeid: IFD %d: %s: %w", ed.d.Index, key, err)
	}
	if drop {
		pl.deleteEntry(ee, key)
		return nil
	}
	if ns == s {
		return nil
	}
	return pl.setString(ee, ns, key)
}

// ---- Aperio ----

type aperioRules struct{}

func (aperioRules) roles(pl *planner) error { return pl.defaultRoles(nil) }

func (aperioRules) scrubIFD(pl *planner, ed *ifdEdit) error {
	if err := pl.scrubCommon(ed); err != nil {
		return err
	}
	pl.dropTag(ed, slide.TagXMP, "tiff.XMP")
	return pl.rewriteText(ed, slide.TagImageDescription, "tiff.ImageDescription", func(s string) (string, bool, error) {
		if !strings.HasPrefix(s, "Aperio") {
			return "", true, nil
		}
		ns, keys := ScrubAperioDescription(s)
		for _, k := range keys {
			pl.scrub(k)
		}
		return ns, false, nil
	})
}

// ScrubAperioDescription keeps the first |-segment of an Aperio
// ImageDescription (the "Aperio ..." header that OpenSlide's detection
// needs) and only the key = value segments whose key is on the allow-list
// (slide.AperioKeyAllowed). It returns the new description and the removed
// keys as "aperio.<key>" (never values).
func ScrubAperioDescription(desc string) (string, []string) {
	segs := strings.Split(desc, "|")
	out := []string{segs[0]}
	var removed []string
	for _, s := range segs[1:] {
		k, _, ok := strings.Cut(s, "=")
		k = strings.TrimSpace(k)
		if ok && k != "" && slide.AperioKeyAllowed(k) {
			out = append(out, s)
			continue
		}
		if !ok {
			k = "(segment without key)"
		}
		removed = append(removed, "aperio."+k)
	}
	return strings.Join(out, "|"), removed
}

// ---- Hamamatsu NDPI ----

type ndpiRules struct{}

func (ndpiRules) roles(pl *planner) error {
	// Focal planes and other scanned images have a positive source lens;
	// the macro (-1) and the map (-2) do not.
	return pl.defaultRoles(func(d *slide.IFD) bool { return ndpiScanned(pl.f, d) })
}

func (ndpiRules) scrubIFD(pl *planner, ed *ifdEdit) error {
	if err := pl.scrubCommon(ed); err != nil {
		return err
	}
	pl.dropTag(ed, slide.TagNDPIReference, "ndpi.Reference")
	pl.dropTag(ed, slide.TagNDPISerialNumber, "ndpi.ScannerSerialNumber")
	pl.dropTag(ed, slide.TagNDPIPropertyMap, "ndpi.PropertyMap")
	pl.dropTag(ed, slide.TagNDPIXML, "ndpi.XML")
	pl.dropTag(ed, slide.TagImageDescription, "tiff.ImageDescription")
	pl.dropTag(ed, slide.TagXMP, "tiff.XMP")
	return nil
}

// ---- generic TIFF / OME-TIFF ----

type genericRules struct{}

func (genericRules) roles(pl *planner) error { return pl.defaultRoles(nil) }

func (genericRules) scrubIFD(pl *planner, ed *ifdEdit) error {
	if err := pl.scrubCommon(ed); err != nil {
		return err
	}
	pl.dropTag(ed, slide.TagXMP, "tiff.XMP")
	return pl.rewriteText(ed, slide.TagImageDescription, "tiff.ImageDescription", func(s string) (string, bool, error) {
		if ed.d.Index != 0 || !strings.Contains(s, "<OME") {
			return "", true, nil
		}
		ns, keys, err := ScrubOMEXML(s)
		if err != nil {
			return "", false, err
		}
		for _, k := range keys {
			pl.scrub("ome." + k)
		}
		return ns, false, nil
	})
}

var omeDropElems = map[string]bool{
	"Experimenter": true, "ExperimenterGroup": true, "ExperimenterRef": true, "ExperimenterGroupRef": true,
	"Leader": true, "AcquisitionDate": true, "AcquiredDate": true, "StructuredAnnotations": true,
	"AnnotationRef": true, "Description": true,
}

var omeDropAttrs = map[string]bool{
	"Name": true, "SerialNumber": true, "LotNumber": true, "UserName": true, "FirstName": true,
	"LastName": true, "MiddleName": true, "Email": true, "Institution": true,
}

// ScrubOMEXML removes the identifying parts of OME-XML: experimenters and
// groups (and references to them), acquisition dates, descriptions,
// structured annotations, and Name, serial and person attributes. It
// returns the new XML and what was removed ("elem" or "elem@attr").
func ScrubOMEXML(s string) (string, []string, error) {
	return scrubXML(s, xmlRules{
		dropElem: func(n *xnode) bool { return omeDropElems[n.name.Local] },
		dropAttr: func(n *xnode, a xml.Attr) bool { return omeDropAttrs[a.Name.Local] },
	})
}

// ---- Leica SCN ----

type leicaRules struct{}

// leicaMacro reports whether an SCN image element is the macro: its view
// covers the whole collection (OpenSlide's rule).
func leicaMacro(img, coll *xnode) bool {
	view := img.child("view")
	if view == nil {
		return false
	}
	return view.attr("sizeX") == coll.attr("sizeX") && view.attr("sizeY") == coll.attr("sizeY") &&
		atoi(view.attr("offsetX")) == 0 && atoi(view.attr("offsetY")) == 0
}

func atoi(s string) int64 {
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return -1
	}
	return v
}

func leicaTree(pl *planner) (*xnode, *xnode, error) {
	desc := pl.f.TagString(pl.f.IFDs[0], slide.TagImageDescription)
	root, err := parseSpans(desc)
	if err != nil {
		return nil, nil, fmt.Errorf("%w (leica description)", err)
	}
	coll := root.child("collection")
	if coll == nil {
		return nil, nil, fmt.Errorf("%w: leica description: no collection", errBadXML)
	}
	return root, coll, nil
}

func (*leicaRules) roles(pl *planner) error {
	_, coll, err := leicaTree(pl)
	if err != nil {
		return err
	}
	referenced := map[int]bool{}
	for _, img := range coll.children {
		if img.name.Local != "image" {
			continue
		}
		macro := leicaMacro(img, coll)
		pix := img.child("pixels")
		if pix == nil {
			continue
		}
		for _, d := range pix.children {
			if d.name.Local != "dimension" {
				continue
			}
			i := int(atoi(d.attr("ifd")))
			if i < 0 || i >= len(pl.f.IFDs) {
				if d.attr("ifd") == "" {
					continue
				}
				return fmt.Errorf("%w: leica dimension refers to IFD %d of %d", ErrUnsupported, i, len(pl.f.IFDs))
			}
			referenced[i] = true
			if macro {
				// The IFD numbers of the XML must not shift: wipe the
				// macro in place and drop it from the XML.
				pl.roleWipe(i, slide.KindMacro)
			}
		}
	}
	for _, d := range pl.f.IFDs {
		if !referenced[d.Index] && !d.Tiled() {
			return fmt.Errorf("%w: IFD %d has no role", ErrUnknownImage, d.Index)
		}
	}
	return nil
}

func (*leicaRules) scrubIFD(pl *planner, ed *ifdEdit) error {
	if err := pl.scrubCommon(ed); err != nil {
		return err
	}
	pl.dropTag(ed, slide.TagXMP, "tiff.XMP")
	return pl.rewriteText(ed, slide.TagImageDescription, "tiff.ImageDescription", func(s string) (string, bool, error) {
		if ed.d.Index != 0 {
			return "", true, nil
		}
		var coll *xnode
		ns, keys, err := scrubXML(s, xmlRules{
			dropElem: func(n *xnode) bool {
				switch n.name.Local {
				case "collection":
					coll = n
				case "image":
					return coll != nil && n.parent == coll && leicaMacro(n, coll)
				case "creationDate":
					return true
				}
				return false
			},
			dropAttr: func(n *xnode, a xml.Attr) bool {
				switch n.name.Local {
				case "collection":
					return a.Name.Local == "name" || a.Name.Local == "barcode"
				case "image":
					return a.Name.Local == "name"
				}
				return false
			},
		})
		if err != nil {
			return "", false, err
		}
		for _, k := range keys {
			pl.scrub("leica." + k)
		}
		return ns, false, nil
	})
}

// ---- Philips TIFF ----

type philipsRules struct{}

// philipsDrop lists the Philips XML attributes removed.
var philipsDrop = map[string]bool{
	"PIM_DP_UFS_BARCODE": true, "DICOM_ACQUISITION_DATETIME": true, "DICOM_DEVICE_SERIAL_NUMBER": true,
	"PIIM_DP_SCANNER_OPERATOR_ID": true, "PIM_DP_SOURCE_FILE": true, "PIIM_DP_SCANNER_RACK_NUMBER": true,
	"PIIM_DP_SCANNER_SLOT_NUMBER": true, "PIM_DP_UFS_SLIDE_ID": true, "DICOM_DATE_OF_LAST_CALIBRATION": true,
	"DICOM_TIME_OF_LAST_CALIBRATION": true, "PIIM_DP_SCANNER_RACK_PRIORITY": true, "DICOM_STATION_NAME": true,
	"DICOM_INSTITUTION_NAME": true, "DICOM_PATIENT_NAME": true, "DICOM_PATIENT_ID": true,
}

func (philipsRules) roles(pl *planner) error { return pl.defaultRoles(nil) }

func (philipsRules) scrubIFD(pl *planner, ed *ifdEdit) error {
	if err := pl.scrubCommon(ed); err != nil {
		return err
	}
	pl.dropTag(ed, slide.TagXMP, "tiff.XMP")
	return pl.rewriteText(ed, slide.TagImageDescription, "tiff.ImageDescription", func(s string) (string, bool, error) {
		if ed.d.Index != 0 {
			return "", !strings.HasPrefix(s, "level="), nil
		}
		ns, keys, err := scrubXML(s, xmlRules{
			dropElem: func(n *xnode) bool {
				switch n.name.Local {
				case "Attribute":
					return philipsDrop[n.attr("Name")]
				case "DataObject":
					if n.attr("ObjectType") != "DPScannedImage" {
						return false
					}
					for _, c := range n.children {
						if c.name.Local == "Attribute" && c.attr("Name") == "PIM_DP_IMAGE_TYPE" {
							switch strings.TrimSpace(c.text.String()) {
							case "LABELIMAGE", "MACROIMAGE":
								return true
							}
						}
					}
				}
				return false
			},
		})
		if err != nil {
			return "", false, err
		}
		for _, k := range keys {
			pl.scrub("philips." + k)
		}
		if strings.Contains(s, "LABELIMAGE") && !strings.Contains(ns, "LABELIMAGE") {
			pl.removed = append(pl.removed, slide.KindLabel)
		}
		if strings.Contains(s, "MACROIMAGE") && !strings.Contains(ns, "MACROIMAGE") {
			pl.removed = append(pl.removed, slide.KindMacro)
		}
		return ns, false, nil
	})
}

// ---- Ventana BIF ----

type ventanaRules struct{}

var ventanaDrop = map[string]bool{
	"BaseName": true, "JP2FileName": true, "UnitNumber": true, "UserName": true, "BuildDate": true,
	"Barcode1D": true, "Barcode2D": true, "SlideAnnotation": true, "ScanDate": true, "ScanTime": true,
}

func (ventanaRules) roles(pl *planner) error {
	for _, im := range pl.info.Images {
		if im.IFD == 0 && im.Kind == slide.KindMacro {
			// The BIF label is IFD 0, which carries the iScan XMP that
			// detection needs: wipe it in place instead of unlinking it.
			pl.roleWipe(0, slide.KindMacro)
		}
	}
	return pl.defaultRoles(func(d *slide.IFD) bool { return pl.wipe[d.Index] })
}

func (ventanaRules) scrubIFD(pl *planner, ed *ifdEdit) error {
	if err := pl.scrubCommon(ed); err != nil {
		return err
	}
	err := pl.rewriteText(ed, slide.TagXMP, "tiff.XMP", func(s string) (string, bool, error) {
		ns, keys, err := scrubXML(s, xmlRules{dropAttr: func(n *xnode, a xml.Attr) bool {
			return n.name.Local == "iScan" && ventanaDrop[a.Name.Local]
		}})
		if err != nil {
			return "", false, err
		}
		for _, k := range keys {
			pl.scrub("ventana." + k)
		}
		return ns, false, nil
	})
	if err != nil {
		return err
	}
	return pl.rewriteText(ed, slide.TagImageDescription, "tiff.ImageDescription", func(s string) (string, bool, error) {
		if ed.wipe {
			return "", true, nil
		}
		return s, !(strings.HasPrefix(s, "level=") || s == "Thumbnail"), nil
	})
}
