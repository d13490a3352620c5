package ui

import (
	"context"

	"dossier/ui/internal/kit"
)

// The widgets and helpers the main window shares with the send wizard (ui/export) live in
// ui/internal/kit; these are their names in this package.
type (
	runner     = kit.Runner
	job        = kit.Job
	button     = kit.Button
	textArea   = kit.TextArea
	panel      = kit.Panel
	tabSwitch  = kit.TabSwitch
	radioGroup = kit.RadioGroup
	problem    = kit.Problem
	errorBox   = kit.ErrorBox
)

var (
	newRunner         = kit.NewRunner
	newButton         = kit.NewButton
	newButtonWithIcon = kit.NewButtonWithIcon
	newTextArea       = kit.NewTextArea
	newPanel          = kit.NewPanel
	newTabSwitch      = kit.NewTabSwitch
	newErrorBox       = kit.NewErrorBox
	explain           = kit.Explain
	toWindow          = kit.ToWindow
	dialogKeys        = kit.DialogKeys
	scrollIntoView    = kit.ScrollIntoView
	children          = kit.Children
	focusRingColor    = kit.FocusRingColor
	currentLanguage   = kit.Language
	englishUI         = kit.EnglishUI
	documentLanguage  = kit.DocumentLanguage
	wordWrap          = kit.WordWrap
	uiMessage         = kit.Message
	uiText            = kit.Text
	fileCount         = kit.FileCount
	countOf           = kit.Count
	formatCount       = kit.FormatCount
	warnIcon          = kit.WarnIcon
	fingerprintGroups = kit.FingerprintGroups
	copyText          = kit.CopyText
	parseKeys         = kit.ParseKeys
	kindKeyError      = kit.KeyError
)

// startJob runs work in the background: see kit.Start.
func startJob[P, R any](r *runner, parent context.Context, work func(ctx context.Context, report func(P)) (R, error),
	onProgress func(P), onDone func(R, error)) *job {
	return kit.Start(r, parent, work, onProgress, onDone)
}
