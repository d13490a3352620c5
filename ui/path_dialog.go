package ui

import (
	"os"
	"path/filepath"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"dossier/ui/internal/kit"
	"dossier/ui/nativedialog"
)

// pathDialog is the app's own file and folder dialog, shown where the computer has none (no desktop
// session, Xvfb) or it cannot show. Unlike Fyne's, it works with the keyboard alone: a field takes
// a typed or pasted path (Enter chooses it), the places (home, documents, the discs and USB sticks,
// the folder last used) are buttons Tab reaches, the folder's list moves with the arrows and Enter
// opens a folder or chooses a file, Backspace goes up a folder, and Escape closes the dialog. Its
// words are in the app's language.
type pathDialog struct {
	req  pathRequest
	win  fyne.Window
	use  func(string)
	dlg  *dialog.CustomDialog
	dir  string // the folder shown
	rows []pathRow

	where  *field // the path of the folder shown, or one typed
	name   *field // the file name (saving)
	list   *folderList
	listAt *fyne.Container // holds list (a new list for each folder)
	places *fyne.Container
	errMsg *widget.Label
	accept *button
	cancel *button
}

// pathRow is one line of the folder's list.
type pathRow struct {
	name string
	path string
	dir  bool
	up   bool // the folder above
}

// pathPlace is a place the dialog offers to jump to.
type pathPlace struct {
	label string
	path  string
	icon  fyne.Resource
}

// showPathDialog shows the app's own dialog for req; use gets the chosen path.
func showPathDialog(win fyne.Window, req pathRequest, use func(string)) *pathDialog {
	d := &pathDialog{req: req, win: win, use: use}
	d.where = newPathField(d.submitWhere)
	d.where.SetPlaceHolder(lang.X("pathdialog.where.placeholder", "Type or paste a path"))
	d.errMsg = kit.NewWrapLabel("")
	d.errMsg.Importance = widget.DangerImportance
	d.errMsg.Hide()
	d.cancel = newButton(lang.X("button.cancel", "Cancel"), func() { d.dlg.Hide() })
	d.cancel.Dismiss = true
	d.accept = newButton(d.acceptLabel(), d.acceptNow)
	d.accept.Importance = widget.HighImportance
	d.listAt = container.NewStack()
	d.places = container.NewVBox()
	for _, p := range pathPlaces() {
		d.places.Add(d.placeButton(p))
	}

	whereRow := container.NewBorder(nil, nil, widget.NewLabel(lang.X("pathdialog.where", "Folder:")), nil, d.where)
	top := container.NewVBox(whereRow, d.errMsg)
	var bottom fyne.CanvasObject
	if req.kind == nativedialog.SaveFile {
		d.name = newPathField(func(string) { d.acceptNow() })
		d.name.SetText(req.name)
		d.name.OnChanged = func(string) { d.updateAccept() }
		bottom = container.NewBorder(nil, nil, widget.NewLabel(lang.X("pathdialog.name", "File name:")), nil, d.name)
	}
	placesBox := container.NewVScroll(d.places)
	// In reading order, which is the order Tab follows: the path, the places, the list, the name.
	parts := []fyne.CanvasObject{top, placesBox, d.listAt}
	if bottom != nil {
		parts = append(parts, bottom)
	}
	body := container.New(layout.NewBorderLayout(top, bottom, placesBox, nil), parts...)

	d.dlg = dialog.NewCustomWithoutButtons(d.title(), body, win)
	d.dlg.SetButtons([]fyne.CanvasObject{d.cancel, d.accept})
	d.openFolder(d.startFolder())
	d.dlg.Resize(dialogSize(win))
	d.dlg.Show()
	if d.name != nil {
		win.Canvas().Focus(d.name)
	} else {
		win.Canvas().Focus(d.list)
	}
	return d
}

// title is the request's title, or one that says what is asked.
func (d *pathDialog) title() string {
	if d.req.title != "" {
		return d.req.title
	}
	switch d.req.kind {
	case nativedialog.Folder:
		return lang.X("pathdialog.title.folder", "Choose a folder")
	case nativedialog.SaveFile:
		return lang.X("pathdialog.title.save", "Save as")
	}
	return lang.X("pathdialog.title.file", "Choose a file")
}

func (d *pathDialog) acceptLabel() string {
	if d.req.accept != "" {
		return d.req.accept
	}
	switch d.req.kind {
	case nativedialog.Folder:
		return lang.X("pathdialog.choosefolder", "Choose this folder")
	case nativedialog.SaveFile:
		return lang.X("pathdialog.save", "Save")
	}
	return lang.X("pathdialog.open", "Open")
}

// startFolder is the request's folder if it is one, else the home folder, else the top of the disk.
func (d *pathDialog) startFolder() string {
	for _, p := range []string{d.req.folder, homeDir()} {
		if isDir(p) {
			return p
		}
	}
	return string(filepath.Separator)
}

// pathPlaces are the places offered beside the list: home and its usual folders, the folder last
// used, the discs and USB sticks, and the whole computer.
func pathPlaces() []pathPlace {
	var out []pathPlace
	add := func(label, path string, icon fyne.Resource) {
		if path == "" || (icon != theme.StorageIcon() && !isDir(path)) { // a medium is listed as mounted
			return
		}
		for _, p := range out {
			if p.path == path {
				return
			}
		}
		out = append(out, pathPlace{label, path, icon})
	}
	home := homeDir()
	add(lang.X("pathdialog.home", "Home"), home, theme.HomeIcon())
	if home != "" {
		add(lang.X("pathdialog.documents", "Documents"), filepath.Join(home, "Documents"), theme.DocumentIcon())
		add(lang.X("pathdialog.desktop", "Desktop"), filepath.Join(home, "Desktop"), theme.ComputerIcon())
		add(lang.X("pathdialog.downloads", "Downloads"), filepath.Join(home, "Downloads"), theme.DownloadIcon())
	}
	if a := fyne.CurrentApp(); a != nil {
		add(lang.X("pathdialog.last", "Folder last used"), a.Preferences().String(prefLastFolder), theme.HistoryIcon())
	}
	for _, m := range mediaMounts() {
		label := m.Label
		if m.Drive != "" && m.Label != "" {
			label = m.Drive + " " + m.Label
		} else if m.Drive != "" {
			label = m.Drive
		}
		add(label, m.Path, theme.StorageIcon())
	}
	add(lang.X("pathdialog.computer", "This computer"), filepath.VolumeName(home)+string(filepath.Separator), theme.ComputerIcon())
	return out
}

func (d *pathDialog) placeButton(p pathPlace) *button {
	path := p.path
	b := newButtonWithIcon(p.label, p.icon, func() { d.openFolder(path) })
	b.Alignment = widget.ButtonAlignLeading
	b.Importance = widget.LowImportance
	return b
}

// openFolder shows the folder dir: its path in the field, its folders (and the files asked for) in the
// list, which keeps the keyboard if it had it.
func (d *pathDialog) openFolder(dir string) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		d.showError(lang.X("pathdialog.err.read", "This folder cannot be opened: {{.Path}}", map[string]any{"Path": dir}))
		return
	}
	d.errMsg.Hide()
	d.dir = dir
	d.where.SetText(dir)
	var rows []pathRow
	if up := filepath.Dir(dir); up != dir {
		rows = append(rows, pathRow{name: lang.X("pathdialog.up", "Up to {{.Name}}", map[string]any{"Name": placeName(up)}), path: up, dir: true, up: true})
	}
	var dirs, files []pathRow
	for _, e := range ents {
		n := e.Name()
		if strings.HasPrefix(n, ".") {
			continue
		}
		p := filepath.Join(dir, n)
		if isDir(p) {
			dirs = append(dirs, pathRow{name: n, path: p, dir: true})
		} else if d.req.kind != nativedialog.Folder && d.matches(n) {
			files = append(files, pathRow{name: n, path: p})
		}
	}
	byName := func(a, b pathRow) int { return strings.Compare(strings.ToLower(a.name), strings.ToLower(b.name)) }
	slices.SortFunc(dirs, byName)
	slices.SortFunc(files, byName)
	d.rows = append(append(rows, dirs...), files...)

	c := d.win.Canvas()
	hadFocus := d.list != nil && c.Focused() == d.list
	d.list = newFolderList(d)
	d.listAt.Objects = []fyne.CanvasObject{d.list}
	d.listAt.Refresh()
	if hadFocus {
		c.Focus(d.list)
	}
	d.updateAccept()
}

// placeName is a folder's name for "Up to …" (the top of a disk is its path).
func placeName(dir string) string {
	if b := filepath.Base(dir); b != "" && b != string(filepath.Separator) && b != "." {
		return b
	}
	return dir
}

// matches reports whether a file name passes the request's filter.
func (d *pathDialog) matches(name string) bool {
	if len(d.req.exts) == 0 || d.req.kind == nativedialog.SaveFile {
		return true
	}
	lower := strings.ToLower(name)
	for _, e := range d.req.exts {
		if strings.HasSuffix(lower, strings.ToLower(e)) {
			return true
		}
	}
	return false
}

// activate opens a folder row, or chooses a file row (picks it when chosen with the mouse).
func (d *pathDialog) activate(id int, now bool) {
	if id < 0 || id >= len(d.rows) {
		return
	}
	r := d.rows[id]
	switch {
	case r.dir:
		d.openFolder(r.path)
	case d.req.kind == nativedialog.SaveFile:
		d.name.SetText(r.name)
		if now {
			d.acceptNow()
		}
	default:
		d.where.SetText(r.path)
		d.updateAccept()
		if now {
			d.done(r.path)
		}
	}
}

// submitWhere is Enter in the path field: a folder is chosen (a folder dialog) or opened; a file is
// chosen (opening) or named (saving).
func (d *pathDialog) submitWhere(text string) {
	p := d.typedPath(text)
	if p == "" {
		return
	}
	fi, err := os.Stat(p)
	switch {
	case err == nil && fi.IsDir():
		if d.req.kind == nativedialog.Folder {
			d.done(p)
			return
		}
		d.openFolder(p)
	case err == nil && d.req.kind == nativedialog.Folder:
		d.showError(lang.X("pathdialog.err.notfolder", "This is a file, not a folder: {{.Path}}", map[string]any{"Path": p}))
	case err == nil && d.req.kind == nativedialog.OpenFile:
		d.done(p)
	case d.req.kind == nativedialog.SaveFile && isDir(filepath.Dir(p)):
		d.openFolder(filepath.Dir(p))
		d.name.SetText(filepath.Base(p))
		d.acceptNow()
	default:
		d.showError(lang.X("pathdialog.err.none", "There is nothing at {{.Path}}. Check the path, or choose from the lists.", map[string]any{"Path": p}))
	}
}

// typedPath makes a typed path whole: ~ is the home folder, and a relative path is inside the
// folder shown.
func (d *pathDialog) typedPath(text string) string {
	p := strings.TrimSpace(text)
	if p == "" {
		return ""
	}
	if p == "~" || strings.HasPrefix(p, "~/") || strings.HasPrefix(p, `~\`) {
		if h := homeDir(); h != "" {
			p = filepath.Join(h, p[1:])
		}
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(d.dir, p)
	}
	return filepath.Clean(p)
}

// updateAccept enables the accept button when there is something to accept.
func (d *pathDialog) updateAccept() {
	ok := true
	switch d.req.kind {
	case nativedialog.SaveFile:
		ok = d.name != nil && strings.TrimSpace(d.name.Text) != ""
	case nativedialog.OpenFile:
		fi, err := os.Stat(d.typedPath(d.where.Text))
		ok = err == nil && fi.Mode().IsRegular()
	}
	if ok {
		d.accept.Enable()
	} else {
		d.accept.Disable()
	}
}

// acceptNow is the accept button: the folder shown, the file picked, or the name to save as (after
// asking before replacing a file that is there).
func (d *pathDialog) acceptNow() {
	switch d.req.kind {
	case nativedialog.Folder:
		p := d.typedPath(d.where.Text)
		if !isDir(p) {
			d.submitWhere(d.where.Text)
			return
		}
		d.done(p)
	case nativedialog.OpenFile:
		d.submitWhere(d.where.Text)
	case nativedialog.SaveFile:
		name := strings.TrimSpace(d.name.Text)
		if name == "" {
			return
		}
		p := name
		if !filepath.IsAbs(p) {
			p = filepath.Join(d.dir, name)
		}
		fi, err := os.Stat(p)
		switch {
		case err == nil && fi.IsDir():
			d.openFolder(p)
			d.name.SetText("")
		case err == nil:
			showAsk(lang.X("pathdialog.replace.title", "Replace the file?"),
				lang.X("pathdialog.replace", "{{.Name}} is already there. Replace it?", map[string]any{"Name": filepath.Base(p)}),
				lang.X("pathdialog.replace.yes", "Replace"), lang.X("button.cancel", "Cancel"),
				func(ok bool) {
					if ok {
						d.done(p)
					}
				}, d.win)
		case !isDir(filepath.Dir(p)):
			d.showError(lang.X("pathdialog.err.none", "There is nothing at {{.Path}}. Check the path, or choose from the lists.", map[string]any{"Path": filepath.Dir(p)}))
		default:
			d.done(p)
		}
	}
}

func (d *pathDialog) done(p string) {
	d.dlg.Hide()
	d.use(p)
}

func (d *pathDialog) showError(msg string) {
	kit.SetWrapText(d.errMsg, msg)
	d.errMsg.Show()
}

func homeDir() string {
	h, _ := os.UserHomeDir()
	return h
}

func isDir(p string) bool {
	if p == "" {
		return false
	}
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// newPathField is a one-line field whose Enter does submit (kit.Field gives Escape to the window,
// which closes the dialog, and keeps the field in view).
func newPathField(submit func(string)) *field {
	f := newField()
	f.OnSubmitted = submit
	return f
}

// folderList is the folder's list: the arrows move, Enter (or Space) opens a folder or chooses a
// file, Backspace goes up a folder, Escape closes the dialog.
type folderList struct {
	widget.List
	d *pathDialog
}

func newFolderList(d *pathDialog) *folderList {
	l := &folderList{d: d}
	l.Length = func() int { return len(d.rows) }
	l.CreateItem = func() fyne.CanvasObject {
		label := widget.NewLabel("")
		label.Truncation = fyne.TextTruncateEllipsis
		return container.NewBorder(nil, nil, widget.NewIcon(theme.FolderIcon()), nil, label)
	}
	l.UpdateItem = func(id widget.ListItemID, o fyne.CanvasObject) {
		r := d.rows[id]
		c := o.(*fyne.Container)
		icon := theme.FileIcon()
		switch {
		case r.up:
			icon = theme.MoveUpIcon()
		case r.dir:
			icon = theme.FolderIcon()
		}
		for _, k := range c.Objects {
			switch k := k.(type) {
			case *widget.Label:
				k.SetText(r.name)
			case *widget.Icon:
				k.SetResource(icon)
			}
		}
	}
	l.OnSelected = func(id widget.ListItemID) {
		l.UnselectAll()
		d.activate(id, false)
	}
	l.ExtendBaseWidget(l)
	return l
}

func (l *folderList) TypedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyReturn, fyne.KeyEnter, fyne.KeySpace:
		// The list knows which row has the focus: Space selects it, and the selection is caught here.
		picked := -1
		l.UnselectAll()
		l.OnSelected = func(id widget.ListItemID) { picked = id }
		l.List.TypedKey(&fyne.KeyEvent{Name: fyne.KeySpace})
		d := l.d
		l.OnSelected = func(id widget.ListItemID) {
			l.UnselectAll()
			d.activate(id, false)
		}
		l.UnselectAll()
		d.activate(picked, true)
	case fyne.KeyBackspace:
		if up := filepath.Dir(l.d.dir); up != l.d.dir {
			l.d.openFolder(up)
		}
	case fyne.KeyEscape:
		toWindow(l, ev)
	default:
		l.List.TypedKey(ev)
	}
}

func (l *folderList) FocusGained() {
	l.List.FocusGained()
	scrollIntoView(l)
}
