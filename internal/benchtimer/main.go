//go:build linux

// Command benchtimer is `make bench`: it times the built dossier binary as whole processes, the way a
// user runs it (with its output written and its own case store), against the baseline programs on
// the same files in the same run, and prints each ratio and memory figure with its target.
//
//	go run ./internal/benchtimer -bin PATH/TO/dossier [-scale full|small] [-runs N] [-profile DIR]
//
// It runs on Linux only (wait4's peak memory, sync, Xvfb and the Debian baseline tools).
//
// Contenders are run interleaved (A, B, A, B, ...) after one untimed warm-up run each, so that both
// meet the same page cache and the same background load; the figures are medians. Peak resident
// memory is the kernel's (wait4's rusage ru_maxrss) for each dossier process.
//
// The data sets (internal/benchdata) are written once into $BENCH_DATA, or dossier-bench in the
// user's cache folder, and reused. BENCH_SCALE=small (or -scale small) uses small sets and one run,
// to check the benchmark itself; its targets are shown but not enforced.
//
// It exits 1 when a target is missed (full scale), when a baseline program is missing or fails,
// and when dossier fails; in CI and elsewhere alike, so a regression or a dropped comparison is
// never silent.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"filippo.io/age"

	"dossier/internal/benchdata"
)

func main() {
	bin := flag.String("bin", "", "the dossier binary to time (built with the release tags)")
	scaleName := flag.String("scale", os.Getenv("BENCH_SCALE"), "full or small (default $BENCH_SCALE, else full)")
	runs := flag.Int("runs", 0, "timed runs of each contender (default 5, small scale 1)")
	dataRoot := flag.String("data", "", "where the data sets are kept (default $BENCH_DATA, else the user's cache folder)")
	profileDir := flag.String("profile", "", "after timing, run each dossier command once more with DOSSIER_CPUPROFILE and DOSSIER_TRACE into this folder and print the top functions")
	noApp := flag.Bool("no-app", false, "leave out the desktop app's first-window time")
	prepare := flag.Bool("prepare", false, "only write the data sets (into the cache), time nothing")
	appShot := flag.String("app-shot", "", "write the app's first frame, as xwd took it, to this file")
	only := flag.String("only", "", "time only these works, comma-separated (version, scan, deidentify, pack, redact, scale, app), e.g. for an A/B check while changing one; the targets of the others are not checked")
	redactData := flag.String("redact-data", "", "")
	redactFrames := flag.Int("redact-frames", 100, "")
	flag.Parse()
	if *redactData != "" { // the redaction work's files, written by a child (see redact)
		if err := writeRedactData(*redactData, *redactFrames); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	scale, err := benchdata.ScaleNamed(*scaleName)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if *prepare {
		root := *dataRoot
		if root == "" {
			if root, err = benchdata.DefaultRoot(); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
		}
		sets, err := benchdata.Ensure(context.Background(), root, scale, func(f string, a ...any) { fmt.Printf("data: "+f+"\n", a...) })
		if err != nil {
			fmt.Fprintf(os.Stderr, "bench: %v\n", err)
			os.Exit(1)
		}
		fmt.Print(sets.Describe())
		return
	}
	if *bin == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: benchtimer -bin DOSSIER [-scale full|small] [-runs N] [-data DIR] [-profile DIR] [-no-app] [-app-shot FILE]")
		os.Exit(2)
	}
	if *runs <= 0 {
		*runs = 5
		if scale.Name != "full" {
			*runs = 1
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	b := &bench{bin: *bin, scale: scale, runs: *runs, app: !*noApp, appShot: *appShot, enforce: scale.Name == "full", out: os.Stdout}
	if *only != "" {
		b.only = map[string]bool{}
		for _, w := range strings.Split(*only, ",") {
			w = strings.TrimSpace(w)
			if !slices.Contains(works, w) {
				fmt.Fprintf(os.Stderr, "bench: -only: unknown work %q (one of %s)\n", w, strings.Join(works, ", "))
				os.Exit(2)
			}
			b.only[w] = true
		}
		b.app = b.app && b.only["app"]
	}
	if err := b.main(ctx, *dataRoot, *profileDir); err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		os.Exit(1)
	}
	if b.failed() {
		os.Exit(1)
	}
}

// bench holds one run of the benchmark.
type bench struct {
	bin     string
	scale   benchdata.Scale
	runs    int
	app     bool
	appShot string
	enforce bool // full scale: a missed target fails
	out     io.Writer
	only    map[string]bool // -only: the works timed (nil: all)

	work   string // temporary: outputs, the case store
	home   string // DOSSIER_HOME
	sets   benchdata.Sets
	checks []check
	tools  map[string]string

	scanRSS   int64  // peak resident memory of the CD's scan
	recipient string // the age recipient the bundles are encrypted to
}

// check is one figure with its target.
type check struct {
	what   string
	value  float64
	unit   string // "×", "ms", "MiB"
	limit  float64
	ok     bool
	failed string // set when it could not be measured
	detail string // the medians behind a ratio
	beside string // a figure printed beside, not judged (the ratio as the programs return)
}

func (b *bench) failed() bool {
	for _, c := range b.checks {
		if c.failed != "" || (!c.ok && b.enforce) {
			return true
		}
	}
	return false
}

func (b *bench) printf(format string, a ...any) { fmt.Fprintf(b.out, format, a...) }

func (b *bench) main(ctx context.Context, dataRoot, profileDir string) error {
	abs, err := filepath.Abs(b.bin)
	if err != nil {
		return err
	}
	b.bin = abs
	if err := b.findTools(); err != nil {
		return err
	}
	b.printf("%s\n", machine())
	if dataRoot == "" {
		if dataRoot, err = benchdata.DefaultRoot(); err != nil {
			return err
		}
	}
	t0 := time.Now()
	b.sets, err = benchdata.Ensure(ctx, dataRoot, b.scale, func(f string, a ...any) { b.printf("data: "+f+"\n", a...) })
	if err != nil {
		return err
	}
	b.printf("data sets (%s scale, ready in %.0f s):\n%s", b.scale.Name, time.Since(t0).Seconds(), b.sets.Describe())
	b.work, err = os.MkdirTemp("", "dossier-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(b.work)
	b.home = filepath.Join(b.work, "home")
	if err := os.Mkdir(b.home, 0o700); err != nil {
		return err
	}
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return err
	}
	b.recipient = id.Recipient().String()
	b.printf("runs: %d timed runs of each contender, interleaved, after one untimed warm-up run each; medians\n", b.runs)
	if !b.enforce {
		b.printf("small scale: targets are shown, not enforced\n")
	}

	steps := []func(context.Context) error{b.version, b.scan, b.deidentify, b.pack, b.redact, b.scale30k, b.firstWindow}
	for i, step := range steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		if !b.timed(works[i]) {
			continue
		}
		if err := step(ctx); err != nil {
			return err
		}
	}
	b.printf("\n%s\n", loadLine())
	b.summary()
	b.markdown()
	if profileDir != "" {
		return b.profile(ctx, profileDir)
	}
	return nil
}

// works are the names of the timed works, in the order they run (-only picks some).
var works = []string{"version", "scan", "deidentify", "pack", "redact", "scale", "app"}

// timed reports whether the work called name is timed in this run.
func (b *bench) timed(name string) bool {
	if name == "app" && !b.app {
		return false
	}
	return b.only == nil || b.only[name]
}

// findTools looks up the baseline programs (and Xvfb and the X tools the app's figure needs); any
// missing is an error, so no comparison is dropped silently.
func (b *bench) findTools() error {
	need := []string{"gdcmscanner", "gdcmanon", "openssl", "cp", "tar", "age"}
	if b.app {
		need = append(need, "Xvfb", "xwininfo", "xwd")
	}
	b.tools = map[string]string{}
	var missing []string
	for _, n := range need {
		p, err := exec.LookPath(n)
		if err != nil {
			missing = append(missing, n)
			continue
		}
		b.tools[n] = p
	}
	if len(missing) > 0 {
		return fmt.Errorf("baseline programs missing: %s (on Debian: scripts/setup-debian.sh bench installs them: libgdcm-tools, openssl, age, xvfb, x11-utils, x11-apps)", strings.Join(missing, ", "))
	}
	return nil
}

// sample is one timed run.
type sample struct {
	wall time.Duration
	disk time.Duration // the sync of the run's output after it returned (settle; 0 when not synced)
	rss  int64         // peak resident bytes of the timed process (0 when not measured)
	// own is the bench's own peak resident bytes when the process ended. Go starts a process with
	// vfork, sharing the bench's memory until exec, and Linux carries that memory's peak into the
	// new program's: a figure no larger than own may be the bench's, not the command's.
	own int64
}

// contender is one program timed in a comparison. run does one run (i < 0 for the warm-up), times
// it, and cleans up after itself untimed.
type contender struct {
	name string
	// once: no warm-up run (a long run on data just read by another)
	once    bool
	run     func(ctx context.Context, i int) (sample, error)
	samples []sample
}

// interleave runs each contender once untimed, then runs times each in turn.
func (b *bench) interleave(ctx context.Context, runs int, cs ...*contender) error {
	for _, c := range cs {
		if c.once {
			continue
		}
		if _, err := c.run(ctx, -1); err != nil {
			return fmt.Errorf("%s (warm-up): %w", c.name, err)
		}
		syscall.Sync()
	}
	for i := range runs {
		for _, c := range cs {
			s, err := c.run(ctx, i)
			if err != nil {
				return fmt.Errorf("%s: %w", c.name, err)
			}
			c.samples = append(c.samples, s)
			syscall.Sync() // what one wrote is on disk before the next starts
		}
	}
	for _, c := range cs {
		b.printf("  %-44s %s\n", c.name, describe(c.samples))
	}
	return nil
}

func describe(s []sample) string {
	walls := make([]float64, len(s))
	for i, x := range s {
		walls[i] = x.wall.Seconds()
	}
	m := median(walls)
	line := fmt.Sprintf("median %s", seconds(m))
	if len(s) > 1 {
		line += fmt.Sprintf(" (%s … %s)", seconds(slices.Min(walls)), seconds(slices.Max(walls)))
	}
	if d := medianOnDisk(s); len(s) > 0 && d != m {
		line += fmt.Sprintf(", on disk %s", seconds(d))
	}
	if rss := peakRSS(s); rss > 0 {
		line += fmt.Sprintf("   peak RSS %.1f MiB", mib(rss))
	}
	return line
}

func seconds(s float64) string {
	if s < 1 {
		return fmt.Sprintf("%.0f ms", s*1000)
	}
	return fmt.Sprintf("%.2f s", s)
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }

// median of xs (the mean of the middle two when even).
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if n := len(s); n%2 == 1 {
		return s[n/2]
	} else {
		return (s[n/2-1] + s[n/2]) / 2
	}
}

func medianWall(s []sample) float64 {
	return medianOf(s, func(x sample) time.Duration { return x.wall })
}

// medianOf is the median, in seconds, of the time d gives for each sample.
func medianOf(s []sample, d func(sample) time.Duration) float64 {
	w := make([]float64, len(s))
	for i, x := range s {
		w[i] = d(x).Seconds()
	}
	return median(w)
}

// ratio records dossier's median over the baseline's, against at most limit.
func (b *bench) ratio(what string, ours, theirs *contender, limit float64) {
	r := medianWall(ours.samples) / medianWall(theirs.samples)
	b.add(check{what: what, value: r, unit: "×", limit: limit, ok: r <= limit,
		detail: fmt.Sprintf("%s / %s", seconds(medianWall(ours.samples)), seconds(medianWall(theirs.samples)))})
}

func (b *bench) add(c check) {
	b.checks = append(b.checks, c)
	b.printf("  => %s\n", c.line(b.enforce))
}

func (c check) line(enforce bool) string {
	if c.failed != "" {
		return fmt.Sprintf("%-58s NOT MEASURED: %s", c.what, c.failed)
	}
	verdict := "ok"
	if !c.ok {
		verdict = "MISSED"
		if !enforce {
			verdict = "missed (not enforced)"
		}
	}
	v, l := c.figures()
	line := fmt.Sprintf("%-58s %10s   target %-10s %s", c.what, v, l, verdict)
	if c.beside != "" {
		line += fmt.Sprintf("   (%s)", c.beside)
	}
	return line
}

// figures returns the value and the target as text.
func (c check) figures() (v, l string) {
	switch c.unit {
	case "×":
		v, l = fmt.Sprintf("%.2f×", c.value), fmt.Sprintf("≤ %.2f×", c.limit)
	case "ms":
		v, l = fmt.Sprintf("%.1f ms", c.value), fmt.Sprintf("< %.0f ms", c.limit)
	case "MiB":
		v, l = fmt.Sprintf("%.1f MiB", c.value), fmt.Sprintf("≤ %.1f MiB", c.limit)
	}
	return v, l
}

// markdown prints the figures as a table for the README.
func (b *bench) markdown() {
	b.printf("\n| figure | measured | medians (Dossier / baseline) | target | met |\n|---|---|---|---|---|\n")
	for _, c := range b.checks {
		v, l := c.figures()
		met := "yes"
		switch {
		case c.failed != "":
			v, met = "not measured", c.failed
		case !c.ok:
			met = "**no**"
		}
		detail := c.detail
		if c.beside != "" {
			detail += "; " + c.beside
		}
		b.printf("| %s | %s | %s | %s | %s |\n", strings.ReplaceAll(c.what, "|", "\\|"), v, strings.ReplaceAll(detail, "|", "\\|"), l, met)
	}
}

func (b *bench) summary() {
	b.printf("\nsummary (%s scale, %d runs):\n", b.scale.Name, b.runs)
	for _, c := range b.checks {
		b.printf("  %s\n", c.line(b.enforce))
	}
	switch {
	case b.failed():
		b.printf("FAIL: a target was missed or a figure could not be measured\n")
	case !b.enforce:
		b.printf("done (small scale: targets not enforced)\n")
	default:
		b.printf("PASS: every target met\n")
	}
}

// dossierEnv is the environment dossier runs in: its own case store, English.
func (b *bench) dossierEnv(extra ...string) []string {
	env := append(os.Environ(), "DOSSIER_HOME="+b.home, "LANG=en_US.UTF-8", "LC_ALL=", "LANGUAGE=")
	return append(env, extra...)
}

// run times one process, its standard output written to stdout (or discarded when "").
func run(ctx context.Context, env []string, stdout string, name string, args ...string) (sample, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = env
	var errb tailBuffer
	cmd.Stderr = &errb
	if stdout != "" {
		f, err := os.Create(stdout)
		if err != nil {
			return sample{}, err
		}
		defer f.Close()
		cmd.Stdout = f
	}
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return sample{}, fmt.Errorf("%s %s: %w\n%s", filepath.Base(name), strings.Join(args, " "), err, errb.String())
	}
	return sample{wall: wall, rss: maxRSS(cmd.ProcessState), own: ownPeak()}, nil
}

// tailBuffer keeps the last 4 KiB written to it.
type tailBuffer struct{ b []byte }

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > 4096 {
		t.b = t.b[len(t.b)-4096:]
	}
	return len(p), nil
}

func (t *tailBuffer) String() string { return string(t.b) }

// version: `dossier version`, absolute.
func (b *bench) version(ctx context.Context) error {
	b.printf("\n`dossier version` (start-up), %d runs\n", 4*b.runs+1)
	c := &contender{name: "dossier version", run: func(ctx context.Context, i int) (sample, error) {
		return run(ctx, b.dossierEnv(), "", b.bin, "version")
	}}
	if err := b.interleave(ctx, 4*b.runs+1, c); err != nil {
		return err
	}
	ms := medianWall(c.samples) * 1000
	b.add(check{what: "dossier version", value: ms, unit: "ms", limit: 30, ok: ms < 30})
	return nil
}

// gdcmTags are the four attributes gdcmscanner reads: the patient's name and ID, the study and
// series UIDs.
var gdcmTags = []string{"-t", "0010,0010", "-t", "0010,0020", "-t", "0020,000d", "-t", "0020,000e"}

// scan: `dossier scan --json` of the CD against gdcmscanner reading 4 tags of every file.
func (b *bench) scan(ctx context.Context) error {
	b.printf("\nscan: a CD of %d files (%.0f MB) with a DICOMDIR\n", b.sets.CDFiles, float64(b.sets.CDBytes)/1e6)
	out := filepath.Join(b.work, "scan.json")
	ours := &contender{name: "dossier scan --json", run: func(ctx context.Context, i int) (sample, error) {
		s, err := run(ctx, b.dossierEnv(), out, b.bin, "scan", "--json", b.sets.CD)
		if err == nil && i < 0 {
			err = checkScan(out, b.sets.CDFiles)
		}
		return s, err
	}}
	theirs := &contender{name: "gdcmscanner -r -p, 4 tags", run: func(ctx context.Context, i int) (sample, error) {
		return run(ctx, os.Environ(), filepath.Join(b.work, "gdcmscanner.txt"), b.tools["gdcmscanner"], append([]string{"-d", b.sets.CD, "-r", "-p"}, gdcmTags...)...)
	}}
	if err := b.interleave(ctx, b.runs, ours, theirs); err != nil {
		return err
	}
	b.ratio("scan --json / gdcmscanner", ours, theirs, 0.8)
	b.scanRSS = peakRSS(ours.samples)
	b.memory("scan peak RSS (a CD)", ours.samples, 128)
	return nil
}

// deidentify: `dossier deidentify --privacy pseudonymised` of the CT against `gdcmanon -e` (which
// also encrypts the replaced attributes into the file, with a certificate) and `cp -r`.
func (b *bench) deidentify(ctx context.Context) error {
	b.printf("\nde-identify: a CT series of %d slices of 512x512 (%.0f MB)\n", b.sets.CTFiles, float64(b.sets.CTBytes)/1e6)
	key, cert := filepath.Join(b.work, "key.pem"), filepath.Join(b.work, "cert.pem")
	if _, err := run(ctx, os.Environ(), "", b.tools["openssl"], "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=bench", "-days", "2",
		"-keyout", key, "-out", cert); err != nil {
		return err
	}
	outDir := func(who string, i int) string { return filepath.Join(b.work, fmt.Sprintf("%s-%d", who, i+1)) }
	ours := &contender{name: "dossier deidentify --privacy pseudonymised", run: func(ctx context.Context, i int) (sample, error) {
		out := outDir("deid", i)
		s, err := run(ctx, b.dossierEnv(), filepath.Join(b.work, "deid.txt"), b.bin, "deidentify", "--privacy", "pseudonymised", "--out", out, b.sets.CT)
		s, err = settle(s, err, b.work)
		if err == nil && i < 0 {
			if n, _, cerr := benchdata.Count(out); cerr != nil || n < b.sets.CTFiles {
				err = fmt.Errorf("deidentify wrote %d files of %d (%v)", n, b.sets.CTFiles, cerr)
			}
		}
		return s, errors.Join(err, os.RemoveAll(out))
	}}
	gdcm := &contender{name: "gdcmanon -e", run: func(ctx context.Context, i int) (sample, error) {
		out := outDir("gdcmanon", i)
		if err := os.Mkdir(out, 0o755); err != nil {
			return sample{}, err
		}
		s, err := run(ctx, os.Environ(), "", b.tools["gdcmanon"], "-e", "-c", cert, "-i", b.sets.CT, "-o", out)
		s, err = settle(s, err, b.work)
		if err == nil && i < 0 {
			if n, _, cerr := benchdata.Count(out); cerr != nil || n != b.sets.CTFiles {
				err = fmt.Errorf("gdcmanon wrote %d files of %d (%v)", n, b.sets.CTFiles, cerr)
			}
		}
		return s, errors.Join(err, os.RemoveAll(out))
	}}
	cp := &contender{name: "cp -r", run: func(ctx context.Context, i int) (sample, error) {
		out := outDir("cp", i)
		s, err := run(ctx, os.Environ(), "", b.tools["cp"], "-r", b.sets.CT, out)
		s, err = settle(s, err, b.work)
		return s, errors.Join(err, os.RemoveAll(out))
	}}
	if err := b.interleave(ctx, b.runs, ours, gdcm, cp); err != nil {
		return err
	}
	b.diskRatio("deidentify / gdcmanon -e", ours, gdcm, 0.8)
	b.diskRatio("deidentify / cp -r", ours, cp, 2.5)
	return nil
}

// pack: `dossier pack --privacy pseudonymised --recipient age1...` of the mixed case (its inventory
// scan, checklist, de-identification, leak scan, cover, ZIP, encryption and read-back included)
// against `tar -c | age -r` of the same folder.
func (b *bench) pack(ctx context.Context) error {
	b.printf("\npack: a mixed case of %d files (%.0f MB, a BigTIFF slide among them)\n", b.sets.MixedFiles, float64(b.sets.MixedBytes)/1e6)
	recipient := b.recipient
	ours := &contender{name: "dossier pack --privacy pseudonymised --recipient", run: func(ctx context.Context, i int) (sample, error) {
		return b.runPack(ctx, recipient, b.sets.Mixed, i)
	}}
	theirs := &contender{name: "tar -c | age -r", run: func(ctx context.Context, i int) (sample, error) {
		out := filepath.Join(b.work, fmt.Sprintf("tar-%d.tar.age", i+1))
		s, err := tarAge(ctx, b.tools["tar"], b.tools["age"], b.sets.Mixed, recipient, out)
		s, err = settle(s, err, b.work)
		return s, errors.Join(err, os.Remove(out))
	}}
	if err := b.interleave(ctx, b.runs, ours, theirs); err != nil {
		return err
	}
	b.diskRatio("pack / tar|age", ours, theirs, 1.5)
	b.memory("pack peak RSS", ours.samples, 128)
	return nil
}

// runPack packs src into a bundle in the work folder and removes what it wrote.
func (b *bench) runPack(ctx context.Context, recipient, src string, i int) (sample, error) {
	dir := filepath.Join(b.work, fmt.Sprintf("pack-%d", i+1))
	if err := os.Mkdir(dir, 0o755); err != nil {
		return sample{}, err
	}
	s, err := run(ctx, b.dossierEnv(), filepath.Join(b.work, "pack.txt"), b.bin, "pack", "--privacy", "pseudonymised", "--recipient", recipient,
		"--out", filepath.Join(dir, "case.age"), src)
	s, err = settle(s, err, dir)
	if err == nil {
		if _, size, cerr := benchdata.Count(dir); cerr != nil || size < 1<<20 {
			err = fmt.Errorf("pack wrote %d bytes (%v)", size, cerr)
		}
	}
	return s, errors.Join(err, os.RemoveAll(dir))
}

// tarAge times `tar -c -C src . | age -r recipient -o out`, both processes, start to last exit.
func tarAge(ctx context.Context, tarBin, ageBin, src, recipient, out string) (sample, error) {
	tar := exec.CommandContext(ctx, tarBin, "-c", "-C", src, ".")
	enc := exec.CommandContext(ctx, ageBin, "-r", recipient, "-o", out)
	var e1, e2 tailBuffer
	tar.Stderr, enc.Stderr = &e1, &e2
	pr, pw, err := os.Pipe()
	if err != nil {
		return sample{}, err
	}
	tar.Stdout, enc.Stdin = pw, pr
	start := time.Now()
	if err := tar.Start(); err != nil {
		pr.Close()
		pw.Close()
		return sample{}, err
	}
	err = enc.Start()
	pw.Close()
	pr.Close()
	if err != nil {
		tar.Process.Kill()
		tar.Wait()
		return sample{}, err
	}
	err1, err2 := tar.Wait(), enc.Wait()
	wall := time.Since(start)
	if err1 != nil || err2 != nil {
		return sample{}, fmt.Errorf("tar | age: %v %v\n%s%s", err1, err2, e1.String(), e2.String())
	}
	return sample{wall: wall}, nil
}

// scale30k: scan and pack the large case (ten CDs); peak resident memory at most twice the CD's scan.
func (b *bench) scale30k(ctx context.Context) error {
	b.printf("\nscale: %d CDs, %d files (%.0f MB)\n", b.scale.Copies, b.sets.LargeFiles, float64(b.sets.LargeBytes)/1e6)
	runs := min(b.runs, 3)
	scan := &contender{name: "dossier scan --json", run: func(ctx context.Context, i int) (sample, error) {
		out := filepath.Join(b.work, "scan-large.json")
		s, err := run(ctx, b.dossierEnv(), out, b.bin, "scan", "--json", b.sets.Large)
		if err == nil && i < 0 {
			err = checkScan(out, b.sets.LargeFiles)
		}
		return s, err
	}}
	// -only scale: the CD's scan was not timed; its memory is the reference. It runs before the large
	// scans: a figure that came after them read as the large scan's (99 MiB for the CD at 18:00).
	if b.scanRSS == 0 {
		s, err := run(ctx, b.dossierEnv(), filepath.Join(b.work, "scan.json"), b.bin, "scan", "--json", b.sets.CD)
		if err != nil {
			return err
		}
		if why := inherited([]sample{s}); why != "" {
			return fmt.Errorf("the CD's scan, the reference: %s", why)
		}
		b.scanRSS = s.rss
		b.printf("  %-44s peak RSS %.1f MiB (one run, the reference)\n", "dossier scan --json (the CD)", mib(s.rss))
	}
	if err := b.interleave(ctx, runs, scan); err != nil {
		return err
	}
	limit := 2 * mib(b.scanRSS)
	b.memory(fmt.Sprintf("scan peak RSS, %d files (2× the CD's)", b.sets.LargeFiles), scan.samples, limit)
	pack := &contender{name: "dossier pack --privacy pseudonymised --recipient", once: true, run: func(ctx context.Context, i int) (sample, error) {
		return b.runPack(ctx, b.recipient, b.sets.Large, i)
	}}
	if err := b.interleave(ctx, 1, pack); err != nil {
		return err
	}
	b.memory(fmt.Sprintf("pack peak RSS, %d files (2× the CD's scan)", b.sets.LargeFiles), pack.samples, limit)
	return nil
}

// machine describes where the figures come from.
func machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		if f := strings.Fields(string(b)); len(f) > 1 && f[0] == "MemTotal:" {
			if kb, err := strconv.ParseInt(f[1], 10, 64); err == nil {
				mem = fmt.Sprintf(", %.0f GiB", float64(kb)/(1<<20))
			}
		}
	}
	return fmt.Sprintf("machine: %d cores (%s)%s, %s/%s, %s; %s; %s", runtime.NumCPU(), model, mem, runtime.GOOS, runtime.GOARCH,
		time.Now().UTC().Format("2006-01-02 15:04 UTC"), runtime.Version(), loadLine())
}

// loadLine is the load average, with a warning when other work shares the machine.
func loadLine() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "load average unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "load average unknown"
	}
	line := "load average " + strings.Join(f[:3], " ")
	if l, err := strconv.ParseFloat(f[0], 64); err == nil && l > 0.75*float64(runtime.NumCPU()) {
		line += " (WARNING: the machine is busy; these figures are not reliable)"
	}
	return line
}

// commands returns the name and dossier arguments of each profiled command.
func (b *bench) commands(dir string) [][]string {
	return [][]string{
		{"scan", "scan", "--json", b.sets.CD},
		{"deidentify", "deidentify", "--privacy", "pseudonymised", "--out", filepath.Join(dir, "deid-out"), b.sets.CT},
		{"pack", "pack", "--privacy", "pseudonymised", "--recipient", b.recipient, "--out", filepath.Join(dir, "pack-out", "case.age"), b.sets.Mixed},
	}
}

// profile runs each command once more with DOSSIER_CPUPROFILE and DOSSIER_TRACE and prints where
// the CPU time went (go tool pprof -top).
func (b *bench) profile(ctx context.Context, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	b.printf("\nprofiles in %s (go tool pprof -http=: %s PROFILE; go tool trace TRACE)\n", dir, b.bin)
	for _, c := range b.commands(dir) {
		name := c[0]
		os.RemoveAll(filepath.Join(dir, "deid-out"))
		os.RemoveAll(filepath.Join(dir, "pack-out"))
		os.MkdirAll(filepath.Join(dir, "pack-out"), 0o755)
		prof, tr := filepath.Join(dir, name+".pprof"), filepath.Join(dir, name+".trace")
		s, err := run(ctx, b.dossierEnv("DOSSIER_CPUPROFILE="+prof, "DOSSIER_TRACE="+tr), filepath.Join(dir, name+".out"), b.bin, c[1:]...)
		if err != nil {
			return err
		}
		b.printf("\n%s (%s, peak RSS %.1f MiB)\n", name, seconds(s.wall.Seconds()), mib(s.rss))
		for _, how := range [][]string{{"-top", "-nodecount=15"}, {"-top", "-cum", "-nodecount=25"}} {
			top, err := exec.CommandContext(ctx, "go", append(append([]string{"tool", "pprof"}, how...), b.bin, prof)...).CombinedOutput()
			if err != nil {
				return fmt.Errorf("go tool pprof: %w\n%s", err, top)
			}
			// Leave out pprof's header (file, build ID, time) down to its "Duration:" line.
			if i := bytes.Index(top, []byte("Duration:")); i >= 0 {
				top = top[i:]
			}
			b.printf("%s\n", bytes.TrimSpace(top))
		}
	}
	os.RemoveAll(filepath.Join(dir, "deid-out"))
	os.RemoveAll(filepath.Join(dir, "pack-out"))
	return nil
}
