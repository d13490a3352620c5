package dicomdeid

import (
	"strings"

	"dossier/packager/dicomwire"
)

// safeKey names a private attribute: its block's private creator, its
// group, and the low byte of its element number (the block is wherever the
// creator was reserved).
type safeKey struct {
	creator string
	group   uint16
	elem    uint8
}

// safeAttr is a safe private attribute: its name and its VR in the maker's
// dictionary.
type safeAttr struct {
	name, vr string
}

// safePrivate are the private attributes Dossier keeps at the
// pseudonymised level, under the Retain Safe Private Option (PS3.15 E.3.10):
// the ones of PS3.15 Table E.3.10-1 that a second opinion needs to measure
// the images as the first hospital did, each a number or a code that
// cannot identify anyone. Every other private attribute is removed.
var safePrivate = map[safeKey]safeAttr{
	// Philips PET: the pixel values of images in counts (Units CNTS) become
	// SUVs or activity concentrations only with these factors.
	{"Philips PET Private Group", 0x7053, 0x00}: {"SUV Factor", "DS"},
	{"Philips PET Private Group", 0x7053, 0x09}: {"Activity Concentration Scale Factor", "DS"},
	// Philips MR: the real values behind the stored pixel values (for
	// quantitative maps such as ADC).
	{"Philips MR Imaging DD 001", 0x2005, 0x0D}: {"Scale Intercept", "FL"},
	{"Philips MR Imaging DD 001", 0x2005, 0x0E}: {"Scale Slope", "FL"},
	// Philips diffusion MR: the b-value and direction of each image (for
	// PI-RADS, for example).
	{"Philips Imaging DD 001", 0x2001, 0x03}: {"Diffusion B-Factor", "FL"},
	{"Philips Imaging DD 001", 0x2001, 0x04}: {"Diffusion Direction", "CS"},
}

// safePrivates returns the tags of the private attributes of one dataset
// to keep under the Retain Safe Private Option, with the private creators
// of their blocks; nil at the anonymised level, where every private
// attribute goes.
func (d *deid) safePrivates(in []*elem) map[dicomwire.Tag]bool {
	if d.anon {
		return nil
	}
	var keep map[dicomwire.Tag]bool
	creators := map[dicomwire.Tag]string{} // group<<8 | block -> creator
	for _, e := range in {
		g, el := e.tag>>16, e.tag&0xFFFF
		switch {
		case g&1 == 0:
		case el >= 0x10 && el <= 0xFF:
			creators[g<<8|el] = strings.TrimRight(string(e.val), " \x00")
		case el >= 0x1000:
			c, ok := creators[g<<8|el>>8]
			if !ok {
				continue
			}
			if a, safe := safePrivate[safeKey{c, uint16(g), uint8(el)}]; !safe || !safeValue(e, a.vr) {
				continue
			}
			if keep == nil {
				keep = map[dicomwire.Tag]bool{}
			}
			keep[e.tag] = true
			keep[g<<16|el>>8] = true
		}
	}
	return keep
}

// safeValue reports whether a listed private attribute's value is what the
// maker's dictionary says it is (vr): one short number or code, held in
// memory. Its VR must be vr, or UN (as every private attribute of an
// implicit VR file is): then the bytes must still read as a vr value.
func safeValue(e *elem, vr string) bool {
	if e.ref >= 0 || e.isSeq() || e.encap || e.vr != vr && e.vr != "UN" {
		return false
	}
	v := e.val
	switch vr {
	case "FL":
		return len(v) == 4
	case "DS":
		t := strings.Trim(string(v), " \x00")
		return t != "" && len(t) <= 16 && strings.Trim(t, "0123456789+-.eE") == ""
	case "CS":
		t := strings.TrimRight(string(v), " \x00")
		return len(t) <= 16 && strings.Trim(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_ ") == ""
	}
	return false
}
