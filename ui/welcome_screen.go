package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Texts of the welcome screen.
const (
	dropHeading = "Drop your records here"
	dropKinds   = "Folders, CDs, ZIP downloads, PDFs, photos"
)

// newWelcomeScreen is the empty new case: a large drop area with buttons to add files and folders.
// Dropping works anywhere on the window; the area says so.
func newWelcomeScreen(onAddFiles, onAddFolder, onOpenBundle func(), media fyne.CanvasObject) fyne.CanvasObject {
	sysDialogs.start() // look for the computer's own file dialog now, before the first "Add"
	intro := newWrapLabel(lang.X("welcome.intro", "Gather the medical records a specialist needs for a second opinion. Nothing is changed or moved: Dossier only reads your files."))
	intro.Alignment = fyne.TextAlignCenter

	icon := widget.NewIcon(theme.NewPrimaryThemedResource(theme.UploadIcon()))
	heading := widget.NewLabelWithStyle(lang.X("welcome.drop", dropHeading), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	heading.SizeName = theme.SizeNameHeadingText
	kinds := widget.NewLabelWithStyle(lang.X("welcome.kinds", dropKinds), fyne.TextAlignCenter, fyne.TextStyle{})
	or := widget.NewLabelWithStyle(lang.X("welcome.or", "or"), fyne.TextAlignCenter, fyne.TextStyle{})

	files := newButtonWithIcon(lang.X("button.addfiles", "Add files…"), theme.FileIcon(), onAddFiles)
	files.Importance = widget.HighImportance
	folder := newButtonWithIcon(lang.X("button.addfolder", "Add folder…"), theme.FolderOpenIcon(), onAddFolder)
	folder.Importance = widget.HighImportance

	inner := container.NewVBox(
		layout.NewSpacer(),
		container.NewCenter(container.NewGridWrap(fyne.NewSquareSize(96), icon)),
		heading,
		kinds,
		or,
		container.NewCenter(container.NewHBox(files, folder)),
		layout.NewSpacer(),
	)
	area := newPanel(inner, theme.ColorNameInputBackground, theme.ColorNamePrimary)
	open := newButtonWithIcon(lang.X("welcome.openbundle", "Open a bundle someone sent you…"), theme.MailAttachmentIcon(), onOpenBundle)
	receive := widget.NewLabel(lang.X("welcome.received", "Received a bundle (a file ending in .age)?"))
	bottom := container.NewVBox(media, container.NewCenter(container.NewHBox(receive, open)))
	return container.NewBorder(container.NewPadded(intro), bottom, nil, nil, container.NewPadded(area))
}
