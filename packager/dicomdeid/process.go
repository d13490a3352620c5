package dicomdeid

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode"

	"dossier/packager/dicomwire"
	"dossier/packager/identity"
)

// flags carry context down into sequences.
type flags struct {
	clean   bool // inside a sequence being cleaned (C)
	content bool // inside Content Sequence
}

func splitVals(b []byte) []string {
	return strings.Split(string(b), `\`)
}

func trimVal(s string) string { return strings.Trim(s, " \x00") }

// charsetOf returns the decoder for the Specific Character Set in elems
// (or the default repertoire).
func charsetOf(elems []*elem) (*charset, error) {
	for _, e := range elems {
		if e.tag == dicomwire.SpecificCharacterSet {
			vals := splitVals(e.val)
			for i := range vals {
				vals[i] = trimVal(vals[i])
			}
			return newCharset(vals)
		}
	}
	return newCharset(nil)
}

// identityTags hold values whose parts are looked for in descriptors.
var identityTags = map[dicomwire.Tag]bool{
	dicomwire.PatientName: true, dicomwire.PatientID: true, dicomwire.OtherPatientIDs: true,
	dicomwire.OtherPatientNames: true, dicomwire.PatientBirthName: true, dicomwire.PatientMotherBirthName: true,
	dicomwire.PatientBirthDate: true, dicomwire.AccessionNumber: true, dicomwire.PatientAddress: true,
	dicomwire.PatientTelephoneNumbers: true, dicomwire.ReferringPhysicianName: true,
	dicomwire.PerformingPhysicianName: true, dicomwire.OperatorsName: true,
	dicomwire.NameOfPhysiciansReadingStudy: true, dicomwire.PhysiciansOfRecord: true,
	dicomwire.InstitutionName: true, dicomwire.InstitutionAddress: true, dicomwire.MedicalRecordLocator: true,
	dicomwire.AdmissionID: true, dicomwire.ContainerIdentifier: true, dicomwire.SpecimenIdentifier: true,
	dicomwire.BarcodeValue: true,
}

// stricter overrides Table E.1-1 where Dossier is more cautious than the
// options it applies: the label text of a slide is free text written by
// hand or printed at the lab and may carry identifiers this file does not
// otherwise hold, so it is emptied even under Clean Descriptors.
var stricter = map[dicomwire.Tag]action{
	dicomwire.LabelText: actEmpty,
}

// collectTokens gathers identity strings of this file for Clean Descriptors.
// The files of a series carry the same identity attributes: what they give
// is worked out once (tokenCache).
func (d *deid) collectTokens(elems []*elem, cs *charset) {
	key := tokenKeyOf(elems, d.p.Identity)
	if ts := cachedTokens(key); ts != nil {
		d.tokens, d.births, d.match = ts.tokens, ts.births, ts.match
		return
	}
	defer func() { cacheTokens(key, &tokenSet{tokens: d.tokens, births: d.births, match: d.match}) }()
	set := map[string]bool{}
	add := func(s string, min int) {
		s = strings.ToLower(strings.TrimSpace(s))
		if len([]rune(s)) >= min {
			set[s] = true
		}
	}
	addDate := func(s string) {
		if len(s) == 8 {
			y, m, dd := s[:4], s[4:6], s[6:]
			add(s, 3)
			add(y+"-"+m+"-"+dd, 3)
			add(dd+"/"+m+"/"+y, 3)
			add(m+"/"+dd+"/"+y, 3)
			add(dd+"."+m+"."+y, 3)
		}
	}
	walk := func(f func(*elem)) {
		var rec func([]*elem)
		rec = func(l []*elem) {
			for _, e := range l {
				f(e)
				for _, it := range e.items {
					rec(it.elems)
				}
			}
		}
		rec(elems)
	}
	d.births = map[string]bool{}
	walk(func(e *elem) {
		if !identityTags[e.tag] || e.val == nil {
			return
		}
		if e.tag == dicomwire.PatientBirthDate {
			for _, v := range splitVals(e.val) {
				if b, ok := birthDate(trimVal(v)); ok {
					d.births[b] = true
				}
			}
		}
		v, err := cs.decode(e.val)
		if err != nil {
			return
		}
		for _, s := range splitVals(v) {
			s = trimVal(s)
			add(s, 3)
			switch e.vr {
			case "PN":
				for _, n := range nameSpellings(s) {
					add(n, minNameRunes(n))
				}
			case "DA":
				addDate(s)
			case "LO", "ST", "LT":
				if e.tag == dicomwire.PatientAddress || e.tag == dicomwire.InstitutionAddress {
					for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == '^' || r == ' ' || r == ',' }) {
						add(part, 4)
					}
				}
			}
		}
	})
	// The case's identity, found in its other records, too: a converted
	// slide's comments can carry the original slide's file name.
	for _, t := range d.p.Identity {
		add(t, 5)
		if b, ok := birthDate(strings.TrimSpace(t)); ok {
			d.births[b] = true
			addDate(b)
		}
	}
	for t := range set {
		d.tokens = append(d.tokens, t)
	}
	sort.Slice(d.tokens, func(i, j int) bool {
		if len(d.tokens[i]) != len(d.tokens[j]) {
			return len(d.tokens[i]) > len(d.tokens[j])
		}
		return d.tokens[i] < d.tokens[j]
	})
	// Sorted first, so that the files of a series ask for the same matcher
	// (NewTextMatcher keeps the last ones built).
	if m := identity.NewTextMatcher(append(slices.Clone(d.tokens), d.p.Identity...)); !m.Empty() {
		d.match = m
	}
}

// nameSpellings returns the spellings of a person name. Its component
// groups (alphabetic, ideographic, phonetic, separated by '=') are one
// person written three ways: each group gives its own parts and its
// "Given Family", "Family Given", "Family, Given" spellings (and, in
// scripts written without spaces, "FamilyGiven"); no spelling mixes two
// groups.
func nameSpellings(pn string) []string {
	var out []string
	for _, g := range strings.Split(pn, "=") {
		g = strings.TrimSpace(g)
		if strings.Trim(g, "^ ") == "" {
			continue
		}
		out = append(out, g)
		out = append(out, strings.FieldsFunc(g, func(r rune) bool { return r == '^' || r == ' ' || r == ',' })...)
		c := strings.Split(g, "^")
		if len(c) < 2 || strings.TrimSpace(c[0]) == "" || strings.TrimSpace(c[1]) == "" {
			continue
		}
		family, given := strings.TrimSpace(c[0]), strings.TrimSpace(c[1])
		out = append(out, given+" "+family, family+" "+given, family+", "+given)
		if !spaced(g) {
			out = append(out, family+given)
		}
	}
	return out
}

// spaced reports a name in a script written with spaces between words
// (not Han, kana or Hangul).
func spaced(s string) bool {
	for _, r := range s {
		if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) {
			return false
		}
	}
	return true
}

// minNameRunes is the shortest name part taken as identity: three
// letters, or two in the scripts where a family or given name is often
// two characters (山田, 太郎).
func minNameRunes(s string) int {
	if spaced(s) {
		return 3
	}
	return 2
}

// birthDate returns s as YYYYMMDD when it is a date written YYYYMMDD,
// YYYY-MM-DD or DD.MM.YYYY (the forms a birth date is recorded in; other
// spellings are the identity matcher's business).
func birthDate(s string) (string, bool) {
	switch {
	case len(s) == 10 && s[4] == '-' && s[7] == '-':
		s = s[:4] + s[5:7] + s[8:]
	case len(s) == 10 && s[2] == '.' && s[5] == '.':
		s = s[6:] + s[3:5] + s[:2]
	}
	if len(s) != 8 {
		return "", false
	}
	for i := 0; i < 8; i++ {
		if s[i] < '0' || s[i] > '9' {
			return "", false
		}
	}
	return s, true
}

// isBirthDate reports a DA or DT value whose date is one of the patient's
// birth dates.
func (d *deid) isBirthDate(e *elem) bool {
	for _, v := range splitVals(e.val) {
		if v = trimVal(v); len(v) >= 8 && d.births[v[:8]] {
			return true
		}
	}
	return false
}

// scrub replaces identity tokens in s by "***": case-insensitively, and
// only where the token is not part of a longer word.
func (d *deid) scrub(s string) (string, bool) {
	changed := false
	low := strings.ToLower(s)
	for _, t := range d.tokens {
		if !strings.Contains(low, t) && !strings.Contains(s, t) {
			continue
		}
		if changed {
			low = strings.ToLower(s)
		}
		if len(low) != len(s) {
			low = s // lower-casing changed byte lengths: match exactly
		}
		var b strings.Builder
		i, last := 0, 0
		for i < len(low) {
			j := strings.Index(low[i:], t)
			if j < 0 {
				break
			}
			j += i
			k := j + len(t)
			if wordByte(low, j-1) || wordByte(low, k) {
				i = j + 1
				continue
			}
			b.WriteString(s[last:j])
			b.WriteString("***")
			last, i = k, k
			changed = true
		}
		if last > 0 {
			b.WriteString(s[last:])
			s = b.String()
			low = strings.ToLower(s)
		}
	}
	if d.match != nil {
		if r, n := d.match.Replace(s, "***"); n > 0 {
			s, changed = r, true
		}
	}
	return s, changed
}

// scrubText scrubs a decoded text value that stays: a person name that
// names the patient becomes the pseudonym (emptied when anonymising), other
// text has each spelling replaced, cut back to its VR's length limit.
func (d *deid) scrubText(e *elem) {
	s, ok := d.scrub(string(e.val))
	if !ok {
		return
	}
	d.rep.IdentityScrubbed++
	if e.vr == "PN" {
		if d.anon {
			e.val = nil
		} else {
			e.val = []byte(d.p.Pseudonym)
		}
		return
	}
	e.val = []byte(fitVR(e.vr, s))
}

// vrChars are the length limits, in characters, of the text VRs that
// have one short enough to be passed by a replacement (PS3.5 6.2).
var vrChars = map[string]int{"SH": 16, "LO": 64, "ST": 1024, "LT": 10240}

// fitVR cuts each value of s back to its VR's length limit.
func fitVR(vr, s string) string {
	limit, ok := vrChars[vr]
	if !ok {
		return s
	}
	vals := []string{s}
	if vr == "SH" || vr == "LO" {
		vals = strings.Split(s, "\\")
	}
	for i, v := range vals {
		if r := []rune(v); len(r) > limit {
			vals[i] = strings.TrimRight(string(r[:limit]), " ")
		}
	}
	return strings.Join(vals, "\\")
}

// wordByte reports whether s[i] exists and is a letter or digit (ASCII, or
// any byte of a multi-byte character).
func wordByte(s string, i int) bool {
	if i < 0 || i >= len(s) {
		return false
	}
	c := s[i]
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// elems transforms one dataset (top level or an item) and returns the
// elements to write.
func (d *deid) elems(in []*elem, cs *charset, top bool, fl flags) ([]*elem, error) {
	if !top {
		for _, e := range in {
			if e.tag == dicomwire.SpecificCharacterSet {
				c, err := charsetOf(in)
				if err != nil {
					return nil, err
				}
				cs = c
			}
		}
	}
	out := make([]*elem, 0, len(in))
	safe := d.safePrivates(in)
	for _, e := range in {
		t := e.tag
		g := t >> 16
		switch {
		case g&1 == 1 && safe[t]:
			if t&0xFFFF >= 0x1000 {
				d.rep.PrivateKept++
			}
			if err := d.keep(e, cs, fl); err != nil {
				return nil, err
			}
			out = append(out, e)
			continue
		case g&1 == 1:
			d.rep.PrivateRemoved++
			continue
		case t&0xFFFF == 0:
			continue // group length: stale after editing
		case g == 0x0000 || g == 0x0002:
			d.rep.Removed++ // command or meta elements have no place in a dataset
			continue
		case g >= 0x5000 && g <= 0x501E, g >= 0x6000 && g <= 0x601E:
			d.rep.Removed++ // curves, overlays (E.1-1 X for their data)
			continue
		case t == dicomwire.SpecificCharacterSet:
			continue // re-added at the top level as ISO_IR 192
		case d.anon && t == dicomwire.TimezoneOffsetFromUTC:
			d.rep.Removed++ // where the patient was, like the offsets dropped from DT values
			continue
		case top && (t == dicomwire.PatientIdentityRemoved || t == dicomwire.DeidentificationMethod || t == dicomwire.DeidentificationMethodCodeSequence || t == dicomwire.LongitudinalTemporalInformationModified):
			continue // re-added
		case t == dicomwire.PatientName || t == dicomwire.PatientID:
			e.val, e.ref, e.items = []byte(d.patientName()), -1, nil
			if e.vr == "SQ" || !dicomwire.IsText(e.vr) {
				e.vr = dicomwire.DictVR(dicomwire.Tag(t))
			}
			d.rep.Replaced++
			out = append(out, e)
			continue
		case fl.content && t == dicomwire.TextValue:
			d.dummy(e)
			d.rep.Dummied++
			out = append(out, e)
			continue
		case fl.content && (e.vr == "DA" || e.vr == "DT") && d.isBirthDate(e):
			// An SR DATE (or DATETIME) item equal to the birth date is the
			// birth date.
			d.dummy(e)
			d.rep.Dummied++
			out = append(out, e)
			continue
		}
		act := actKeep
		if a, ok := stricter[t]; ok {
			act = a
		} else if r := lookupRule(uint32(t)); r != nil {
			act = toAction(r.Resolve(d.opts))
		}
		var err error
		switch act {
		case actRemove:
			d.rep.Removed++
			continue
		case actEmpty:
			e.val, e.ref, e.items, e.encap = nil, -1, nil, false
			d.rep.Emptied++
		case actDummy:
			if e.isSeq() {
				err = d.seq(e, cs, flags{clean: fl.clean, content: fl.content || t == dicomwire.ContentSequence})
			} else {
				d.dummy(e)
			}
			d.rep.Dummied++
		case actClean:
			if e.isSeq() {
				err = d.seq(e, cs, flags{clean: true, content: fl.content})
			} else {
				err = d.clean(e, cs)
			}
			d.rep.Cleaned++
		case actUID:
			if e.vr == "UI" {
				d.remapUID(e)
			} else if e.isSeq() {
				err = d.seq(e, cs, fl)
			}
		default: // keep, or keep the sequence with its UIDs remapped
			err = d.keep(e, cs, fl)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

func (d *deid) seq(e *elem, cs *charset, fl flags) error {
	for _, it := range e.items {
		var err error
		if it.elems, err = d.elems(it.elems, cs, false, fl); err != nil {
			return err
		}
	}
	return nil
}

// keep handles an attribute that stays: sequences are recursed, UIDs
// remapped unless well known, text converted to UTF-8, dates shifted when
// anonymising, descriptors cleaned inside a cleaned sequence.
func (d *deid) keep(e *elem, cs *charset, fl flags) error {
	switch {
	case e.isSeq():
		return d.seq(e, cs, fl)
	case e.vr == "UI":
		if !keepUIDTags[e.tag] {
			d.remapUID(e)
		}
		return nil
	case e.val == nil || !dicomwire.IsText(e.vr):
		return nil
	}
	if err := d.decode(e, cs); err != nil {
		return err
	}
	if d.anon && (e.vr == "DA" || e.vr == "DT") {
		d.shift(e)
		return nil
	}
	if dicomwire.UsesCharset(e.vr) {
		// Beyond the profile: identity strings of this file and the
		// case's spellings are removed from every text value that stays.
		d.scrubText(e)
	}
	return nil
}

// clean applies C to a single value: dates are shifted (Modified Dates) or
// kept; text has this file's identity strings removed.
func (d *deid) clean(e *elem, cs *charset) error {
	if e.vr == "UI" {
		d.remapUID(e)
		return nil
	}
	if e.val == nil || !dicomwire.IsText(e.vr) {
		return nil
	}
	if err := d.decode(e, cs); err != nil {
		return err
	}
	switch e.vr {
	case "DA", "DT":
		if d.anon {
			d.shift(e)
		}
	case "TM":
	default:
		d.scrubText(e)
	}
	return nil
}

func (d *deid) decode(e *elem, cs *charset) error {
	if !dicomwire.UsesCharset(e.vr) {
		if !isASCII(e.val) {
			e.val = latin1(e.val) // default repertoire only; be tolerant
		}
		return nil
	}
	v, err := cs.decode(e.val)
	if err != nil {
		return fmt.Errorf("%w (in %s)", err, tagText(e.tag))
	}
	e.val = v
	return nil
}

// remapUID replaces each UID value by its keyed remap, keeping
// standard-defined UIDs.
func (d *deid) remapUID(e *elem) {
	if e.val == nil {
		return
	}
	vals := splitVals(e.val)
	for i, v := range vals {
		v = trimVal(v)
		if v == "" || strings.HasPrefix(v, dicomRoot) {
			vals[i] = v
			continue
		}
		vals[i] = d.uid(v)
		d.rep.UIDsRemapped++
	}
	e.val = []byte(strings.Join(vals, `\`))
}

// dummy replaces a value by a non-empty dummy of its VR.
func (d *deid) dummy(e *elem) {
	e.ref, e.items, e.encap = -1, nil, false
	var s string
	switch e.vr {
	case "UI":
		old := trimVal(string(e.val))
		if old == "" {
			old = fmt.Sprintf("dummy %08X", e.tag)
		}
		e.val = []byte(d.uid(old))
		d.rep.UIDsRemapped++
		return
	case "DA":
		s = "19000101"
	case "TM":
		s = "000000"
	case "DT":
		s = "19000101000000"
	case "AS":
		s = "000D"
	case "DS", "IS":
		s = "0"
	case "AE", "CS", "SH", "LO", "LT", "ST", "UT", "UC", "PN", "UR":
		s = "ANONYMIZED"
	case "US", "SS":
		e.val = make([]byte, 2)
		return
	case "UL", "SL", "FL", "AT":
		e.val = make([]byte, 4)
		return
	case "FD", "SV", "UV":
		e.val = make([]byte, 8)
		return
	default:
		e.val = make([]byte, 2)
		return
	}
	e.val = []byte(s)
}

// shift moves DA values and the date part of DT values by DateShift days.
func (d *deid) shift(e *elem) {
	vals := splitVals(e.val)
	changed, emptied := false, false
	for i, v := range vals {
		v = trimVal(v)
		if v == "" {
			vals[i] = v
			continue
		}
		var out string
		var ok bool
		if e.vr == "DA" {
			if a, b, rng := strings.Cut(v, "-"); rng {
				a2, oka := d.shiftDate(a, true)
				b2, okb := d.shiftDate(b, true)
				out, ok = a2+"-"+b2, oka && okb
			} else {
				out, ok = d.shiftDate(v, false)
			}
		} else {
			out, ok = d.shiftDT(v)
		}
		if !ok {
			vals[i] = ""
			emptied = true
			continue
		}
		vals[i] = out
		changed = true
	}
	e.val = []byte(strings.Join(vals, `\`))
	if changed {
		d.rep.DatesShifted++
	}
	if emptied {
		d.rep.DatesEmptied++
	}
}

func (d *deid) shiftDate(s string, allowEmpty bool) (string, bool) {
	if s == "" {
		return "", allowEmpty
	}
	out, ok := d.p.ShiftDate(s)
	if !ok || len(s) != 8 {
		return "", false
	}
	return out, true
}

// shiftDT shifts YYYY[MM[DD[...]]]: partial dates are completed with the
// first month or day, shifted and cut to their original precision. The
// timezone offset (&ZZXX) is dropped: it tells where the patient was.
func (d *deid) shiftDT(s string) (string, bool) {
	s = dropOffset(s)
	n := 0
	for n < len(s) && n < 8 && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	var full string
	switch n {
	case 8:
		full = s[:8]
	case 6:
		full = s[:6] + "01"
	case 4:
		full = s[:4] + "0101"
	default:
		return "", false
	}
	out, ok := d.p.ShiftDate(full)
	if !ok {
		return "", false
	}
	return out[:n] + s[n:], true
}

// dropOffset returns a DT value without its UTC offset suffix (+HHMM or
// -HHMM after the date and time).
func dropOffset(s string) string {
	n := len(s)
	if n < 5+4 || (s[n-5] != '+' && s[n-5] != '-') {
		return s
	}
	for _, c := range s[n-4:] {
		if c < '0' || c > '9' {
			return s
		}
	}
	return s[:n-5]
}

// markers returns the elements that record the de-identification.
func (d *deid) markers() []*elem {
	str := func(t dicomwire.Tag, vr, v string) *elem {
		return &elem{tag: t, vr: vr, val: []byte(v), ref: -1, e: d.e}
	}
	var method []string
	if d.anon {
		method = []string{"DOSSIER ANONYMISED", "PS3.15 BASIC PROFILE", "RETAIN LONGITUDINAL MODIFIED DATES", "RETAIN PATIENT CHARACTERISTICS"}
	} else {
		method = []string{"DOSSIER PSEUDONYMISED", "PS3.15 BASIC PROFILE", "RETAIN LONGITUDINAL FULL DATES", "RETAIN PATIENT CHARACTERISTICS", "CLEAN DESCRIPTORS"}
	}
	if d.rep.BurnedInCleared {
		method = append(method, "CLEAN PIXEL DATA")
	}
	if d.rep.PrivateKept > 0 && !slices.Contains(d.rep.Options, CodeRetainSafePrivate) {
		method = append(method, "RETAIN SAFE PRIVATE")
		d.rep.Options = append(d.rep.Options, CodeRetainSafePrivate)
	}
	seq := &elem{tag: dicomwire.DeidentificationMethodCodeSequence, vr: "SQ", ref: -1, e: d.e}
	for _, c := range d.rep.Options {
		seq.items = append(seq.items, &item{elems: []*elem{
			str(dicomwire.CodeValue, "SH", c.Value),
			str(dicomwire.CodingSchemeDesignator, "SH", c.Scheme),
			str(dicomwire.CodeMeaning, "LO", c.Meaning),
		}})
	}
	mod := "UNMODIFIED"
	if d.anon {
		mod = "MODIFIED"
	}
	return []*elem{
		str(dicomwire.SpecificCharacterSet, "CS", "ISO_IR 192"),
		str(dicomwire.PatientIdentityRemoved, "CS", "YES"),
		str(dicomwire.DeidentificationMethod, "LO", strings.Join(method, `\`)),
		seq,
		str(dicomwire.LongitudinalTemporalInformationModified, "CS", mod),
	}
}

// meta builds the new file meta information: version, SOP class, the
// remapped SOP instance (equal to the dataset's), transfer syntax and
// Dossier's implementation identity. Source and private meta elements are
// dropped.
func (d *deid) meta(old, ds []*elem) ([]byte, error) {
	find := func(list []*elem, t dicomwire.Tag) string {
		for _, e := range list {
			if e.tag == t && e.val != nil {
				return trimVal(string(e.val))
			}
		}
		return ""
	}
	h := d.l.Header
	sopClass := find(ds, dicomwire.SOPClassUID)
	if sopClass == "" {
		sopClass = find(old, dicomwire.MediaStorageSOPClassUID)
	}
	sopInst := find(ds, dicomwire.SOPInstanceUID) // already remapped
	if sopInst == "" {
		if v := find(old, dicomwire.MediaStorageSOPInstanceUID); v != "" {
			sopInst = d.uid(v)
			d.rep.UIDsRemapped++
		}
	} else if v := find(old, dicomwire.MediaStorageSOPInstanceUID); v != "" {
		d.rep.UIDsRemapped++
		if d.uid(v) != sopInst && v != sopInst {
			d.rep.warn("meta Media Storage SOP Instance UID differed from SOP Instance UID; set to the dataset's")
		}
	}
	if sopClass == "" || sopInst == "" {
		return nil, fmt.Errorf("%w: no SOP Class or SOP Instance UID", ErrUnsupported)
	}
	ts := h.TransferSyntaxUID
	native := ts == "" || ts == dicomwire.ImplicitVRLittleEndianUID || ts == dicomwire.ExplicitVRLittleEndianUID || ts == dicomwire.ExplicitVRBigEndianUID
	switch {
	case d.e.Implicit:
		if !native {
			return nil, fmt.Errorf("%w: implicit VR dataset under a compressed transfer syntax", ErrUnsupported)
		}
		ts = d.e.UID()
	case d.e.BigEndian, native:
		ts = d.e.UID()
	}
	if d.outTS != "" {
		ts = d.outTS
	}
	return dicomwire.AppendMeta(nil, dicomwire.Meta{
		MediaStorageSOPClassUID:    sopClass,
		MediaStorageSOPInstanceUID: sopInst,
		TransferSyntaxUID:          ts,
		ImplementationClassUID:     implementationUID,
		ImplementationVersionName:  implementationVersion,
	}, true), nil
}

// padded returns the value padded to even length.
func padded(e *elem) []byte { return dicomwire.Pad(e.vr, e.val) }
