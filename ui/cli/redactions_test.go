package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/image/bmp"

	"dossier/internal/fixture/dcmfix"
	"dossier/packager/dicomx"
)

func TestDeidentifyRedactions(t *testing.T) {
	t.Setenv("DOSSIER_HOME", t.TempDir())
	src := t.TempDir()
	us := dcmfix.Pixels{Spec: dcmfix.Spec{PatientName: "DOE^JANE", PatientID: "PID-0042", Modality: "US", Rows: 20, Cols: 30}, Photometric: "RGB", Frames: 2}
	usPath := filepath.Join(src, "us.dcm")
	os.WriteFile(usPath, dcmfix.PixelInstance(us), 0o644)
	pic := image.NewGray(image.Rect(0, 0, 400, 300))
	for i := range pic.Pix {
		pic.Pix[i] = 200
	}
	var pb bytes.Buffer
	png.Encode(&pb, pic)
	picPath := filepath.Join(src, "scan.png")
	os.WriteFile(picPath, pb.Bytes(), 0o644)
	red := filepath.Join(t.TempDir(), "boxes.json")
	os.WriteFile(red, []byte(`[{"path":"`+usPath+`","page":2,"x":0,"y":0,"width":30,"height":5},
		{"path":"`+picPath+`","page":1,"x":2.5,"y":0,"width":3,"height":4}]`), 0o644)

	out := t.TempDir()
	code, stdout, stderr := run(t, "deidentify", "--privacy", "anonymised", "--patient-name", "Jane Doe", "--out", out, "--json",
		"--redactions", red, "--include", usPath, "--include", picPath, src)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res struct {
		Written []struct {
			Path, Name string
			Redacted   []struct {
				Kind  string
				Count int
			}
		}
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Written) != 2 {
		t.Fatalf("written %s", stdout)
	}
	for _, w := range res.Written {
		if len(w.Redacted) == 0 || w.Redacted[0].Kind != "picture boxes" || w.Redacted[0].Count != 1 {
			t.Errorf("%s: redacted %+v", w.Name, w.Redacted)
		}
		b, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(w.Name)))
		if err != nil {
			t.Fatal(err)
		}
		if w.Path == picPath {
			m, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			for y := 0; y < 300; y++ {
				for x := 0; x < 400; x++ {
					g := color.GrayModel.Convert(m.At(x, y)).(color.Gray).Y
					if in := x >= 2 && x < 6 && y < 4; in && g != 0 || !in && g != 200 {
						t.Fatalf("picture (%d,%d) = %d", x, y, g)
					}
				}
			}
			continue
		}
		h, err := dicomx.ReadHeader(context.Background(), bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatal(err)
		}
		native := us.Native()
		pix := b[h.PixelData.Offset : h.PixelData.Offset+int64(len(native))]
		frame := 20 * 30 * 3
		if !bytes.Equal(pix[:frame], native[:frame]) {
			t.Error("frame 1 changed")
		}
		for i := frame; i < frame+5*30*3; i++ {
			if pix[i] != 0 {
				t.Fatalf("frame 2 byte %d not masked", i-frame)
			}
		}
		if !bytes.Equal(pix[frame+5*30*3:], native[frame+5*30*3:]) {
			t.Error("frame 2 changed outside the box")
		}
		if h.BurnedInAnnotation != "NO" {
			t.Errorf("Burned In Annotation %q", h.BurnedInAnnotation)
		}
	}

	// A path that is not among the files is a usage error.
	os.WriteFile(red, []byte(`[{"path":"elsewhere.png","page":1,"x":0,"y":0,"width":3,"height":4}]`), 0o644)
	code, _, stderr = run(t, "deidentify", "--privacy", "anonymised", "--patient-name", "Jane Doe", "--out", t.TempDir(), "--redactions", red, src)
	if code != ExitUsage || !strings.Contains(stderr, "not among the files") {
		t.Errorf("unknown path: exit %d: %s", code, stderr)
	}
}

func TestPackRedactions(t *testing.T) {
	t.Setenv("DOSSIER_HOME", t.TempDir())
	src := t.TempDir()
	us := dcmfix.Pixels{Spec: dcmfix.Spec{PatientName: "DOE^JANE", PatientID: "PID-0042", Modality: "US", Rows: 20, Cols: 30}, Frames: 2}
	usPath := filepath.Join(src, "us.dcm")
	os.WriteFile(usPath, dcmfix.PixelInstance(us), 0o644)
	red := filepath.Join(t.TempDir(), "boxes.json")
	os.WriteFile(red, []byte(`[{"path":"`+usPath+`","x":0,"y":0,"width":30,"height":5}]`), 0o644)
	stick := filepath.Join(t.TempDir(), "DOSSIER")
	code, stdout, stderr := run(t, "pack", "--privacy", "anonymised", "--patient-name", "Jane Doe", "--folder", stick, "--redactions", red, "--include", usPath, src)
	if code != ExitOK {
		t.Fatalf("pack: %s", stderr)
	}
	// Masked under the boxes given, the image is not one sent as it is.
	if strings.Contains(stdout, "Sent as they are") {
		t.Errorf("the image masked under its boxes is said to be sent as it is:\n%s", stdout)
	}
	found := 0
	filepath.Walk(stick, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		b, _ := os.ReadFile(p)
		h, err := dicomx.ReadHeader(context.Background(), bytes.NewReader(b), int64(len(b)))
		if err != nil || h.Modality != "US" || !h.PixelData.Present {
			return nil
		}
		found++
		pix := b[h.PixelData.Offset:]
		for f := 0; f < 2; f++ {
			for i := 0; i < 5*30; i++ {
				if pix[f*20*30+i] != 0 {
					t.Fatalf("frame %d pixel %d not masked", f+1, i)
				}
			}
		}
		if h.BurnedInAnnotation != "NO" {
			t.Errorf("Burned In Annotation %q", h.BurnedInAnnotation)
		}
		return nil
	})
	if found != 1 {
		t.Fatalf("%d ultrasound images in the bundle", found)
	}
	if code, _, stderr := run(t, "pack", "--folder", filepath.Join(t.TempDir(), "D"), "--redactions", red, src); code != ExitUsage {
		t.Errorf("identified level: exit %d: %s", code, stderr)
	}
	os.WriteFile(red, []byte(`[{"path":"nowhere.dcm","x":0,"y":0,"width":3,"height":4}]`), 0o644)
	if code, _, stderr := run(t, "pack", "--privacy", "anonymised", "--patient-name", "Jane Doe", "--folder", filepath.Join(t.TempDir(), "D"), "--redactions", red, src); code != ExitUsage {
		t.Errorf("unknown path: exit %d: %s", code, stderr)
	}
}

// TestRedactionsMustCoverKnownRegions: Burned In Annotation becomes NO
// only when the boxes cover the machine's known header region.
func TestRedactionsMustCoverKnownRegions(t *testing.T) {
	t.Setenv("DOSSIER_HOME", t.TempDir())
	src := t.TempDir()
	us := dcmfix.Pixels{Spec: dcmfix.Spec{PatientName: "DOE^JANE", PatientID: "PID-0042", Modality: "US", Rows: 600, Cols: 800, Extra: []dcmfix.Element{
		dcmfix.Str(dcmfix.T(0x0008, 0x0070), "LO", "Philips Medical Systems"),
		dcmfix.Str(dcmfix.T(0x0008, 0x1090), "LO", "iU22"),
	}}}
	usPath := filepath.Join(src, "us.dcm")
	os.WriteFile(usPath, dcmfix.PixelInstance(us), 0o644)
	for height, want := range map[string]string{"30": "", "59": "NO"} {
		red := filepath.Join(t.TempDir(), "boxes.json")
		os.WriteFile(red, []byte(`[{"path":"`+usPath+`","x":0,"y":0,"width":800,"height":`+height+`}]`), 0o644)
		out := t.TempDir()
		code, stdout, stderr := run(t, "deidentify", "--privacy", "anonymised", "--patient-name", "Jane Doe", "--out", out, "--json",
			"--redactions", red, "--include", usPath, src)
		if code != ExitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		var res struct{ Written []struct{ Name string } }
		json.Unmarshal([]byte(stdout), &res)
		if len(res.Written) != 1 {
			t.Fatalf("written: %s", stdout)
		}
		b, _ := os.ReadFile(filepath.Join(out, filepath.FromSlash(res.Written[0].Name)))
		h, err := dicomx.ReadHeader(context.Background(), bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatal(err)
		}
		if h.BurnedInAnnotation != want {
			t.Errorf("box of height %s: Burned In Annotation %q, want %q", height, h.BurnedInAnnotation, want)
		}
	}
}

// TestSuggestRedactionsRoundTrip: the suggested boxes of a held
// ultrasound image (its machine's header region, and the name OCR reads
// where tesseract is installed), passed back with --redactions, clear it.
func TestSuggestRedactionsRoundTrip(t *testing.T) {
	t.Setenv("DOSSIER_HOME", t.TempDir())
	src := t.TempDir()
	us := dcmfix.Pixels{Spec: dcmfix.Spec{PatientName: "MARPLE^JANE", PatientID: "PID-0042", Modality: "US", Rows: 600, Cols: 800, Extra: []dcmfix.Element{
		dcmfix.Str(dcmfix.T(0x0008, 0x0070), "LO", "Philips Medical Systems"),
		dcmfix.Str(dcmfix.T(0x0008, 0x1090), "LO", "iU22"),
	}}}
	usPath := filepath.Join(src, "us.dcm")
	os.WriteFile(usPath, dcmfix.PixelInstance(us), 0o644)
	sug := filepath.Join(t.TempDir(), "suggested.json")
	code, _, stderr := run(t, "deidentify", "--privacy", "anonymised", "--out", t.TempDir(), "--suggest-redactions", sug, src)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(sug)
	if err != nil {
		t.Fatal(err)
	}
	var boxes []map[string]any
	if err := json.Unmarshal(b, &boxes); err != nil || len(boxes) == 0 {
		t.Fatalf("suggestions %s (%v)", b, err)
	}
	if boxes[0]["path"] != usPath || boxes[0]["width"] != 800.0 || boxes[0]["height"] != 59.0 {
		t.Errorf("first suggestion %v", boxes[0])
	}
	out := t.TempDir()
	code, stdout, stderr := run(t, "deidentify", "--privacy", "anonymised", "--out", out, "--json", "--redactions", sug, "--include", usPath, src)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res struct{ Written []struct{ Name string } }
	json.Unmarshal([]byte(stdout), &res)
	if len(res.Written) != 1 {
		t.Fatalf("written %s", stdout)
	}
	w, _ := os.ReadFile(filepath.Join(out, filepath.FromSlash(res.Written[0].Name)))
	h, err := dicomx.ReadHeader(context.Background(), bytes.NewReader(w), int64(len(w)))
	if err != nil || h.BurnedInAnnotation != "NO" {
		t.Errorf("Burned In Annotation %q (%v)", h.BurnedInAnnotation, err)
	}
}

func TestRedactionsRefusesWhatCannotBeMasked(t *testing.T) {
	t.Setenv("DOSSIER_HOME", t.TempDir())
	src := deidCase(t) // two CT images and a PDF report
	red := filepath.Join(t.TempDir(), "boxes.json")
	// A BMP picture: its pixels are not masked (PDF pages are).
	bmpPath := filepath.Join(src, "photo.bmp")
	var pic bytes.Buffer
	bmp.Encode(&pic, image.NewGray(image.Rect(0, 0, 32, 32)))
	os.WriteFile(bmpPath, pic.Bytes(), 0o644)
	os.WriteFile(red, []byte(`[{"path":"`+bmpPath+`","page":1,"x":10,"y":10,"width":10,"height":10}]`), 0o644)
	code, _, stderr := run(t, "deidentify", "--privacy", "anonymised", "--out", t.TempDir(), "--redactions", red, "--include", bmpPath, src)
	if code != ExitUsage || !strings.Contains(stderr, "cannot black out") {
		t.Errorf("BMP boxes: exit %d: %s", code, stderr)
	}
}
