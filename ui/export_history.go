package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"dossier/packager/export"
	"dossier/packager/privacy"
	"dossier/packager/store"
)

// historyPanel lists what was sent from the case: when, to whom, at which level, how big, and the
// fingerprint. It is filled from the audit rows of the store.
type historyPanel struct {
	object *fyne.Container
	intro  *widget.Label
	code   *codeName
	list   *widget.List
	rows   []*store.Export
}

// codeName shows the case's code name (its pseudonym) with a Copy button, once a bundle carried
// it: the centre's reply will quote it instead of the patient's name.
type codeName struct {
	object *fyne.Container
	text   *selectableText
	code   string
}

func newCodeName() *codeName {
	c := &codeName{text: newWrapText("")}
	cp := newButtonWithIcon(lang.X("code.copy", "Copy the code name"), theme.ContentCopyIcon(), func() { copyText(c.code) })
	c.object = container.NewVBox(newPanel(container.NewBorder(nil, nil, nil, container.NewCenter(cp), c.text),
		theme.ColorNameInputBackground, ""))
	c.object.Hide()
	return c
}

// set shows code ("" hides it).
func (c *codeName) set(code string) {
	c.code = code
	if code == "" {
		c.object.Hide()
		return
	}
	setWrapText(c.text, lang.X("code.text", "Code name of your records: {{.Code}}. The centre's reply will quote it instead of your name.", map[string]any{"Code": code}))
	c.object.Show()
}

func newHistoryPanel(onSend func()) *historyPanel {
	h := &historyPanel{intro: newWrapLabel(lang.X("history.none", "Nothing has been sent from this case yet.")), code: newCodeName()}
	h.list = widget.NewList(func() int { return len(h.rows) },
		func() fyne.CanvasObject {
			title := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			title.Truncation = fyne.TextTruncateEllipsis
			detail := widget.NewLabel("")
			detail.Truncation = fyne.TextTruncateEllipsis
			// The word in the UI's font, the digits in monospace: the monospace font has no Chinese
			// characters, and "指纹" came out as two empty boxes.
			word := widget.NewLabel(lang.X("done.fingerprint", "Fingerprint"))
			fp := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
			fp.Truncation = fyne.TextTruncateEllipsis
			return container.NewVBox(title, detail, container.NewBorder(nil, nil, word, nil, fp))
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(h.rows) {
				return
			}
			e := h.rows[id]
			c := o.(*fyne.Container)
			c.Objects[0].(*widget.Label).SetText(historyTitle(e))
			c.Objects[1].(*widget.Label).SetText(historyDetail(e))
			c.Objects[2].(*fyne.Container).Objects[0].(*widget.Label).SetText(fingerprintGroups(e.Fingerprint)) // the centre of the row
		})
	send := newButton(lang.X("button.send", "Send to a specialist…"), onSend)
	h.object = container.NewBorder(container.NewVBox(h.intro, h.code.object, container.NewHBox(send)), nil, nil, nil, h.list)
	return h
}

func (h *historyPanel) setExports(es []*store.Export) {
	h.rows = es
	if len(es) == 0 {
		setWrapText(h.intro, lang.X("history.none", "Nothing has been sent from this case yet."))
	} else {
		setWrapText(h.intro, fmt.Sprintf(lang.X("history.sent", "Sent from this case: %s, newest first."), countOf(len(es), "count.bundles", "{{.N}} bundles")))
	}
	h.list.Refresh()
}

func historyTitle(e *store.Export) string {
	return uiDateTime(e.Created.Local()) + " — " + e.Name
}

func historyDetail(e *store.Export) string {
	to := e.Recipient
	switch to {
	case export.RecipientGenerated:
		to = lang.X("history.to.generated", "locked with a generated passphrase")
	case export.RecipientPassphrase:
		to = lang.X("history.to.passphrase", "locked with a passphrase")
	case export.RecipientFolder:
		to = lang.X("history.to.folder", "unlocked copy (USB stick)")
	default:
		to = lang.X("history.to.centre", "for {{.Who}}", map[string]any{"Who": uiText(export.RecipientText(to))})
	}
	return fmt.Sprintf("%s · %s · %s · %s", to, levelName(e.Level), humanSize(e.Bytes),
		fileCount(len(e.Items)))
}

// levelName is a privacy level in words.
func levelName(l string) string {
	switch privacy.Level(l) {
	case privacy.Identified:
		return lang.X("history.level.identified", "with your name")
	case privacy.Pseudonymised:
		return lang.X("history.level.pseudonymised", "with a code name")
	case privacy.Anonymised:
		return lang.X("history.level.anonymised", "anonymous")
	}
	return l
}
