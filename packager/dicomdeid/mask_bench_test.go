package dicomdeid

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"dossier/internal/fixture/dcmfix"
	"dossier/internal/testtool"
	"dossier/packager/pixelmask"
)

// BenchmarkMaskCine masks the header band of a 100-frame 640x480 RGB
// ultrasound cine (92 MB of native pixel data) file to file, beside a plain
// copy of the same file (the issue asks for at least half of cp's
// throughput). Run it once: go test -run XXX -bench MaskCine -benchtime 1x.
func BenchmarkMaskCine(b *testing.B) {
	dir := b.TempDir()
	p := dcmfix.Pixels{Spec: dcmfix.Spec{Modality: "US", Rows: 480, Cols: 640, PatientName: "DOE^JANE"}, Photometric: "RGB", Frames: 100}
	in := filepath.Join(dir, "cine.dcm")
	data := dcmfix.PixelInstance(p)
	if err := os.WriteFile(in, data, 0o644); err != nil {
		b.Fatal(err)
	}
	size := int64(len(data))
	data = nil
	boxes := []pixelmask.Box{{X: 0, Y: 0, Width: 640, Height: 60}, {X: 500, Y: 400, Width: 140, Height: 80}}
	b.Run("copy", func(b *testing.B) {
		b.SetBytes(size)
		for i := 0; i < b.N; i++ {
			src, _ := os.Open(in)
			dst, _ := os.Create(filepath.Join(dir, "copy.dcm"))
			if _, err := io.Copy(dst, src); err != nil {
				b.Fatal(err)
			}
			src.Close()
			dst.Close()
		}
	})
	b.Run("mask", func(b *testing.B) {
		b.SetBytes(size)
		for i := 0; i < b.N; i++ {
			src, _ := os.Open(in)
			dst, _ := os.Create(filepath.Join(dir, "masked.dcm"))
			if _, err := DeidentifyMasked(context.Background(), dst, src, size, pseudoParams(), Pixels{Boxes: boxes, Confirmed: true}); err != nil {
				b.Fatal(err)
			}
			src.Close()
			dst.Close()
		}
	})
}

// TestMaskCineMemoryBounded: masking a 100-frame cine from a file holds
// one frame, not the file.
func TestMaskCineMemoryBounded(t *testing.T) {
	dir := t.TempDir()
	for _, enc := range []string{"", "rle"} {
		p := dcmfix.Pixels{Spec: dcmfix.Spec{Modality: "US", Rows: 240, Cols: 320}, Photometric: "RGB", Frames: 100, Encoding: enc}
		in := filepath.Join(dir, "cine"+enc+".dcm")
		data := dcmfix.PixelInstance(p)
		if err := os.WriteFile(in, data, 0o644); err != nil {
			t.Fatal(err)
		}
		size := int64(len(data))
		data = nil
		runtime.GC()
		var base runtime.MemStats
		runtime.ReadMemStats(&base)
		var err error
		peak := testtool.PeakHeap(time.Millisecond, func() {
			src, _ := os.Open(in)
			defer src.Close()
			dst, _ := os.Create(filepath.Join(dir, "out.dcm"))
			defer dst.Close()
			_, err = DeidentifyMasked(context.Background(), dst, src, size, pseudoParams(), Pixels{Boxes: []pixelmask.Box{{Width: 320, Height: 30}}})
		})
		if err != nil {
			t.Fatal(err)
		}
		// 23 MB of pixels; a frame is 230 kB.
		if grew := int64(peak) - int64(base.HeapInuse); grew > 8<<20 {
			t.Errorf("%q: heap grew by %d bytes masking a %d-byte cine", enc, grew, size)
		}
	}
}
