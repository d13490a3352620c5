package ui

import "dossier/ui/internal/kit"

// Running text that wraps in Chinese between characters but never inside a Latin word: see
// ui/internal/kit/wrap.go.
const breakMark = kit.BreakMark

var (
	breakable             = kit.Breakable
	markBreaks            = kit.MarkBreaks
	unmarked              = kit.Unmarked
	newWrapLabel          = kit.NewWrapLabel
	newWrapLabelWithStyle = kit.NewWrapLabelWithStyle
	setWrapText           = kit.SetWrapText
	newWrapText           = kit.NewWrapText // selectable, and a Tab stop with a focus ring
)

type selectableText = kit.SelectableText
