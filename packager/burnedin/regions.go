package burnedin

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"dossier/assets"
	"dossier/packager/dicomx"
	"dossier/packager/pixelmask"
)

// Machine is one entry of the known ultrasound header regions
// (assets/ultrasound/regions.json).
type Machine struct {
	// Manufacturer and Model match when the image's Manufacturer and
	// Manufacturer's Model Name contain them, ignoring case (an empty
	// Manufacturer matches any).
	Manufacturer string `json:"manufacturer"`
	Model        string `json:"model"`
	// Rows and Columns, when not 0, must equal the image's.
	Rows    int `json:"rows"`
	Columns int `json:"columns"`
	// Regions are x, y, width, height in pixels from the top left.
	Regions [][4]int `json:"regions"`
}

type regionFile struct {
	Source   string    `json:"source"`
	Machines []Machine `json:"machines"`
}

var loadRegions = sync.OnceValues(func() (regionFile, error) {
	var f regionFile
	b, err := assets.Ultrasound.ReadFile("ultrasound/regions.json")
	if err != nil {
		return f, fmt.Errorf("burnedin: %w", err)
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return f, fmt.Errorf("burnedin: ultrasound regions: %w", err)
	}
	return f, nil
})

// Source names the public source of the known regions.
func Source() string {
	f, _ := loadRegions()
	return f.Source
}

// Known returns the known burned-in regions of images of rows×columns
// pixels from the machine named by manufacturer and model (for every
// frame: Frame 0), or nil.
func Known(manufacturer, model string, rows, columns int) []pixelmask.Box {
	f, err := loadRegions()
	if err != nil {
		return nil
	}
	man, mod := strings.ToUpper(manufacturer), strings.ToUpper(model)
	var out []pixelmask.Box
	for _, m := range f.Machines {
		switch {
		case m.Model == "" || !strings.Contains(mod, strings.ToUpper(m.Model)):
		case m.Manufacturer != "" && !strings.Contains(man, strings.ToUpper(m.Manufacturer)):
		case m.Rows != 0 && m.Rows != rows, m.Columns != 0 && m.Columns != columns:
		default:
			for _, r := range m.Regions {
				out = append(out, pixelmask.Box{X: r[0], Y: r[1], Width: r[2], Height: r[3]})
			}
		}
	}
	return out
}

// Suggest returns the known burned-in regions for a DICOM image: those
// of its machine when it is an ultrasound image (modality US), else nil.
func Suggest(h *dicomx.Header) []pixelmask.Box {
	if !strings.EqualFold(strings.TrimSpace(h.Modality), "US") {
		return nil
	}
	return Known(h.Manufacturer, h.ManufacturerModelName, h.Rows, h.Columns)
}
