package bundle

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"filippo.io/age"

	"dossier/internal/fixture/dcmfix"
	"dossier/internal/fixture/docfix"
	"dossier/internal/fixture/tifffix"
	"dossier/internal/testtool"
	"dossier/packager/deid"
	"dossier/packager/envelope"
	"dossier/packager/identity"
	"dossier/packager/intake"
	"dossier/packager/leakscan"
	"dossier/packager/privacy"
)

const testPassphrase = "correct horse battery staple orbit velvet quartz meadow"

// buildCase writes a mixed case: two CT series and an MR, a slide, PDFs, a
// photo and a text note.
func buildCase(t testing.TB) string {
	dir := t.TempDir()
	w := func(rel string, data []byte) {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	for st, mod := range []string{"CT", "MR"} {
		for se := 1; se <= 2; se++ {
			for i := 1; i <= 3; i++ {
				n++
				w(fmt.Sprintf("cd/DICOM/%s%d%d%d", mod, st, se, i), dcmfix.Instance(dcmfix.Spec{
					PatientName: "DOE^JANE", PatientID: "PID-0042", BirthDate: "19610203", Accession: "ACC-777",
					StudyUID: fmt.Sprintf("1.2.826.0.1.3680043.10.1999.5%d", st), SeriesUID: fmt.Sprintf("1.2.826.0.1.3680043.10.1999.5%d.%d", st, se),
					SOPUID: fmt.Sprintf("1.2.826.0.1.3680043.10.1999.5%d.%d.%d", st, se, i), Modality: mod, StudyDate: "2026011" + fmt.Sprint(st),
					SeriesNumber: se, InstanceNumber: i, Private: true, Compressed: se == 2,
				}))
			}
		}
	}
	w("slides/s1.svs", tifffix.SVS(tifffix.SVSOptions{BigTIFF: true}))
	w("reports/summary.pdf", docfix.PDF("Treatment summary", "FOLFOX, 6 cycles, partial response"))
	w("reports/pathology.pdf", docfix.PDF("Surgical pathology report for Jane Doe", "ER 90%"))
	w("photos/letter.jpg", docfix.JPEG(200, 150))
	w("notes.txt", []byte("Question for the reviewer: surgery first?\n"))
	return dir
}

func scanCase(t testing.TB, dir string) *intake.Inventory {
	inv, err := intake.Scan(context.Background(), []string{dir}, intake.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// testCover is a small cover writer standing in for the cover summary.
func testCover(ctx context.Context, w io.Writer, info CoverInfo) error {
	_, err := w.Write(docfix.PDF("Cover summary", "Privacy: "+string(info.Level), "Fingerprint: "+groups(info.Fingerprint)))
	return err
}

func params(t testing.TB, level privacy.Level) privacy.Params {
	secret := bytes.Repeat([]byte{7}, 32)
	p, err := privacy.NewParams(level, secret, "DOSSIER-TEST-CASE")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func pack(t *testing.T, inv *intake.Inventory, out Output, level privacy.Level) *Result {
	t.Helper()
	res, err := Pack(context.Background(), inv, out, Options{Params: params(t, level), Cover: testCover, Recipient: "test"})
	if err != nil {
		t.Fatalf("Pack: %v", err)
	}
	return res
}

func decrypt(t *testing.T, path string, ids ...age.Identity) io.Reader {
	t.Helper()
	rc, _, err := envelope.OpenVolumes(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rc.Close() })
	r, err := envelope.Decrypt(rc, ids...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func passID(t *testing.T) age.Identity {
	id, err := envelope.PassphraseIdentity(testPassphrase)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func sha(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

func TestPackIdentifiedOpensWithEverythingIntact(t *testing.T) {
	src := buildCase(t)
	inv := scanCase(t, src)
	outDir := t.TempDir()
	res := pack(t, inv, Output{Dir: outDir, Name: "dossier-test", Passphrase: testPassphrase}, privacy.Identified)
	if len(res.Files) != 2 || res.Fingerprint == "" {
		t.Fatalf("result %+v", res)
	}
	for _, f := range res.Files {
		if strings.Contains(filepath.Base(f), "partial") {
			t.Errorf("temporary name left: %s", f)
		}
	}
	if leftovers, _ := filepath.Glob(filepath.Join(outDir, ".*")); len(leftovers) != 0 {
		t.Errorf("hidden files left: %v", leftovers)
	}
	how, err := os.ReadFile(filepath.Join(outDir, "dossier-test.HOW-TO-OPEN.txt"))
	if err != nil || bytes.Contains(how, []byte("DOE")) || bytes.Contains(how, []byte("Jane")) {
		t.Errorf("HOW-TO-OPEN: %v %q", err, how)
	}

	// Open with Dossier.
	dest := t.TempDir()
	rep, err := Open(context.Background(), decrypt(t, filepath.Join(outDir, "dossier-test.age"), passID(t)), dest, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Fingerprint != res.Fingerprint || rep.Privacy != "identified" {
		t.Errorf("report %+v, fingerprint %s", rep, res.Fingerprint)
	}
	// Every original is byte-identical inside.
	for _, it := range res.Items {
		orig, _ := os.ReadFile(it.Path)
		got, err := os.ReadFile(filepath.Join(dest, filepath.FromSlash(it.Name)))
		if err != nil || !bytes.Equal(orig, got) {
			t.Errorf("%s -> %s not identical (%v)", it.Path, it.Name, err)
		}
	}
	// 12 DICOM, slide, 2 PDFs, photo, note.
	if len(res.Items) != 17 {
		t.Errorf("%d items written, want 17", len(res.Items))
	}
	for _, want := range []string{NameReadme, NameIndex, NameCover, NameManifest, NameMetadata, NameDICOMDIR} {
		if _, err := os.Stat(filepath.Join(dest, want)); err != nil {
			t.Errorf("%s missing", want)
		}
	}
	checkWithTools(t, dest, 12)

	// Opening again into the same folder refuses to overwrite.
	if _, err := Open(context.Background(), decrypt(t, filepath.Join(outDir, "dossier-test.age"), passID(t)), dest, false, nil); !errors.Is(err, ErrExists) {
		t.Errorf("second open: %v", err)
	}
}

// checkWithTools runs the independent tools on an extracted bundle.
func checkWithTools(t *testing.T, dir string, instances int) {
	t.Helper()
	cmd := exec.Command(testtool.Look(t, "sha256sum", "coreutils"), "-c", "--quiet", NameManifest)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("sha256sum -c: %v\n%s", err, out)
	}
	if out, err := exec.Command(testtool.Look(t, "dcmdump", "dcmtk"), filepath.Join(dir, NameDICOMDIR)).CombinedOutput(); err != nil || bytes.Contains(out, []byte("E: ")) {
		t.Errorf("dcmdump DICOMDIR: %v\n%s", err, out)
	}
	py := testtool.Python(t, "pydicom.fileset")
	script := `import sys
from pydicom import dcmread
from pydicom.fileset import FileSet
fs = FileSet(dcmread(sys.argv[1]))
n = 0
for inst in fs:
    ds = inst.load()
    n += 1
print(n)`
	out, err := exec.Command(py, "-c", script, filepath.Join(dir, NameDICOMDIR)).Output()
	if err != nil || strings.TrimSpace(string(out)) != fmt.Sprint(instances) {
		t.Errorf("pydicom FileSet listed %q (want %d): %v", out, instances, err)
	}
	if out, err := exec.Command(testtool.Look(t, "qpdf", "qpdf"), "--check", filepath.Join(dir, NameCover)).CombinedOutput(); err != nil {
		t.Errorf("qpdf --check COVER.PDF: %v\n%s", err, out)
	}
	if out, err := exec.Command(testtool.Look(t, "xmllint", "libxml2-utils"), "--noout", filepath.Join(dir, NameMetadata), filepath.Join(dir, NameIndex)).CombinedOutput(); err != nil {
		t.Errorf("xmllint: %v\n%s", err, out)
	}
}

func TestPackPseudonymisedLeaksNothing(t *testing.T) {
	src := buildCase(t)
	inv := scanCase(t, src)
	outDir := t.TempDir()
	res := pack(t, inv, Output{Dir: outDir, Name: "b", Passphrase: testPassphrase}, privacy.Pseudonymised)
	reviews := 0
	for _, d := range res.LeftOut {
		if d.Action == "review" {
			reviews++
		}
	}
	if reviews != 1 { // the photo may show identity
		t.Errorf("%d items left for review, want 1: %+v", reviews, res.LeftOut)
	}
	dest := t.TempDir()
	if _, err := Open(context.Background(), decrypt(t, filepath.Join(outDir, "b.age"), passID(t)), dest, false, nil); err != nil {
		t.Fatal(err)
	}
	// pathology.pdf names the patient: it is sent with the name removed,
	// and says so (kinds and counts).
	report := ""
	for _, it := range res.Items {
		if strings.HasSuffix(it.Path, "pathology.pdf") {
			report = it.Name
			if it.Action != deid.Redact || len(it.Redacted) == 0 || it.Redacted[0].Kind != "name" || it.Redacted[0].Count == 0 {
				t.Errorf("pathology.pdf written as %s, redacted %+v", it.Action, it.Redacted)
			}
		}
	}
	if report == "" {
		t.Fatalf("pathology.pdf is not in the bundle: %+v", res.LeftOut)
	}
	rp := filepath.Join(dest, filepath.FromSlash(report))
	if out, err := exec.Command(testtool.Look(t, "qpdf", "qpdf"), "--check", rp).CombinedOutput(); err != nil {
		t.Errorf("qpdf --check of the redacted report: %v\n%s", err, out)
	}
	text, err := exec.Command(testtool.Look(t, "pdftotext", "poppler-utils"), rp, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	if n := len(inv.Identity.Matcher().FindAll(string(text))); n != 0 || !strings.Contains(string(text), "Surgical pathology report for") || !strings.Contains(string(text), "ER 90%") {
		t.Errorf("redacted report: %d spellings left; text %q", n, text)
	}
	// With --no-redact it is held for review as before.
	held, err := Pack(context.Background(), inv, Output{Dir: t.TempDir(), Name: "c", Passphrase: testPassphrase}, Options{Params: params(t, privacy.Pseudonymised), Cover: testCover, Recipient: "test", NoRedact: true})
	if err != nil {
		t.Fatal(err)
	}
	reviews = 0
	for _, d := range held.LeftOut {
		if d.Action == deid.Review {
			reviews++
		}
	}
	if reviews != 2 {
		t.Errorf("no redaction: %d items left for review, want 2", reviews)
	}
	sc := leakscan.New(inv.Identity.Needles())
	filepath.WalkDir(dest, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := os.ReadFile(p)
		if hits := sc.Bytes(p, b); len(hits) > 0 {
			t.Errorf("leak: %v", hits)
		}
		return nil
	})
	checkWithTools(t, dest, 12)
}

func TestDebianAgeOpensIt(t *testing.T) {
	ageBin := testtool.Look(t, "age", "age")
	src := buildCase(t)
	inv := scanCase(t, src)
	identity, recipient := envelope.GenerateX25519()
	r, _, err := envelope.ParseRecipient(recipient)
	if err != nil {
		t.Fatal(err)
	}
	outDir := t.TempDir()
	pack(t, inv, Output{Dir: outDir, Name: "x", Recipients: []age.Recipient{r}, Split: 4096}, privacy.Identified)
	keyFile := filepath.Join(t.TempDir(), "key.txt")
	os.WriteFile(keyFile, []byte(identity+"\n"), 0o600)
	vols, _ := filepath.Glob(filepath.Join(outDir, "x.age.*"))
	if len(vols) < 3 {
		t.Fatalf("expected several volumes, got %v", vols)
	}
	zipPath := filepath.Join(t.TempDir(), "bundle.zip")
	cmd := exec.Command("sh", "-c", `cat "$1".age.0* | "$2" -d -i "$3" -o "$4"`, "sh", filepath.Join(outDir, "x"), ageBin, keyFile, zipPath)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cat | age -d: %v\n%s", err, out)
	}
	if out, err := exec.Command(testtool.Look(t, "unzip", "unzip"), "-t", zipPath).CombinedOutput(); err != nil {
		t.Errorf("unzip -t: %v\n%s", err, out)
	}
	dest := t.TempDir()
	if out, err := exec.Command("unzip", "-q", zipPath, "-d", dest).CombinedOutput(); err != nil {
		t.Fatalf("unzip: %v\n%s", err, out)
	}
	checkWithTools(t, dest, 12)
}

func TestVerifyFailures(t *testing.T) {
	src := buildCase(t)
	inv := scanCase(t, src)
	outDir := t.TempDir()
	pack(t, inv, Output{Dir: outDir, Name: "v", Passphrase: testPassphrase, Split: 8192}, privacy.Identified)
	vols, _ := filepath.Glob(filepath.Join(outDir, "v.age.*"))
	verify := func() error {
		rc, _, err := envelope.OpenVolumes(filepath.Join(outDir, "v.age.001"))
		if err != nil {
			return err
		}
		defer rc.Close()
		r, err := envelope.Decrypt(rc, passID(t))
		if err != nil {
			return err
		}
		_, err = Verify(context.Background(), r, VerifyOptions{})
		return err
	}
	if err := verify(); err != nil {
		t.Fatalf("intact bundle: %v", err)
	}
	// A flipped byte anywhere: in the header, the middle, the last volume.
	for _, at := range []struct {
		vol int
		off int64
	}{{0, 30}, {0, 200}, {len(vols) / 2, 4000}, {len(vols) - 1, 10}} {
		p := vols[at.vol]
		b, _ := os.ReadFile(p)
		if at.off >= int64(len(b)) {
			at.off = int64(len(b)) - 1
		}
		b[at.off] ^= 1
		os.WriteFile(p, b, 0o644)
		if err := verify(); err == nil {
			t.Errorf("flipped byte in %s at %d not detected", filepath.Base(p), at.off)
		}
		b[at.off] ^= 1
		os.WriteFile(p, b, 0o644)
	}
	// A missing volume.
	mid := vols[len(vols)/2]
	os.Rename(mid, mid+".away")
	if err := verify(); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("missing volume: %v", err)
	}
	os.Rename(mid+".away", mid)
	// A wrong passphrase.
	rc, _, _ := envelope.OpenVolumes(vols[0])
	wrong, _ := envelope.PassphraseIdentity("not the right words at all here")
	if _, err := envelope.Decrypt(rc, wrong); !errors.Is(err, envelope.ErrWrongKey) {
		t.Errorf("wrong passphrase: %v", err)
	}
	rc.Close()
}

func TestFolderForUSBStick(t *testing.T) {
	src := buildCase(t)
	inv := scanCase(t, src)
	outDir := t.TempDir()
	res := pack(t, inv, Output{Dir: outDir, Name: "DOSSIER", Folder: true}, privacy.Identified)
	rep, err := VerifyFolder(context.Background(), res.Files[0])
	if err != nil || rep.Fingerprint != res.Fingerprint {
		t.Fatalf("VerifyFolder: %+v %v", rep, err)
	}
	checkWithTools(t, res.Files[0], 12)
	// A changed file is found.
	os.WriteFile(filepath.Join(res.Files[0], "notes.txt"), nil, 0o644)
	victim := filepath.Join(res.Files[0], filepath.FromSlash(res.Items[0].Name))
	os.WriteFile(victim, []byte("changed"), 0o644)
	if _, err := VerifyFolder(context.Background(), res.Files[0]); !errors.Is(err, ErrMismatch) {
		t.Errorf("changed file: %v", err)
	}
	// A folder of the name already there is ErrExists, named without its path.
	_, err = Pack(context.Background(), inv, Output{Dir: outDir, Name: "DOSSIER", Folder: true}, Options{Params: params(t, privacy.Identified), Cover: testCover})
	if !errors.Is(err, ErrExists) || strings.Contains(err.Error(), outDir) {
		t.Errorf("existing folder: %v", err)
	}
}

func TestCancelLeavesNothing(t *testing.T) {
	src := buildCase(t)
	inv := scanCase(t, src)
	outDir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	_, err := Pack(ctx, inv, Output{Dir: outDir, Name: "c", Passphrase: testPassphrase}, Options{Params: params(t, privacy.Identified), Cover: testCover,
		Progress: func(p Progress) {
			if p.Done == 3 {
				cancel()
			}
		}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if entries, _ := os.ReadDir(outDir); len(entries) != 0 {
		t.Errorf("left behind after cancel: %v", entries)
	}
}

// TestKilledMidPack kills a packing process and checks that nothing is left
// under a final name (only temporary files, which CleanStale removes).
func TestKilledMidPack(t *testing.T) {
	if os.Getenv("DOSSIER_PACK_CHILD") != "" {
		childPack(t)
		return
	}
	outDir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKilledMidPack$")
	// The child's case is written in a folder of the parent's: a killed
	// child removes none of its own temporary folders.
	cmd.Env = append(os.Environ(), "DOSSIER_PACK_CHILD="+outDir, "DOSSIER_PACK_CHILD_SRC="+t.TempDir())
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until the child is writing, then kill it.
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if m, _ := filepath.Glob(filepath.Join(outDir, envelope.PartialPrefix+"*")); len(m) > 1 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	entries, _ := os.ReadDir(outDir)
	if len(entries) == 0 {
		t.Fatal("the child wrote nothing before it was killed; the test proves nothing")
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), envelope.PartialPrefix) {
			t.Errorf("a file under a final name after a kill: %s", e.Name())
		}
	}
}

// childPack packs a case slowly (a large slide) for TestKilledMidPack.
func childPack(t *testing.T) {
	outDir := os.Getenv("DOSSIER_PACK_CHILD")
	src := os.Getenv("DOSSIER_PACK_CHILD_SRC")
	big := filepath.Join(src, "big.svs")
	os.WriteFile(big, tifffix.SVS(tifffix.SVSOptions{}), 0o644)
	for i := 0; i < 400; i++ {
		os.WriteFile(filepath.Join(src, fmt.Sprintf("r%03d.txt", i)), bytes.Repeat([]byte("clinic letter text\n"), 20000), 0o644)
	}
	inv := scanCase(t, src)
	Pack(context.Background(), inv, Output{Dir: outDir, Name: "killed", Passphrase: testPassphrase}, Options{Params: params(t, privacy.Identified), Cover: testCover})
}

func TestMain(m *testing.M) {
	// scrypt at its real cost takes about a second per bundle; the tests
	// check behaviour, not the cost.
	envelope.ScryptWorkFactor = 12
	os.Exit(m.Run())
}

// TestFullDiskLeavesNothing packs into a 1 MiB tmpfs. Mounting needs root;
// elsewhere (or where mounting is not allowed) the test says so and skips.
func TestFullDiskLeavesNothing(t *testing.T) {
	dir := testtool.SmallDisk(t, 1<<20)
	src := buildCase(t)
	// More than the disk holds.
	os.WriteFile(filepath.Join(src, "long-notes.txt"), bytes.Repeat([]byte("a long clinic letter\n"), 200000), 0o644)
	inv := scanCase(t, src)
	_, err := Pack(context.Background(), inv, Output{Dir: dir, Name: "full", Passphrase: testPassphrase}, Options{Params: params(t, privacy.Identified), Cover: testCover})
	if !errors.Is(err, envelope.ErrDiskFull) {
		t.Fatalf("err = %v, want ErrDiskFull", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("left on the full disk: %v", entries)
	}
	// The folder form too.
	_, err = Pack(context.Background(), inv, Output{Dir: dir, Name: "stick", Folder: true}, Options{Params: params(t, privacy.Identified), Cover: testCover})
	if err == nil {
		t.Fatal("packing a folder onto a full disk succeeded")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("left on the full disk: %v", entries)
	}
}

// TestPackHoldsALeakingRecordAndSendsTheRest plants, as the case's
// identity, words that the slide de-identifier keeps in the slide's
// description (its scanner software): the leak scan must find them in the
// written slide, hold that slide back with where and what it found, and
// send everything else, in an encrypted bundle and in a folder alike.
func TestPackHoldsALeakingRecordAndSendsTheRest(t *testing.T) {
	src := buildCase(t)
	inv := scanCase(t, src)
	inv.Identity.Add(identity.Specimen, "Aperio Image Library", "a test token")
	for _, folder := range []bool{false, true} {
		outDir := t.TempDir()
		out := Output{Dir: outDir, Name: "b", Passphrase: testPassphrase}
		if folder {
			out = Output{Dir: outDir, Name: "b", Folder: true}
		}
		res := pack(t, inv, out, privacy.Pseudonymised)
		var held []deid.Decision
		for _, d := range res.LeftOut {
			if d.Action == deid.Held {
				held = append(held, d)
			}
		}
		if len(held) != 1 || !strings.HasSuffix(held[0].Path, "s1.svs") {
			t.Fatalf("folder=%v: held %+v", folder, held)
		}
		h := held[0]
		if len(h.Leaks) == 0 || h.Leaks[0].Kind != identity.Specimen || h.Leaks[0].Source != "a test token" || h.Leaks[0].Place == "" {
			t.Errorf("leaks = %+v", h.Leaks)
		}
		if strings.Contains(h.Reason.String(), "Aperio") || strings.Contains(h.Reason.String(), "byte") {
			t.Errorf("the reason quotes the value or an offset: %s", h.Reason)
		}
		for _, it := range res.Items {
			if strings.HasPrefix(it.Name, "SLIDES/") {
				t.Errorf("the held slide was written: %+v", it)
			}
		}
		if len(res.Items) < 12 {
			t.Errorf("only %d items sent", len(res.Items))
		}
		dest := filepath.Join(outDir, "b")
		if !folder {
			dest = t.TempDir()
			if _, err := Open(context.Background(), decrypt(t, filepath.Join(outDir, "b.age"), passID(t)), dest, false, nil); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := os.Stat(filepath.Join(dest, "SLIDES")); err == nil {
			t.Error("the bundle has a SLIDES folder")
		}
		if _, err := VerifyFolder(context.Background(), dest); err != nil {
			t.Errorf("the bundle without the held slide does not verify: %v", err)
		}
	}
}
