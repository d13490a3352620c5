package deid

import (
	"bytes"
	"context"
	"testing"

	"dossier/internal/fixture/docfix"
	"dossier/packager/leakscan"
)

// layersWithPlanted returns the places of the layers of a file (read by
// the leak scan's layer reader) that hold the planted name in any spelling.
func layersWithPlanted(t *testing.T, data []byte, format string) []string {
	t.Helper()
	var places []string
	err := leakscan.Layers(context.Background(), bytes.NewReader(data), int64(len(data)), format, leakscan.LayerLimits{}, func(l leakscan.Layer) error {
		if docfix.HasPlanted(string(l.Data)) {
			places = append(places, l.Place)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("reading the layers of a %s: %v", format, err)
	}
	return places
}

func pdfLayersHavePlanted(t *testing.T, data []byte) bool {
	t.Helper()
	places := layersWithPlanted(t, data, "pdf")
	if len(places) > 0 {
		t.Logf("layers with the name: %v", places)
	}
	return len(places) > 0
}
