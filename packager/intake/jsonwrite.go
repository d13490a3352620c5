package intake

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"strconv"
)

// An inventory of a CD holds thousands of items, and encoding/json spends
// most of a `scan --json` on them: it reflects over every field, and an
// Item's MarshalJSON (for "pathBytes") is encoded, checked and indented
// again. So items are written here by hand, byte for byte as encoding/json
// writes them (jsonwrite_test.go compares the two), and WriteJSON streams
// an inventory instead of building it in memory first.

// jsonObject appends the members of one JSON object to b. nl is "" for
// compact JSON, else a newline and the indentation of the object's braces;
// members are indented by two more spaces, as json.Encoder.SetIndent("",
// "  ") does.
type jsonObject struct {
	b  []byte
	nl string
	n  int
}

func openObject(b []byte, nl string) jsonObject { return jsonObject{b: append(b, '{'), nl: nl} }

// key starts the member called k (a plain ASCII name).
func (o *jsonObject) key(k string) {
	if o.n > 0 {
		o.b = append(o.b, ',')
	}
	o.n++
	if o.nl != "" {
		o.b = append(o.b, o.nl...)
		o.b = append(o.b, "  "...)
	}
	o.b = append(o.b, '"')
	o.b = append(o.b, k...)
	o.b = append(o.b, '"', ':')
	if o.nl != "" {
		o.b = append(o.b, ' ')
	}
}

// inner is the nl of a value nested in a member.
func (o *jsonObject) inner() string {
	if o.nl == "" {
		return ""
	}
	return o.nl + "  "
}

func (o *jsonObject) str(k, v string) {
	o.key(k)
	o.b = appendJSONString(o.b, v)
}

func (o *jsonObject) strOmitEmpty(k, v string) {
	if v != "" {
		o.str(k, v)
	}
}

func (o *jsonObject) intOmitEmpty(k string, v int) {
	if v != 0 {
		o.key(k)
		o.b = strconv.AppendInt(o.b, int64(v), 10)
	}
}

func (o *jsonObject) close() []byte {
	if o.n > 0 && o.nl != "" {
		o.b = append(o.b, o.nl...)
	}
	return append(o.b, '}')
}

// appendJSONString appends s as encoding/json writes a string (HTML
// characters escaped): by hand when it is plain printable ASCII, else by
// encoding/json itself.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7F || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // a string always encodes
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// appendJSONStrings appends a list of strings: null when nil.
func appendJSONStrings(b []byte, list []string, nl string) []byte {
	if list == nil {
		return append(b, "null"...)
	}
	if len(list) == 0 {
		return append(b, "[]"...)
	}
	b = append(b, '[')
	for i, s := range list {
		if i > 0 {
			b = append(b, ',')
		}
		if nl != "" {
			b = append(b, nl...)
			b = append(b, "  "...)
		}
		b = appendJSONString(b, s)
	}
	if nl != "" {
		b = append(b, nl...)
	}
	return append(b, ']')
}

// appendJSONValue appends v as encoding/json writes it, indented for nl.
func appendJSONValue(b []byte, v any, nl string) ([]byte, error) {
	js, err := json.Marshal(v)
	if err != nil {
		return b, err
	}
	if nl == "" {
		return append(b, js...), nil
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, js, nl[1:], "  "); err != nil {
		return b, err
	}
	return append(b, buf.Bytes()...), nil
}

// appendJSON appends the item as its MarshalJSON writes it (compact when
// nl is "", else indented; see jsonObject).
func (it *Item) appendJSON(b []byte, nl string) ([]byte, error) {
	o := openObject(b, nl)
	o.str("path", it.Path)
	o.str("kind", string(it.Kind))
	o.strOmitEmpty("format", it.Format)
	o.key("size")
	o.b = strconv.AppendInt(o.b, it.Size, 10)
	if !it.ModTime.IsZero() {
		t, err := it.ModTime.MarshalJSON()
		if err != nil {
			return b, err
		}
		o.key("modTime")
		o.b = append(o.b, t...)
	}
	if !it.Reason.IsZero() {
		o.key("reason")
		var err error
		if o.b, err = appendJSONValue(o.b, it.Reason, o.inner()); err != nil {
			return b, err
		}
	}
	o.key("problems")
	switch {
	case it.Problems == nil:
		o.b = append(o.b, "null"...)
	case len(it.Problems) == 0:
		o.b = append(o.b, "[]"...)
	default:
		var err error
		if o.b, err = appendJSONValue(o.b, it.Problems, o.inner()); err != nil {
			return b, err
		}
	}
	o.strOmitEmpty("modality", it.Modality)
	o.strOmitEmpty("sopClassUID", it.SOPClassUID)
	o.strOmitEmpty("sopInstanceUID", it.SOPInstanceUID)
	o.strOmitEmpty("studyInstanceUID", it.StudyInstanceUID)
	o.strOmitEmpty("seriesInstanceUID", it.SeriesInstanceUID)
	if it.BurnedIn {
		o.key("burnedIn")
		o.b = append(o.b, "true"...)
	}
	if d := it.DICOM; d != nil {
		o.key("dicom")
		o.b = d.appendJSON(o.b, o.inner(), int(it.InstanceNumber))
	}
	if it.Slide != nil {
		o.key("slide")
		var err error
		if o.b, err = appendJSONValue(o.b, it.Slide, o.inner()); err != nil {
			return b, err
		}
	}
	if raw := RawPath(it.Path); len(raw) > 0 {
		o.key("pathBytes")
		o.b = append(o.b, '"')
		o.b = base64.StdEncoding.AppendEncode(o.b, raw)
		o.b = append(o.b, '"')
	}
	return o.close(), nil
}

// appendJSON appends d as the "dicom" of an item whose Instance Number is
// instance (Item.InstanceNumber, written where DICOMDetail held it).
func (d *DICOMDetail) appendJSON(b []byte, nl string, instance int) []byte {
	o := openObject(b, nl)
	o.strOmitEmpty("studyDate", d.StudyDate)
	o.strOmitEmpty("studyDescription", d.StudyDescription)
	o.strOmitEmpty("accessionNumber", d.Accession)
	o.intOmitEmpty("seriesNumber", d.SeriesNumber)
	o.strOmitEmpty("seriesDescription", d.SeriesDescription)
	o.strOmitEmpty("bodyPart", d.BodyPart)
	o.intOmitEmpty("instanceNumber", instance)
	if len(d.ImageType) > 0 {
		o.key("imageType")
		o.b = appendJSONStrings(o.b, d.ImageType, o.inner())
	}
	o.intOmitEmpty("rows", d.Rows)
	o.intOmitEmpty("columns", d.Columns)
	o.intOmitEmpty("frames", d.Frames)
	o.strOmitEmpty("patientName", d.PatientName)
	o.strOmitEmpty("patientID", d.PatientID)
	o.strOmitEmpty("patientBirthDate", d.PatientBirthDate)
	o.strOmitEmpty("patientSex", d.PatientSex)
	o.strOmitEmpty("transferSyntaxUID", d.TransferSyntaxUID)
	return o.close()
}

// WriteJSON writes the inventory as json.NewEncoder(w) with
// SetIndent("", "  ") encodes it, byte for byte, one item at a time.
func (inv *Inventory) WriteJSON(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	var b []byte
	b = append(b, "{\n  \"items\": "...)
	switch {
	case inv.Items == nil:
		b = append(b, "null"...)
	case len(inv.Items) == 0:
		b = append(b, "[]"...)
	default:
		b = append(b, '[')
		for i, it := range inv.Items {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, "\n    "...)
			var err error
			if b, err = it.appendJSON(b, "\n    "); err != nil {
				return err
			}
			if len(b) >= 32<<10 {
				if _, err := bw.Write(b); err != nil {
					return err
				}
				b = b[:0]
			}
		}
		b = append(b, "\n  ]"...)
	}
	for _, m := range []struct {
		key string
		v   any
	}{{"studies", inv.Studies}, {"slides", inv.Slides}, {"patients", inv.Patients}, {"problems", inv.Problems}} {
		b = append(b, ",\n  \""...)
		b = append(b, m.key...)
		b = append(b, "\": "...)
		var err error
		if b, err = appendJSONValue(b, m.v, "\n  "); err != nil {
			return err
		}
	}
	b = append(b, "\n}\n"...)
	if _, err := bw.Write(b); err != nil {
		return err
	}
	return bw.Flush()
}
