package ui

import (
	"cmp"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"

	"dossier/packager/i18n"
	"dossier/packager/intake"
	"dossier/packager/slide"
)

// Titles of the inventory's groups, in the order they are shown.
const (
	groupImaging   = "Imaging"
	groupSlides    = "Slides"
	groupDocuments = "Reports and documents"
	groupPhotos    = "Photos and scans"
	groupOther     = "Other"
	groupSkipped   = "Skipped"
	groupUnread    = "Could not read"
)

// groupTitle is a group's title in the language of the app.
func groupTitle(id, english string) string { return lang.X("group."+id, english) }

// invNode is one row of the inventory tree.
type invNode struct {
	title  string
	detail string
	icon   fyne.Resource
	warn   bool // the row carries a problem: show a warning icon
	group  bool // a top-level group (shown bold)

	// What the row stands for, for the preview: one of these, or none (groups, problems).
	item   *intake.Item
	study  *intake.Study
	series *intake.Series
	slide  *intake.Slide
}

// invTree is the inventory laid out as a tree for widget.Tree: IDs map to rows and children. It is built
// once per inventory so the tree's callbacks are map look-ups, fast for many thousands of rows.
type invTree struct {
	nodes    map[string]invNode
	children map[string][]string
	groups   []string // IDs of the top-level groups, in order

	creates, updates int // rows made and filled by the tree (for the scrolling benchmark)
}

func (t *invTree) add(parent, id string, n invNode) {
	t.nodes[id] = n
	t.children[parent] = append(t.children[parent], id)
}

// addProblems adds each problem as a child row of id.
func (t *invTree) addProblems(id string, problems []i18n.Text) {
	for k, p := range problems {
		t.add(id, id+"/p"+strconv.Itoa(k), invNode{title: uiText(p), icon: warnIcon(), warn: true})
	}
}

// buildInvTree groups an inventory for people: imaging studies and series, slides, reports and documents,
// photos and scans, other files, what was skipped, and what could not be read. Empty groups are left out.
func buildInvTree(inv *intake.Inventory) *invTree {
	t := &invTree{nodes: map[string]invNode{}, children: map[string][]string{}}
	if inv == nil {
		return t
	}
	group := func(id, title, detail string, icon fyne.Resource) {
		t.add("", id, invNode{title: groupTitle(id, title), detail: detail, icon: icon, group: true})
		t.groups = append(t.groups, id)
	}

	// Imaging: studies -> series.
	if len(inv.Studies) > 0 {
		studies := slices.Clone(inv.Studies)
		slices.SortStableFunc(studies, func(a, b *intake.Study) int { // by date, unknown dates last
			if (a.Date == "") != (b.Date == "") {
				return cmp.Compare(b.Date, a.Date)
			}
			return cmp.Compare(a.Date, b.Date)
		})
		images := 0
		for _, s := range studies {
			images += s.Instances
		}
		group("imaging", groupImaging, countOf(len(studies), "count.studies", "{{.N}} studies")+" · "+countOf(images, "count.images", "{{.N}} images"),
			theme.MediaPhotoIcon())
		for i, s := range studies {
			sid := "imaging/" + strconv.Itoa(i)
			sn := studyNode(s)
			sn.study = s
			t.add("imaging", sid, sn)
			for j, se := range s.Series {
				seid := sid + "/" + strconv.Itoa(j)
				n := seriesNode(se)
				n.study, n.series = s, se
				t.add(sid, seid, n)
				if len(se.Problems) > 1 {
					t.addProblems(seid, se.Problems)
				}
			}
		}
	}

	// Slides.
	if len(inv.Slides) > 0 {
		group("slides", groupSlides, countOf(len(inv.Slides), "count.slides", "{{.N}} slides"), theme.GridIcon())
		for i, s := range inv.Slides {
			n := slideNode(s)
			n.slide = s
			t.add("slides", "slides/"+strconv.Itoa(i), n)
		}
	}

	// Files, by kind.
	type fileGroup struct {
		id, title string
		icon      fyne.Resource
		items     []int
	}
	files := []*fileGroup{
		{id: "docs", title: groupDocuments, icon: theme.DocumentIcon()},
		{id: "photos", title: groupPhotos, icon: theme.FileImageIcon()},
		{id: "other", title: groupOther, icon: theme.FileIcon()},
		{id: "skipped", title: groupSkipped, icon: theme.VisibilityOffIcon()},
		{id: "unread", title: groupUnread, icon: theme.NewErrorThemedResource(theme.ErrorIcon())},
	}
	for i, it := range inv.Items {
		var g *fileGroup
		switch it.Kind {
		case intake.KindPDF, intake.KindDocument:
			g = files[0]
		case intake.KindImage:
			g = files[1]
		case intake.KindOther, intake.KindArchive, intake.KindDICOMDIR:
			g = files[2]
		case intake.KindSkipped:
			g = files[3]
		case intake.KindUnreadable:
			g = files[4]
		default: // DICOM is shown by study, slides by slide
			continue
		}
		g.items = append(g.items, i)
	}
	for _, g := range files {
		if len(g.items) == 0 {
			continue
		}
		slices.SortStableFunc(g.items, func(a, b int) int { return cmp.Compare(inv.Items[a].Path, inv.Items[b].Path) })
		detail := fileCount(len(g.items))
		if g.id == "docs" || g.id == "photos" {
			var size int64
			for _, i := range g.items {
				size += inv.Items[i].Size
			}
			detail += " · " + humanSize(size)
		}
		group(g.id, g.title, detail, g.icon)
		for _, i := range g.items {
			id := g.id + "/" + strconv.Itoa(i)
			it := inv.Items[i]
			n := itemNode(it)
			n.item = it
			t.add(g.id, id, n)
			if len(it.Problems) > 1 {
				t.addProblems(id, it.Problems)
			}
		}
	}
	return t
}

func studyNode(s *intake.Study) invNode {
	title := s.Description
	if title == "" && len(s.Modalities) > 0 {
		title = lang.X("inv.study.nodesc.mod", "{{.Mod}} study without a description", map[string]any{"Mod": strings.Join(s.Modalities, ", ")})
	} else if title == "" {
		title = lang.X("inv.study.nodesc", "Imaging study without a description")
	}
	parts := []string{formatDate(s.Date)}
	if len(s.Modalities) > 0 {
		parts = append(parts, strings.Join(s.Modalities, ", "))
	}
	parts = append(parts, countOf(len(s.Series), "count.series", "{{.N}} series"), countOf(s.Instances, "count.images", "{{.N}} images"))
	n := invNode{title: title, detail: strings.Join(parts, " · "), icon: theme.FolderIcon()}
	for _, se := range s.Series {
		if se.BurnedIn > 0 || len(se.Problems) > 0 {
			n.warn = true
			n.icon = warnIcon()
			// What the warning icon warns about comes first, so a narrow row still says it.
			n.detail = strings.TrimPrefix(lang.X("inv.study.look", " · please look at the series in it"), " · ") + " · " + n.detail
			break
		}
	}
	return n
}

func seriesNode(se *intake.Series) invNode {
	title := se.Description
	if title == "" {
		title = lang.X("inv.series.nodesc", "Series without a description")
	}
	if se.Number > 0 {
		title = fmt.Sprintf(lang.X("inv.series", "Series %d: %s"), se.Number, title)
	}
	parts := []string{}
	if se.Modality != "" {
		parts = append(parts, modalityName(se.Modality))
	}
	if se.BodyPart != "" {
		parts = append(parts, strings.ToLower(se.BodyPart))
	}
	parts = append(parts, countOf(se.Instances, "count.images", "{{.N}} images"))
	n := invNode{title: title, icon: theme.FileImageIcon()}
	var warnings []string // first, so a narrow row still says what its warning icon warns about
	if se.BurnedIn > 0 {
		n.warn = true
		warnings = append(warnings, fmt.Sprintf(lang.X("inv.burnedin", "%s may show patient details written into the picture"),
			countOf(se.BurnedIn, "count.images", "{{.N}} images")))
	}
	if len(se.Problems) > 0 {
		n.warn = true
		warnings = append(warnings, uiText(se.Problems[0]))
	}
	n.detail = strings.Join(append(warnings, parts...), " · ")
	if n.warn {
		n.icon = warnIcon()
	}
	return n
}

func slideNode(s *intake.Slide) invNode {
	parts := []string{vendorName(s.Vendor)}
	if s.Levels > 0 {
		parts = append(parts, countOf(s.Levels, "count.levels", "{{.N}} levels"))
	}
	if s.Width > 0 && s.Height > 0 {
		parts = append(parts, formatCount(int(s.Width))+" × "+formatCount(int(s.Height))+lang.X("inv.pixels", " pixels"))
	}
	n := invNode{title: displayName(s.Path), icon: theme.GridIcon()}
	var warnings []string // first, so a narrow row still says what its warning icon warns about
	if s.Label {
		warnings = append(warnings, lang.X("inv.slide.label", "has a label image (it may show the patient's name)"))
		n.warn = true
	}
	if s.Macro {
		warnings = append(warnings, lang.X("inv.slide.macro", "has an overview (macro) image"))
		n.warn = true
	}
	if len(s.IdentifyingMetadata) > 0 {
		warnings = append(warnings, lang.X("inv.slide.ident", "its details may identify the patient"))
		n.warn = true
	}
	parts = append(warnings, parts...)
	if !s.Label && !s.Macro && len(s.IdentifyingMetadata) == 0 {
		parts = append(parts, lang.X("inv.slide.nolabel", "no label or overview image"))
	}
	if n.warn {
		n.icon = warnIcon()
	}
	n.detail = strings.Join(parts, " · ")
	return n
}

func itemNode(it *intake.Item) invNode {
	n := invNode{title: displayName(it.Path), icon: theme.FileIcon()}
	var parts []string
	switch it.Kind {
	case intake.KindSkipped:
		n.icon = theme.VisibilityOffIcon()
		reason := uiText(it.Reason)
		if reason == "" {
			reason = lang.X("inv.notneeded", "not needed for a second opinion")
		}
		parts = append(parts, reason)
	case intake.KindArchive:
		n.icon = theme.StorageIcon()
		parts = append(parts, formatName(it), humanSize(it.Size), lang.X("inv.archive", "what it holds is listed in the other groups"))
	case intake.KindDICOMDIR:
		n.icon = theme.ListIcon()
		parts = append(parts, lang.X("inv.dicomdir", "the index of a CD or USB stick (DICOMDIR)"))
	case intake.KindUnreadable:
		n.icon = theme.NewErrorThemedResource(theme.ErrorIcon())
		if len(it.Problems) == 0 {
			parts = append(parts, lang.X("inv.unread", "this file could not be read"))
		}
	case intake.KindImage:
		n.icon = theme.FileImageIcon()
		parts = append(parts, formatName(it), humanSize(it.Size))
	case intake.KindPDF, intake.KindDocument:
		n.icon = theme.DocumentIcon()
		parts = append(parts, formatName(it), humanSize(it.Size))
	default:
		parts = append(parts, formatName(it), humanSize(it.Size))
	}
	if len(it.Problems) > 0 {
		n.warn = true
		if it.Kind != intake.KindUnreadable {
			n.icon = warnIcon()
		}
		parts = append([]string{uiText(it.Problems[0])}, parts...) // first: what the icon warns about
	}
	if dir := displayDir(it.Path); dir != "" {
		parts = append(parts, lang.X("inv.indir", "in {{.Dir}}", map[string]any{"Dir": dir}))
	}
	n.detail = strings.Join(slices.DeleteFunc(parts, func(s string) bool { return s == "" }), " · ")
	return n
}

// formatName names an item's file format for people.
func formatName(it *intake.Item) string {
	switch it.Kind {
	case intake.KindPDF:
		return "PDF"
	case intake.KindArchive:
		if it.Format == "" || it.Format == "zip" {
			return lang.X("inv.zip", "ZIP archive")
		}
	case intake.KindImage:
		if it.Format != "" {
			return strings.ToUpper(it.Format) + lang.X("inv.formatpicture", " picture")
		}
		return lang.X("inv.picture", "picture")
	}
	if it.Format != "" {
		return strings.ToUpper(it.Format)
	}
	return ""
}

// modalityName spells out the common DICOM modalities.
func modalityName(m string) string {
	names := map[string]string{
		"CT": "CT", "MR": "MRI", "PT": "PET", "NM": "nuclear medicine", "US": "ultrasound",
		"CR": "X-ray", "DX": "X-ray", "MG": "mammography", "XA": "angiography", "SR": "structured report",
		"DOC": "document", "SM": "slide microscopy", "OT": "other", "SC": "secondary capture", "RTSTRUCT": "radiotherapy structures",
		"RTPLAN": "radiotherapy plan", "RTDOSE": "radiotherapy dose", "KO": "key images", "PR": "presentation state",
	}
	if n, ok := names[m]; ok && n != m {
		return lang.X("modality.named", "{{.Code}} ({{.Name}})", map[string]any{"Code": m, "Name": lang.X("modality."+strings.ToLower(m), n)})
	}
	return m
}

// vendorName turns OpenSlide's vendor word into a maker's name.
func vendorName(v string) string {
	names := map[string]string{
		slide.VendorAperio: "Aperio", slide.VendorHamamatsu: "Hamamatsu", slide.VendorMirax: "3DHISTECH (MRXS)", slide.VendorLeica: "Leica",
		slide.VendorVentana: "Ventana", slide.VendorPhilips: "Philips", slide.VendorDICOM: "DICOM", slide.VendorGenericTIFF: "TIFF",
	}
	if n, ok := names[v]; ok {
		return n
	}
	if v == "" {
		return lang.X("inv.unknownmaker", "unknown maker")
	}
	return v
}

// formatDate shows a YYYY-MM-DD date as "12 March 2024".
func formatDate(d string) string {
	t, err := time.Parse("2006-01-02", d)
	if err != nil {
		return lang.X("inv.nodate", "date unknown")
	}
	return uiDate(t)
}

// displayName is the last element of a path as intake gives it ("ARCHIVE!/ENTRY" included).
func displayName(p string) string {
	p = strings.ReplaceAll(p, "\\", "/")
	if i := strings.LastIndex(p, "!/"); i >= 0 && i+2 < len(p) {
		p = p[i+2:]
	}
	return path.Base(strings.TrimRight(p, "/"))
}

// displayPath is a path shortened for a narrow line: "IM0001 in …/ST01/SE02".
func displayPath(p string) string {
	if dir := displayDir(p); dir != "" {
		return lang.X("inv.namein", "{{.Name}} in {{.Dir}}", map[string]any{"Name": displayName(p), "Dir": dir})
	}
	return displayName(p)
}

// displayDir is the folder a path is in, shortened to its last two elements.
func displayDir(p string) string {
	p = strings.ReplaceAll(p, "\\", "/")
	dir := path.Dir(strings.TrimRight(p, "/"))
	if dir == "." || dir == "/" {
		return ""
	}
	parts := strings.Split(strings.Trim(dir, "/"), "/")
	if len(parts) > 2 {
		parts = append([]string{"…"}, parts[len(parts)-2:]...)
	}
	return strings.Join(parts, "/")
}

// humanSize writes a byte count the way people read it.
func humanSize(n int64) string {
	const unit = 1000
	if n < unit {
		return countOf(int(n), "unit.bytes", "{{.N}} bytes")
	}
	v, u := float64(n), 0
	units := []string{"kB", "MB", "GB", "TB"}
	for v /= unit; v >= unit && u < len(units)-1; v /= unit {
		u++
	}
	if v < 10 {
		return fmt.Sprintf("%.1f %s", v, units[u])
	}
	return fmt.Sprintf("%.0f %s", v, units[u])
}
