package burnedin

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"dossier/internal/fixture/dcmfix"
	"dossier/packager/dicomwire"
	"dossier/packager/dicomx"
	"dossier/packager/pixelmask"
)

func TestKnownRegions(t *testing.T) {
	if !strings.Contains(Source(), "CTP") {
		t.Errorf("source %q", Source())
	}
	cases := []struct {
		man, model string
		rows, cols int
		want       []pixelmask.Box
	}{
		{"GE Healthcare", "LOGIQE9", 720, 960, []pixelmask.Box{{X: 0, Y: 0, Width: 960, Height: 70}}},
		{"Philips Medical Systems", "iU22", 600, 800, []pixelmask.Box{{X: 0, Y: 0, Width: 800, Height: 59}}},
		{"Philips Medical Systems", "iU22", 601, 800, nil},
		{"SIEMENS", "ACUSON Sequoia", 600, 800, []pixelmask.Box{{X: 0, Y: 0, Width: 800, Height: 43}, {X: 128, Y: 56, Width: 16, Height: 16}}},
		{"TOSHIBA_MEC_US", "TUS-A500", 720, 960, []pixelmask.Box{{X: 0, Y: 0, Width: 960, Height: 60}}},
		{"Unknown", "Nothing", 480, 640, nil},
	}
	for _, c := range cases {
		got := Known(c.man, c.model, c.rows, c.cols)
		if len(got) != len(c.want) {
			t.Errorf("%s %s %dx%d: %v, want %v", c.man, c.model, c.rows, c.cols, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s %s: %v, want %v", c.man, c.model, got, c.want)
			}
		}
	}
}

func TestSuggestFromDICOMHeader(t *testing.T) {
	s := dcmfix.Spec{Modality: "US", Rows: 600, Cols: 800, Extra: []dcmfix.Element{
		dcmfix.Str(dcmfix.W(dicomwire.NewTag(0x0008, 0x0070)), "LO", "Philips Medical Systems"),
		dcmfix.Str(dcmfix.W(dicomwire.NewTag(0x0008, 0x1090)), "LO", "iU22"),
	}}
	b := dcmfix.Instance(s)
	h, err := dicomx.ReadHeader(context.Background(), bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	got := Suggest(h)
	if len(got) != 1 || got[0] != (pixelmask.Box{Width: 800, Height: 59}) {
		t.Errorf("suggested %v", got)
	}
	s.Modality = "CT"
	b = dcmfix.Instance(s)
	h, _ = dicomx.ReadHeader(context.Background(), bytes.NewReader(b), int64(len(b)))
	if got := Suggest(h); got != nil {
		t.Errorf("CT: suggested %v", got)
	}
}
