package assets

import "embed"

// Ultrasound holds the known header regions of ultrasound machines, where
// the patient's details are burned into the pixels
// (ultrasound/regions.json, with its public source named in the file).
//
//go:embed ultrasound/*.json
var Ultrasound embed.FS
