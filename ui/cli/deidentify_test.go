package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dossier/internal/fixture/dcmfix"
	"dossier/internal/fixture/docfix"
	"dossier/internal/fixture/tifffix"
)

func deidCase(t *testing.T) string {
	dir := t.TempDir()
	write := func(rel string, data []byte) {
		p := filepath.Join(dir, rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, data, 0o644)
	}
	for i, sop := range []string{"1.2.826.0.1.3680043.10.1999.9.1.1", "1.2.826.0.1.3680043.10.1999.9.1.2"} {
		write("cd/IM"+string(rune('1'+i)), dcmfix.Instance(dcmfix.Spec{PatientName: "DOE^JANE", PatientID: "PID-0042", BirthDate: "19610203",
			StudyUID: "1.2.826.0.1.3680043.10.1999.9", SeriesUID: "1.2.826.0.1.3680043.10.1999.9.1", SOPUID: sop, Modality: "CT", Private: true}))
	}
	write("report.pdf", docfix.PDF("Pathology report for Jane Doe"))
	return dir
}

type deidJSON struct {
	Privacy string `json:"privacy"`
	Written []struct {
		Path, Name string
	} `json:"written"`
	LeftOut []struct {
		Path, Action, Reason string
	} `json:"leftOut"`
	Pseudonym string `json:"pseudonym"`
}

func TestDeidentifyPseudonymisedIsRepeatable(t *testing.T) {
	t.Setenv("DOSSIER_HOME", t.TempDir())
	src := deidCase(t)
	var first deidJSON
	var firstBytes []byte
	for i := 0; i < 2; i++ {
		out := t.TempDir()
		code, stdout, stderr := run(t, "deidentify", "--privacy", "pseudonymised", "--out", out, "--json", src)
		if code != ExitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		var res deidJSON
		if err := json.Unmarshal([]byte(stdout), &res); err != nil {
			t.Fatalf("%v\n%s", err, stdout)
		}
		if len(res.Written) != 3 || len(res.LeftOut) != 0 || !strings.HasPrefix(res.Pseudonym, "DOSSIER-") { // report.pdf is redacted
			t.Fatalf("result %+v", res)
		}
		b, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(res.Written[0].Name)))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "DOE^JANE") || !strings.Contains(string(b), res.Pseudonym) {
			t.Error("the output does not carry the pseudonym instead of the name")
		}
		if i == 0 {
			first, firstBytes = res, b
		} else if res.Pseudonym != first.Pseudonym || string(b) != string(firstBytes) {
			t.Error("a second export of the same patient gave a different pseudonym or different bytes")
		}
	}
}

func TestDeidentifyIncludeAndUsage(t *testing.T) {
	t.Setenv("DOSSIER_HOME", t.TempDir())
	src := deidCase(t)
	out := t.TempDir()
	code, stdout, stderr := run(t, "deidentify", "--privacy", "anonymised", "--no-redact", "--out", out, "--include", filepath.Join(src, "report.pdf"), src)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "Wrote 3 files (anonymised)") || !strings.Contains(stdout, "included by your choice") {
		t.Errorf("output:\n%s", stdout)
	}
	for _, args := range [][]string{
		{"deidentify", "--out", out, src},
		{"deidentify", "--privacy", "secret", "--out", out, src},
		{"deidentify", "--privacy", "anonymised", src},
	} {
		if code, _, _ := run(t, args...); code != ExitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, ExitUsage)
		}
	}
	// A second run into the same folder refuses to overwrite, before any work.
	if code, _, stderr := run(t, "deidentify", "--privacy", "anonymised", "--out", out, src); code != ExitUsage || !strings.Contains(stderr, "not empty") {
		t.Errorf("second run into a full folder: exit %d, %s", code, stderr)
	}
}

func TestDeidentifyNeedsSomeIdentity(t *testing.T) {
	t.Setenv("DOSSIER_HOME", t.TempDir())
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "report.pdf"), docfix.PDF("Pathology report for Jane Marie Doe", "Seen by J. Doe's GP"), 0o644)
	code, _, stderr := run(t, "deidentify", "--privacy", "anonymised", "--out", t.TempDir(), dir)
	if code != ExitFailure || !strings.Contains(stderr, "does not know who the patient is") || !strings.Contains(stderr, "hint: add --patient-name") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if code, _, stderr := run(t, "deidentify", "--privacy", "anonymised", "--birth-date", "9 May", "--out", t.TempDir(), dir); code != ExitUsage {
		t.Errorf("a birth date that is not one: exit %d: %s", code, stderr)
	}
	// Given on the command line, the name is looked for: the report names
	// her (without the middle name, too); with --no-redact it needs a
	// decision.
	out := t.TempDir()
	code, stdout, stderr := run(t, "deidentify", "--privacy", "anonymised", "--no-redact", "--patient-name", "Doe^Jane^Marie", "--birth-date", "1961-02-03", "--patient-id", "PID-0042", "--json", "--out", out, dir)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res deidJSON
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.LeftOut) != 1 || res.LeftOut[0].Action != "review" || !strings.Contains(res.LeftOut[0].Reason, "name") || len(res.Written) != 0 {
		t.Errorf("result %+v", res)
	}
}

// TestDeidentifyRedactsAndCounts: by default a report naming the patient
// is written with the name removed, and --json says what was removed by
// kind and count, never the values.
func TestDeidentifyRedactsAndCounts(t *testing.T) {
	t.Setenv("DOSSIER_HOME", t.TempDir())
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "report.pdf"), docfix.PDF("Pathology report for Jane Marie Doe", "Seen by J. Doe's GP", "Born 1961-02-03"), 0o644)
	out := t.TempDir()
	code, stdout, stderr := run(t, "deidentify", "--privacy", "anonymised", "--patient-name", "Doe^Jane^Marie", "--birth-date", "1961-02-03", "--json", "--out", out, dir)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res struct {
		Written []struct {
			Action   string
			Redacted []struct {
				Kind  string
				Count int
			}
		} `json:"written"`
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Written) != 1 || res.Written[0].Action != "redact" {
		t.Fatalf("result %s", stdout)
	}
	got := map[string]int{}
	for _, r := range res.Written[0].Redacted {
		got[r.Kind] = r.Count
	}
	if got["name"] != 2 || got["birthDate"] != 1 || got["boxes"] < 3 || got["glyphs"] == 0 {
		t.Errorf("redacted %v, want 2 names, 1 birth date, 3 boxes or more, glyphs", got)
	}
	for _, v := range []string{"Jane", "Doe", "1961"} {
		if strings.Contains(stdout, v) {
			t.Errorf("the JSON quotes %q", v)
		}
	}
}

// TestDeidentifyHoldsALeakingFile: when the final leak scan finds the
// patient's identity in a written copy, that file is left out with where
// and what was found (as data with --json), and the rest is written.
// The "identity" here is text the slide de-identifier keeps (the scanner
// software in the slide's description), so the slide must be held.
func TestDeidentifyHoldsALeakingFile(t *testing.T) {
	t.Setenv("DOSSIER_HOME", t.TempDir())
	src := deidCase(t)
	os.WriteFile(filepath.Join(src, "slide.svs"), tifffix.SVS(tifffix.SVSOptions{}), 0o644)
	out := t.TempDir()
	code, stdout, stderr := run(t, "deidentify", "--privacy", "anonymised", "--patient-id", "Aperio Image Library", "--json", "--out", out, src)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res struct {
		Written []struct{ Path string } `json:"written"`
		LeftOut []struct {
			Path, Action, Reason string
			Leaks                []struct{ Place, Kind, Source string }
		} `json:"leftOut"`
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatal(err)
	}
	held := 0
	for _, d := range res.LeftOut {
		if d.Action != "held" {
			continue
		}
		held++
		if !strings.HasSuffix(d.Path, "slide.svs") || len(d.Leaks) == 0 || d.Leaks[0].Kind != "id" || d.Leaks[0].Source != "command line" || d.Leaks[0].Place == "" {
			t.Errorf("held %+v", d)
		}
		if strings.Contains(d.Reason, "Aperio") {
			t.Errorf("the reason quotes the value: %s", d.Reason)
		}
	}
	if held != 1 || len(res.Written) != 3 { // 2 images and report.pdf, redacted
		t.Errorf("held %d, written %d: %s", held, len(res.Written), stdout)
	}
	code, stdout, _ = run(t, "deidentify", "--privacy", "anonymised", "--patient-id", "Aperio Image Library", "--out", t.TempDir(), src)
	if code != ExitOK || !strings.Contains(stdout, "found the patient's hospital number in") || strings.Contains(stdout, "Aperio Image Library") {
		t.Errorf("exit %d:\n%s", code, stdout)
	}
}

// TestPackRedactsUnlessNoRedact: pack sends the report naming the patient
// redacted (--json says so, by kind and count); with --no-redact it is
// left for review.
func TestPackRedactsUnlessNoRedact(t *testing.T) {
	t.Setenv("DOSSIER_HOME", t.TempDir())
	src := deidCase(t)
	type packJSON struct {
		Items []struct {
			Path, Action string
			Redacted     []struct {
				Kind  string
				Count int
			}
		} `json:"items"`
		LeftOut []struct{ Path, Action string } `json:"leftOut"`
	}
	for _, noRedact := range []bool{false, true} {
		args := []string{"pack", "--privacy", "anonymised", "--json", "--folder", filepath.Join(t.TempDir(), "b")}
		if noRedact {
			args = append(args, "--no-redact")
		}
		code, stdout, stderr := run(t, append(args, src)...)
		if code != ExitOK {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		var res packJSON
		if err := json.Unmarshal([]byte(stdout), &res); err != nil {
			t.Fatalf("%v\n%s", err, stdout)
		}
		redacted, review := false, false
		for _, it := range res.Items {
			if strings.HasSuffix(it.Path, "report.pdf") && it.Action == "redact" && len(it.Redacted) > 0 && it.Redacted[0].Count > 0 {
				redacted = true
			}
			for _, r := range it.Redacted { // kinds and counts, never the values
				if r.Kind == "" || strings.Contains(r.Kind, "Jane") || strings.Contains(r.Kind, "Doe") {
					t.Errorf("%s: redacted %+v", it.Path, r)
				}
			}
		}
		for _, d := range res.LeftOut {
			if strings.HasSuffix(d.Path, "report.pdf") && d.Action == "review" {
				review = true
			}
		}
		if redacted == noRedact || review != noRedact {
			t.Errorf("--no-redact %v: report.pdf redacted %v, held for review %v:\n%s", noRedact, redacted, review, stdout)
		}
	}
}
