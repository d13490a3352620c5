package dicomdeid

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	"dossier/packager/dicomwire"
	"dossier/packager/dicomx"
)

// Dump writes a deterministic text listing of the DICOM file in r (size
// bytes): one line per element with tag, VR and value, sequences indented,
// binary values as length and SHA-256 prefix, Pixel Data as the length and
// hash of its raw element. It is meant for tests and debugging (values are
// printed: never log it for patient files).
func Dump(ctx context.Context, w io.Writer, r io.ReaderAt, size int64) error {
	l, err := dicomx.ReadLayout(ctx, r, size)
	if err != nil {
		return fmt.Errorf("dicomdeid: dump: %w", err)
	}
	regionEnd := size
	if l.PixelElementOffset >= 0 {
		regionEnd = l.PixelElementOffset
	}
	meta, err := readMeta(ctx, r, l)
	if err != nil {
		return wrap("dump", err)
	}
	dumpElems(w, meta, 0)
	fmt.Fprintf(w, "# transfer syntax %s implicit=%v bigendian=%v\n", l.Header.TransferSyntaxUID, l.ImplicitVR, l.BigEndian)
	p := &parser{ctx: ctx, r: r, base: l.DatasetOffset, end: regionEnd}
	ds, err := p.dataset(l.DatasetOffset, regionEnd, datasetSyntax(l))
	if err != nil {
		return wrap("dump", err)
	}
	dumpElems(w, ds, 0)
	if l.PixelElementOffset >= 0 {
		n := l.PixelElementEnd - l.PixelElementOffset
		h := sha256.New()
		if err := copyRange(ctx, h, r, l.PixelElementOffset, n); err != nil {
			return err
		}
		kind := "native"
		if l.Header.PixelData.Encapsulated {
			kind = fmt.Sprintf("encapsulated items=%d", l.Header.PixelData.Fragments)
		}
		fmt.Fprintf(w, "(7FE0,0010) %s element bytes=%d sha256=%s\n", kind, n, hex.EncodeToString(h.Sum(nil))[:16])
		if l.PixelElementEnd < size {
			fmt.Fprintf(w, "# %d trailing bytes\n", size-l.PixelElementEnd)
		}
	}
	return nil
}

func dumpElems(w io.Writer, elems []*elem, depth int) {
	ind := strings.Repeat("  ", depth)
	for _, e := range elems {
		fmt.Fprintf(w, "%s%s %s", ind, tagText(e.tag), e.vr)
		switch {
		case e.isSeq():
			fmt.Fprintf(w, " items=%d\n", len(e.items))
			for i, it := range e.items {
				fmt.Fprintf(w, "%s  item %d\n", ind, i+1)
				dumpElems(w, it.elems, depth+2)
			}
			continue
		case e.encap:
			s := sha256.Sum256(e.val)
			fmt.Fprintf(w, " encapsulated bytes=%d sha256=%s", len(e.val), hex.EncodeToString(s[:8]))
		case e.ref >= 0:
			fmt.Fprintf(w, " bytes=%d (streamed)", e.n)
		case dicomwire.IsText(e.vr) || e.vr == "UI":
			fmt.Fprintf(w, " %q", strings.TrimRight(string(e.val), " \x00"))
		case len(e.val) <= 16:
			fmt.Fprintf(w, " [%s]", hex.EncodeToString(e.val))
		default:
			s := sha256.Sum256(e.val)
			fmt.Fprintf(w, " bytes=%d sha256=%s", len(e.val), hex.EncodeToString(s[:8]))
		}
		fmt.Fprintln(w)
	}
}
