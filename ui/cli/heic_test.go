package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"dossier/internal/fixture/docfix"
	"dossier/packager/deid"
)

// --convert-heic is the consent to convert HEIC photos that cannot be
// cleaned in place: without it such a photo is left out with a reason that
// names the flag; with it the plan tries the converter (the fixture's
// picture is not real HEVC, so it is then left out as unconvertible, or as
// needing the converter when none is installed).
func TestDeidentifyConvertHEIC(t *testing.T) {
	t.Setenv("DOSSIER_HOME", t.TempDir())
	src := t.TempDir()
	os.WriteFile(filepath.Join(src, "IMG_0001.heic"), docfix.HEIC(docfix.HEICParts{Exif: docfix.PlantedName, Extra: "uuid"}), 0o644)
	os.WriteFile(filepath.Join(src, "IMG_0002.heic"), docfix.HEIC(docfix.HEICParts{Exif: docfix.PlantedName}), 0o644)
	withConverter := deid.ReasonHEICUnconvertible()
	if deid.HEICConverter() == "" {
		withConverter = deid.ErrNoHEICConverter.Error()
	}
	for _, c := range []struct {
		args   []string
		reason string
	}{
		{nil, deid.ReasonHEICConvert()},
		{[]string{"--convert-heic"}, withConverter},
	} {
		args := append([]string{"deidentify", "--privacy", "anonymised", "--patient-name", docfix.PlantedName, "--out", t.TempDir(), "--json"}, c.args...)
		code, stdout, stderr := run(t, append(args, src)...)
		if code != ExitOK {
			t.Fatalf("%v: exit %d: %s", c.args, code, stderr)
		}
		var res deidJSON
		if err := json.Unmarshal([]byte(stdout), &res); err != nil {
			t.Fatalf("%v\n%s", err, stdout)
		}
		reasons := map[string]string{}
		for _, l := range res.LeftOut {
			reasons[filepath.Base(l.Path)] = l.Action + ": " + l.Reason
		}
		if reasons["IMG_0001.heic"] != "exclude: "+c.reason {
			t.Errorf("%v: the photo that cannot be cleaned in place: %q", c.args, reasons["IMG_0001.heic"])
		}
		if reasons["IMG_0002.heic"] == "" || reasons["IMG_0002.heic"][:6] != "review" {
			t.Errorf("%v: the photo cleaned in place: %q", c.args, reasons["IMG_0002.heic"])
		}
	}
}
