package bundle

import (
	"bytes"
	"context"
	"encoding/xml"
	"image"
	"image/png"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"dossier/internal/testtool"
	"dossier/packager/cover"
	"dossier/packager/i18n"
	"dossier/packager/intake"
	"dossier/packager/privacy"
)

// indexLinks parses INDEX.HTM as the XHTML it is and returns every href and src, failing on a
// script element or attribute (the page must work with scripts off).
func indexLinks(t *testing.T, page []byte) []string {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(page))
	d.Strict = true
	d.Entity = xml.HTMLEntity
	var links []string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("INDEX.HTM is not well-formed XHTML: %v", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if se.Name.Local == "script" {
			t.Error("INDEX.HTM has a script")
		}
		for _, a := range se.Attr {
			if strings.HasPrefix(strings.ToLower(a.Name.Local), "on") {
				t.Errorf("INDEX.HTM has a script attribute %s", a.Name.Local)
			}
			if a.Name.Local == "href" || a.Name.Local == "src" {
				links = append(links, a.Value)
			}
		}
	}
	return links
}

// chromium runs headless Chromium with args, as root can (no sandbox), with its own profile.
func chromium(t *testing.T, args ...string) []byte {
	t.Helper()
	bin := testtool.Look(t, "chromium", "chromium")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	all := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
		"--disable-dev-shm-usage", "--hide-scrollbars", "--user-data-dir=" + t.TempDir()}, args...)
	cmd := exec.CommandContext(ctx, bin, all...)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return out.Bytes()
}

// TestIndexInABrowser writes a bundle as a folder and opens its INDEX.HTM in headless Chromium:
// every link and picture is a file of the bundle, the page has no scripts, it shows the question,
// the documents, a picture per imaging series and the slide, and what was left out, and at 1024
// pixels wide it needs no horizontal scrolling (measured by a separate driver page, which may run
// a script, around the page in a frame). The screenshot is kept with DOSSIER_INDEX_SHOT=FILE
// (scripts/screenshots.sh puts it in docs/).
func TestIndexInABrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Chromium")
	}
	dir := buildCase(t)
	os.WriteFile(filepath.Join(dir, "autorun.inf"), []byte("[autorun]\r\nopen=viewer.exe\r\n"), 0o644)
	inv := scanCase(t, dir)
	out := t.TempDir()
	opts := Options{Params: params(t, privacy.Identified), Cover: testCover, Recipient: "test",
		Categories: map[string]string{filepath.Join(dir, "reports", "pathology.pdf"): "pathology"},
		Index: IndexText{Questions: []string{"Is surgery first the right choice, or should chemotherapy come first?"},
			Documents: map[string]IndexDocument{filepath.Join(dir, "reports", "pathology.pdf"): {Date: "2026-01-14", Title: "Surgical pathology report"}},
			Clinical: func(info CoverInfo) *cover.Clinical {
				doc := info.Names[filepath.Join(dir, "reports", "pathology.pdf")]
				return &cover.Clinical{
					Diagnoses: []cover.ClinicalFact{{What: "Invasive carcinoma of no special type (ductal), left breast, Nottingham grade 2", Date: "2026-01-14",
						Document: doc, Page: 1, Quote: "DIAGNOSIS: Left breast, core biopsy: invasive carcinoma of no special type (ductal), grade 2"}},
					Stages: []cover.ClinicalFact{{What: "cT2 cN1 M0 Stage IIB", Document: doc, Page: 1, Quote: "cT2 cN1 M0 (clinical stage IIB)", Checked: cover.CheckedConfirmed}},
					Biomarkers: []cover.ClinicalMarker{
						{Marker: "ER", Result: "positive", Value: "90%", Method: "IHC (SP1)", Date: "2026-01-14", Document: doc, Page: 1, Quote: "ER 90%"},
						{Marker: "HER2", Result: "equivocal", Value: "2+", Method: "IHC (4B5)", Date: "2026-01-14", Document: doc, Page: 1,
							Quote: "HER2 (4B5) score 1+ (negative)", Checked: cover.CheckedCorrected}},
					Timeline: []cover.ClinicalFact{{What: "biopsy: Left breast 2 o'clock, ultrasound-guided core biopsy x 3", Date: "2026-01-14", Document: doc, Page: 1,
						Quote: "Date of procedure: 14/01/2026"}},
				}
			}}}
	if _, err := Pack(context.Background(), inv, Output{Dir: out, Name: "b", Folder: true}, opts); err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(out, "b")
	page, err := os.ReadFile(filepath.Join(root, NameIndex))
	if err != nil {
		t.Fatal(err)
	}
	links := indexLinks(t, page)
	pictures := 0
	for _, l := range links {
		u, err := url.Parse(l)
		if err != nil || u.IsAbs() || u.Host != "" || strings.HasPrefix(l, "/") || strings.Contains(l, "..") {
			t.Errorf("link %q is not a relative link inside the bundle", l)
			continue
		}
		if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(u.Path))); err != nil {
			t.Errorf("link %q: %v", l, err)
		}
		if strings.HasSuffix(l, ".PNG") {
			pictures++
		}
	}
	text := string(page)
	for _, want := range []string{"<style", "Is surgery first the right choice", "Pathology report", "Left out, and why", "autorun.inf", "Slides", "images",
		"Clinical summary", "cT2 cN1 M0 Stage IIB", "corrected by the sender", `<td class="date">2026-01-14</td>`, ">Surgical pathology report</a>"} {
		if !strings.Contains(text, want) {
			t.Errorf("INDEX.HTM lacks %q", want)
		}
	}
	if pictures < 3 { // the series that can be pictured, and the slide
		t.Errorf("%d pictures", pictures)
	}

	// No horizontal scrolling at 1024 px: a driver page (not part of the bundle) measures the
	// page in a 1024-pixel frame and writes what it found into its own DOM, which Chromium dumps.
	driver := filepath.Join(t.TempDir(), "driver.html")
	indexURL := (&url.URL{Scheme: "file", Path: filepath.ToSlash(filepath.Join(root, NameIndex))}).String()
	os.WriteFile(driver, []byte(`<!DOCTYPE html><html><body style="margin:0">
<iframe id="f" src="`+indexURL+`" style="width:1024px;height:700px;border:0"></iframe>
<pre id="r">pending</pre>
<script>
document.getElementById("f").onload = function () {
  var d = document.getElementById("f").contentDocument.documentElement;
  document.getElementById("r").textContent = "scrollWidth=" + d.scrollWidth + " clientWidth=" + d.clientWidth;
};
</script></body></html>`), 0o600)
	dom := string(chromium(t, "--allow-file-access-from-files", "--virtual-time-budget=10000", "--dump-dom",
		(&url.URL{Scheme: "file", Path: filepath.ToSlash(driver)}).String()))
	m := regexp.MustCompile(`scrollWidth=(\d+) clientWidth=(\d+)`).FindStringSubmatch(dom)
	if m == nil {
		t.Fatalf("the driver page measured nothing:\n%s", dom)
	}
	sw, _ := strconv.Atoi(m[1])
	cw, _ := strconv.Atoi(m[2])
	if cw < 1000 || sw > cw {
		t.Errorf("at 1024 px the page is %d px wide in a %d px window: it scrolls sideways", sw, cw)
	}

	// A screenshot, 1024 wide, that shows a page drawn with its pictures.
	shot := filepath.Join(t.TempDir(), "index.png")
	chromium(t, "--window-size=1024,1400", "--screenshot="+shot, indexURL)
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 1024 || colourCount(img) < 50 {
		t.Errorf("screenshot %v with %d colours", b, colourCount(img))
	}
	if keep := os.Getenv("DOSSIER_INDEX_SHOT"); keep != "" {
		b, _ := os.ReadFile(shot)
		if err := os.WriteFile(keep, b, 0o644); err != nil {
			t.Error(err)
		}
	}
}

func colourCount(img image.Image) int {
	seen := map[[3]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			r, g, bl, _ := img.At(x, y).RGBA()
			seen[[3]uint32{r, g, bl}] = true
		}
	}
	return len(seen)
}

// TestIndexCounts: INDEX.HTM counts images with the form the number takes, in English and Chinese.
func TestIndexCounts(t *testing.T) {
	ct := &intake.Item{Modality: "CT", StudyInstanceUID: "1.2", SeriesInstanceUID: "1.2.3"}
	info := treeInfo{Level: privacy.Pseudonymised, Language: "en",
		Studies: []studyLine{{Modalities: "CT", Series: 1, Images: 1, Folder: "DICOM/ST000001"}},
		Files:   []fileEntry{{Name: "DICOM/ST000001/SE000001/IM000001", Item: ct}}}
	page := string(index(info))
	for _, want := range []string{"1 series, 1 image, in the folder DICOM/ST000001.", "CT: 1 image"} {
		if !strings.Contains(page, want) {
			t.Errorf("English INDEX.HTM lacks %q", want)
		}
	}
	info.Studies[0].Images = 3
	if page := string(index(info)); !strings.Contains(page, "1 series, 3 images, in the folder") {
		t.Error("English INDEX.HTM does not say 3 images")
	}
	if a, b := size(i18n.MustLoad("en"), 1), size(i18n.MustLoad("en"), 999); a != "1 byte" || b != "999 bytes" {
		t.Errorf("sizes %q, %q", a, b)
	}
	if got := size(i18n.MustLoad("zh-Hans"), 3); got != "3 字节" {
		t.Errorf("Chinese size %q", got)
	}
	info.Language = "zh-Hans"
	if page := string(index(info)); !strings.Contains(page, "1 个序列，3 幅图像，位于文件夹 DICOM/ST000001。") || !strings.Contains(page, "CT：1 幅图像") {
		t.Error("Chinese INDEX.HTM does not count the images")
	}
}

// TestReadmeCounts: README.TXT counts files and studies with the form the number takes.
func TestReadmeCounts(t *testing.T) {
	one := treeInfo{Level: privacy.Pseudonymised, Files: []fileEntry{{Name: "a"}}, Studies: []studyLine{{}}}
	if got := string(readme(one)); !strings.Contains(got, "\r\n1 file; 1 imaging study.\r\n") {
		t.Errorf("one file and study:\n%s", got)
	}
	two := treeInfo{Level: privacy.Pseudonymised, Files: []fileEntry{{Name: "a"}, {Name: "b"}}}
	if got := string(readme(two)); !strings.Contains(got, "\r\n2 files; 0 imaging studies.\r\n") {
		t.Errorf("two files, no study:\n%s", got)
	}
}
