package preview

import (
	"bytes"
	"compress/zlib"
	"context"
	"fmt"
	"image"
	"image/draw"
	"io"

	"golang.org/x/image/tiff/lzw"

	"dossier/packager/slide"
)

// TIFF tags and compression schemes a slide preview reads.
const (
	tagPredictor  = 317
	tagJPEGTables = 347

	compNone       = 1
	compLZW        = 5
	compOldJPEG    = 6
	compJPEG       = 7
	compDeflate    = 8
	compDeflateOld = 32946
	compAperioJ2K1 = 33003
	compAperioJ2K2 = 33005
	compJP2K       = 34712
)

// slideImage returns the thumbnail of a TIFF-based slide, or its smallest
// level when that is small enough.
func slideImage(ctx context.Context, r io.ReaderAt, size int64) (image.Image, error) {
	f, err := slide.OpenTIFF(r, size)
	if err != nil {
		return nil, fmt.Errorf("%w: the slide's structure could not be read: %w", ErrNoPreview, err)
	}
	info, err := f.Detect()
	if err != nil {
		return nil, fmt.Errorf("%w: the slide's structure could not be read: %w", ErrNoPreview, err)
	}
	var thumbErr error
	for _, im := range info.Images {
		if im.Kind != slide.KindThumbnail || im.IFD < 0 || im.IFD >= len(f.IFDs) {
			continue
		}
		img, err := decodeIFD(ctx, f, r, f.IFDs[im.IFD])
		if err == nil {
			return img, nil
		}
		if ctx.Err() != nil {
			return nil, err
		}
		thumbErr = err
	}
	var best *slide.Image
	for i, im := range info.Images {
		if im.Kind != slide.KindLevel || im.IFD < 0 || im.IFD >= len(f.IFDs) {
			continue
		}
		if best == nil || im.Width*im.Height < best.Width*best.Height {
			best = &info.Images[i]
		}
	}
	if best == nil || max(best.Width, best.Height) > MaxSlideSide {
		if thumbErr != nil {
			return nil, thumbErr
		}
		return nil, noPreview("the slide has no thumbnail, and its smallest level is too large to preview")
	}
	img, err := decodeIFD(ctx, f, r, f.IFDs[best.IFD])
	if err != nil && thumbErr != nil {
		return nil, thumbErr
	}
	return img, err
}

// decodeIFD decodes the image of one IFD, made of strips or tiles that are
// uncompressed, JPEG (with shared JPEGTables), LZW or Deflate compressed.
func decodeIFD(ctx context.Context, f *slide.File, r io.ReaderAt, d *slide.IFD) (image.Image, error) {
	tag := func(t uint16, def uint64) uint64 {
		if v, ok := f.TagUint(d, t); ok {
			return v
		}
		return def
	}
	w, h := tag(slide.TagImageWidth, 0), tag(slide.TagImageLength, 0)
	if w == 0 || h == 0 || w > 1<<20 || h > 1<<20 || w*h > MaxPixels {
		return nil, noPreview("the slide image has an unusable size (%dx%d)", w, h)
	}
	comp := tag(slide.TagCompression, compNone)
	spp := tag(slide.TagSamplesPerPixel, 1)
	photometric := tag(slide.TagPhotometric, 2)
	switch comp {
	case compNone, compLZW, compDeflate, compDeflateOld, compJPEG:
	case compAperioJ2K1, compAperioJ2K2, compJP2K:
		return nil, noPreview("compressed with JPEG 2000, which Dossier cannot show yet")
	case compOldJPEG:
		return nil, noPreview("compressed with old-style TIFF JPEG, which Dossier cannot show yet")
	default:
		return nil, noPreview("compressed in a way Dossier cannot show yet (TIFF compression %d)", comp)
	}
	if comp != compJPEG {
		if bits := tag(slide.TagBitsPerSample, 1); bits != 8 {
			return nil, noPreview("the slide image uses %d bits per sample, which Dossier cannot show yet", bits)
		}
		if spp != 1 && spp != 3 && spp != 4 {
			return nil, noPreview("the slide image has %d samples per pixel, which Dossier cannot show yet", spp)
		}
		if tag(slide.TagPlanarConfig, 1) != 1 {
			return nil, noPreview("the slide image is stored in planes, which Dossier cannot show yet")
		}
	}
	ranges, err := f.DataRanges(d)
	if err != nil {
		return nil, fmt.Errorf("%w: the slide image's data could not be located: %w", ErrNoPreview, err)
	}
	var total int64
	for _, rg := range ranges {
		total += rg.Length
	}
	if total > MaxPixelBytes {
		return nil, noPreview("the slide image is too large to preview")
	}
	var tables []byte
	if e, ok := d.Entry(tagJPEGTables); ok && comp == compJPEG {
		if t, err := f.Bytes(e); err == nil && len(t) >= 4 {
			tables = t
		}
	}
	pw, ph := w, tag(slide.TagRowsPerStrip, h)
	across := uint64(1)
	if d.Tiled() {
		pw, ph = tag(slide.TagTileWidth, 0), tag(slide.TagTileLength, 0)
		if pw == 0 || ph == 0 || pw > 1<<16 || ph > 1<<16 {
			return nil, noPreview("the slide image has an unusable tile size")
		}
		across = (w + pw - 1) / pw
	}
	ph = min(max(ph, 1), h)
	canvas := image.NewRGBA(image.Rect(0, 0, int(w), int(h)))
	drawn := 0
	for i, rg := range ranges {
		if i%16 == 15 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("preview: %w", err)
			}
		}
		x, y := uint64(i)%across*pw, uint64(i)/across*ph
		if y >= h || rg.Length <= 0 {
			continue
		}
		data, err := readAt(r, f.Size, rg.Offset, rg.Length)
		if err != nil {
			return nil, err
		}
		var piece image.Image
		if comp == compJPEG {
			piece, err = tiffJPEG(data, tables, photometric)
		} else {
			piece, err = rawPiece(data, comp, int(pw), int(ph), int(spp), photometric, tag(tagPredictor, 1))
		}
		if err != nil {
			return nil, err
		}
		dst := image.Rect(int(x), int(y), int(x)+piece.Bounds().Dx(), int(y)+piece.Bounds().Dy())
		draw.Draw(canvas, dst, piece, piece.Bounds().Min, draw.Src)
		drawn++
	}
	if drawn == 0 {
		return nil, noPreview("the slide image has no data")
	}
	return canvas, nil
}

// tiffJPEG decodes one JPEG strip or tile, splicing in the shared tables
// (TIFF tag 347) when the stream is abbreviated.
func tiffJPEG(data, tables []byte, photometric uint64) (image.Image, error) {
	stream := data
	if len(tables) >= 4 && len(data) >= 2 && data[0] == 0xFF && data[1] == 0xD8 {
		end := len(tables)
		if tables[end-2] == 0xFF && tables[end-1] == 0xD9 {
			end -= 2
		}
		stream = make([]byte, 0, end+len(data))
		stream = append(stream, tables[:end]...)
		stream = append(stream, data[2:]...)
	}
	img, err := decodeJPEG(stream)
	if err != nil {
		return nil, err
	}
	// Aperio writes some JPEGs with RGB samples and no marker saying so;
	// the decoder then takes them for YCbCr.
	if y, ok := img.(*image.YCbCr); ok && photometric == 2 && y.SubsampleRatio == image.YCbCrSubsampleRatio444 {
		b := y.Bounds()
		n := image.NewNRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
		for yy := 0; yy < b.Dy(); yy++ {
			for xx := 0; xx < b.Dx(); xx++ {
				yi, ci := y.YOffset(b.Min.X+xx, b.Min.Y+yy), y.COffset(b.Min.X+xx, b.Min.Y+yy)
				o := n.PixOffset(xx, yy)
				n.Pix[o], n.Pix[o+1], n.Pix[o+2], n.Pix[o+3] = y.Y[yi], y.Cb[ci], y.Cr[ci], 255
			}
		}
		return n, nil
	}
	return img, nil
}

// rawPiece decodes an uncompressed, LZW or Deflate strip or tile of 8-bit
// chunky samples into an NRGBA image of up to pw x ph pixels (a last strip
// may hold fewer rows).
func rawPiece(data []byte, comp uint64, pw, ph, spp int, photometric, predictor uint64) (image.Image, error) {
	want := pw * ph * spp
	switch comp {
	case compLZW, compDeflate, compDeflateOld:
		var rd io.ReadCloser
		if comp == compLZW {
			rd = lzw.NewReader(bytes.NewReader(data), lzw.MSB, 8)
		} else {
			z, err := zlib.NewReader(bytes.NewReader(data))
			if err != nil {
				return nil, noPreview("the slide image's compressed data is damaged")
			}
			rd = z
		}
		out, err := io.ReadAll(io.LimitReader(rd, int64(want)))
		rd.Close()
		if err != nil && len(out) == 0 {
			return nil, noPreview("the slide image's compressed data is damaged")
		}
		data = out
	}
	rows := min(ph, len(data)/(pw*spp))
	if rows == 0 {
		return nil, noPreview("the slide image's data is cut short")
	}
	if predictor == 2 {
		for y := 0; y < rows; y++ {
			p := data[y*pw*spp : (y+1)*pw*spp]
			for x := spp; x < len(p); x++ {
				p[x] += p[x-spp]
			}
		}
	}
	img := image.NewNRGBA(image.Rect(0, 0, pw, rows))
	for i := 0; i < pw*rows; i++ {
		s := data[i*spp:]
		o := img.Pix[4*i:]
		switch spp {
		case 1:
			v := s[0]
			if photometric == 0 {
				v = 255 - v
			}
			o[0], o[1], o[2], o[3] = v, v, v, 255
		case 3:
			o[0], o[1], o[2], o[3] = s[0], s[1], s[2], 255
		default:
			o[0], o[1], o[2], o[3] = s[0], s[1], s[2], 255
		}
	}
	return img, nil
}
