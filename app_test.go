package main

import (
	"context"
	"encoding/json"
	"image"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"dossier/internal/fixture/dcmfix"
	"dossier/internal/fixture/docfix"
	"dossier/internal/testtool"
	"dossier/ui"
)

// TestMain lets the test binary be the desktop app itself, for TestRealApp: with DOSSIER_TEST_APP
// set, it runs the app on the paths in DOSSIER_TEST_PATHS instead of the tests; with
// DOSSIER_TEST_CLI set it is the dossier program, arguments and all.
func TestMain(m *testing.M) {
	if os.Getenv("DOSSIER_TEST_APP") == "1" {
		os.Exit(runDesktop(filepath.SplitList(os.Getenv("DOSSIER_TEST_PATHS"))))
	}
	if os.Getenv("DOSSIER_TEST_CLI") == "1" { // the dossier program itself, for howto_test.go
		main()
	}
	code := m.Run()
	if builtDir != "" { // the program dossierBinary built, once for all tests
		os.RemoveAll(builtDir)
	}
	os.Exit(code)
}

// caseFolder writes a small case: a CT series on a "CD" and a pathology report.
func caseFolder(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "records")
	files := map[string][]byte{
		"reports/pathology.pdf": docfix.PDF("SURGICAL PATHOLOGY REPORT", "Final diagnosis: adenocarcinoma of the lung",
			"Immunohistochemistry: TTF-1 positive. PD-L1 tumour proportion score 60%."),
	}
	for i := 1; i <= 3; i++ {
		files["CD/DICOM/IM"+string(rune('0'+i))] = dcmfix.Instance(dcmfix.Spec{Modality: "CT", StudyUID: "1.2.826.0.1.3680043.10.1999.42",
			SeriesUID: "1.2.826.0.1.3680043.10.1999.42.1", InstanceNumber: i, StudyDate: "20260901",
			PatientName: "Doe^Jane", PatientID: "PID0001", BirthDate: "19610203"})
	}
	return testtool.WriteTree(t, dir, files)
}

// runApp starts the real app (this test binary, see TestMain) under Xvfb on a case folder, in the
// language of the LANGUAGE value given. Once the app has written what its window shows, a picture of
// the screen is taken with ImageMagick's import and the app is stopped.
func runApp(t *testing.T, xvfb, imagemagick, dir, language string) (ui.SceneReport, image.Image) {
	t.Helper()
	work := t.TempDir()
	report, shot := filepath.Join(work, "scene.json"), filepath.Join(work, "screen.png")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	const script = `"$0" -test.run='^$' & pid=$!
i=0
while [ ! -s "$1" ] && kill -0 $pid 2>/dev/null && [ $i -lt 900 ]; do sleep 0.2; i=$((i+1)); done
[ -s "$1" ] && sleep 1 && "$3" -window root "$2"
kill $pid 2>/dev/null; wait $pid; exit 0`
	cmd := exec.CommandContext(ctx, xvfb, "-a", "-s", "-screen 0 1280x800x24", "sh", "-c", script, os.Args[0], report, shot, imagemagick)
	cmd.Env = append(os.Environ(), "DOSSIER_TEST_APP=1", "DOSSIER_TEST_PATHS="+dir, "DOSSIER_SCREENSHOT=case",
		"DOSSIER_SCENE_REPORT="+report, "DOSSIER_HOME="+filepath.Join(work, "home"), "XDG_CONFIG_HOME="+filepath.Join(work, "config"),
		"LANGUAGE="+language, "LANG=en_US.UTF-8", "LC_ALL=", "LC_MESSAGES=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the app under Xvfb: %v\n%s", err, out)
	}
	b, err := os.ReadFile(report)
	if err != nil {
		t.Fatalf("the app wrote no report: %v\n%s", err, out)
	}
	var rep ui.SceneReport
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("no picture of the screen: %v\n%s", err, out)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("the screen's picture: %v", err)
	}
	if d := os.Getenv("DOSSIER_KEEP_SHOT"); d != "" {
		f.Seek(0, 0)
		if b, err := io.ReadAll(f); err == nil {
			_ = os.WriteFile(filepath.Join(d, "realapp-"+rep.Language+".png"), b, 0o644)
		}
	}
	return rep, img
}

// colours counts the distinct colours of a picture, up to max.
func colours(img image.Image, max int) int {
	seen := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[[4]uint32{r, g, bl, a}] = true
			if len(seen) >= max {
				return max
			}
		}
	}
	return len(seen)
}

func contains(list []string, sub string) bool {
	return slices.ContainsFunc(list, func(s string) bool { return strings.Contains(s, sub) })
}

// TestRealApp starts the real app, with its OpenGL driver, under Xvfb with a case folder as its
// argument, in English and in Chinese: it shows the case, its inventory and its checklist (as the
// app reports them), and the screen shows the window drawn.
func TestRealApp(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the app under Xvfb")
	}
	xvfb := testtool.Look(t, "xvfb-run", "xvfb")
	testtool.Look(t, "xauth", "xauth")
	imagemagick := testtool.Look(t, "import", "imagemagick")
	dir := caseFolder(t)
	for _, c := range []struct {
		language, lang, caseName, imaging, reports, pathology string
	}{
		{"en", "en", "Jane Doe", "Imaging · 1 study · 3 images", "Reports and documents · 1 file", "Pathology report: Ready"},
		{"zh_CN", "zh-Hans", "Jane Doe", "影像 · 1 项检查 · 3 幅图像", "报告和文件 · 1 个文件", "病理报告: 已齐备"},
	} {
		t.Run(c.lang, func(t *testing.T) {
			rep, img := runApp(t, xvfb, imagemagick, dir, c.language)
			if rep.Language != c.lang || !strings.HasPrefix(rep.Case, c.caseName) {
				t.Errorf("language %q, case %q", rep.Language, rep.Case)
			}
			for _, want := range []string{c.imaging, c.reports} {
				if !contains(rep.Inventory, want) {
					t.Errorf("inventory lacks %q: %q", want, rep.Inventory)
				}
			}
			if !contains(rep.Checklist, c.pathology) || len(rep.Checklist) < 8 {
				t.Errorf("checklist lacks %q: %q", c.pathology, rep.Checklist)
			}
			// The window is drawn: text in many shades, not an empty screen.
			if b := img.Bounds(); b.Dx() != 1280 || b.Dy() != 800 {
				t.Errorf("screen picture %v", b)
			}
			if n := colours(img, 64); n < 32 {
				t.Errorf("the screen has %d colours: the window was not drawn", n)
			}
		})
	}
}
