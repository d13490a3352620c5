package ui

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"dossier/packager/checklist"
	"dossier/packager/deid"
	"dossier/packager/intake"
	"dossier/ui/internal/kit"
)

// Texts of the details form that tests look for.
const (
	saveDetailsText = "Save details"
	addShipmentText = "Add an item sent by courier"
)

// detailsForm is the case details: the question for the reviewer first, then the patient (filled in
// from the records, with differences flagged), the diagnosis, the plan, the doctors, the urgency and
// what was sent by courier.
type detailsForm struct {
	object  fyne.CanvasObject
	onSave  func(checklist.Details)
	cancers []checklist.Cancer
	// onAutosave keeps what is typed, a moment after the typing stops (nil: only Save keeps it);
	// post runs a function on the UI goroutine.
	onAutosave func(checklist.Details)
	post       func(func())
	autoGen    int // counts changes, so only the last one's timer saves

	inv     *intake.Inventory
	base    checklist.Details // the details last loaded or saved
	dirty   bool              // the person changed something since
	loading bool              // widgets are being filled in, not typed into

	questions *textArea
	name      *widget.Entry
	patientID *widget.Entry
	birth     *widget.Entry
	fromRec   *widget.Label
	// factsRec marks the diagnosis fields filled in from the reports until the person changes them
	// or confirms them with factsOK.
	factsRec  *widget.Label
	factsOK   *button
	mismatch  *fyne.Container
	found     *fyne.Container // the identity found in the records, to confirm
	cancer    *widget.Select
	diagnosis *widget.Entry
	diagDate  *widget.Entry
	stage     *widget.Entry
	plan      *textArea
	urgency   *kit.Choice[string] // checklist.UrgencyRoutine, UrgencyUrgent, or "" (not said)
	doctor    contactFields
	office    contactFields
	shipBox   *fyne.Container
	ships     []*shipmentRow
	errText   *widget.Label
	save      *button
}

// contactFields are the entries of a doctor or department.
type contactFields struct {
	name, hospital, phone, email *widget.Entry
	address                      *textArea
}

// shipmentRow is one item sent by courier.
type shipmentRow struct {
	object   fyne.CanvasObject
	kind     *kit.Choice[string] // a checklist.ShipmentKinds value
	courier  *widget.Entry
	tracking *widget.Entry
	kept     checklist.Shipment // fields the form does not show
}

// urgencyLabel names an urgency for people ("" is not said).
func urgencyLabel(u string) string {
	switch u {
	case checklist.UrgencyRoutine:
		return lang.X("details.urgency.routine", "There is time: routine")
	case checklist.UrgencyUrgent:
		return lang.X("details.urgency.urgent", "Urgent: a decision is needed soon")
	}
	return lang.X("details.urgency.unsaid", "Not said")
}

// shipmentKindLabel names a kind of physical item for people.
func shipmentKindLabel(k string) string {
	switch k {
	case checklist.ShipGlassSlides:
		return lang.X("details.ship.slides", "Glass slides")
	case checklist.ShipBlocks:
		return lang.X("details.ship.blocks", "Tissue blocks")
	case checklist.ShipImagingDisc:
		return lang.X("details.ship.disc", "Scans on a CD or USB stick")
	}
	return lang.X("details.ship.other", "Something else")
}

func newDetailsForm(cancers []checklist.Cancer, onSave func(checklist.Details)) *detailsForm {
	f := &detailsForm{onSave: onSave, cancers: cancers}
	changed := func(string) {
		if !f.loading {
			f.touched()
		}
	}
	entry := func(placeholder string) *widget.Entry {
		e := widget.NewEntry()
		e.SetPlaceHolder(placeholder)
		e.OnChanged = changed
		return e
	}
	multi := func(placeholder string, rows int) *textArea {
		e := newTextArea()
		e.SetPlaceHolder(placeholder)
		e.Wrapping = wordWrap()
		e.SetMinRowsVisible(rows)
		e.OnChanged = changed
		return e
	}
	dateEntry := func(what, example string) *widget.Entry {
		e := entry(example)
		e.Validator = func(s string) error { return checkDate(what, example, s) }
		return e
	}

	f.questions = multi(lang.X("details.q.hint", "For example: Is chemotherapy needed after the operation?"), 4)
	f.name = entry(lang.X("details.fullname", "Full name"))
	f.patientID = entry(lang.X("details.patientid.hint", "Hospital or patient number, if you know it"))
	f.birth = dateEntry(lang.X("details.birthdate.what", "the date of birth"), "1961-02-03")
	identityChanged := func(s string) {
		changed(s)
		f.updateMismatch()
	}
	f.name.OnChanged = identityChanged
	f.birth.OnChanged = identityChanged
	f.fromRec = newWrapLabelWithStyle(lang.X("details.fromrec", "Filled in from your records. Please check that it is right."), fyne.TextStyle{Italic: true})
	f.fromRec.Hide()
	f.mismatch = container.NewVBox()
	f.found = container.NewVBox()
	f.factsRec = newWrapLabelWithStyle("", fyne.TextStyle{Italic: true})
	f.factsOK = newButton(lang.X("details.facts.ok", "These are right"), f.confirmFacts)

	var names []string
	for _, c := range cancers {
		names = append(names, cancerName(c))
	}
	f.cancer = widget.NewSelect(names, changed)
	f.cancer.PlaceHolder = lang.X("checklist.choosecancer", "Choose the type of cancer")
	f.diagnosis = entry(lang.X("details.diagnosis.hint", "In the words of your report, if you like"))
	f.diagDate = dateEntry(lang.X("details.diagdate.what", "the date of diagnosis"), lang.X("details.diagdate.example", "2026-03 or 2026-03-14"))
	f.stage = entry(lang.X("details.stage.hint", "For example: stage II, or T2 N1 M0"))
	f.plan = multi(lang.X("details.plan.hint", "What your doctors propose to do next"), 3)
	f.urgency = kit.NewRadio([]string{"", checklist.UrgencyRoutine, checklist.UrgencyUrgent}, urgencyLabel, func(string, bool) { changed("") })
	f.urgency.Radio.Required = true
	f.doctor = newContactFields(entry, false)
	f.office = newContactFields(entry, true)

	f.shipBox = container.NewVBox()
	addShip := newButtonWithIcon(lang.X("details.addship", addShipmentText), theme.ContentAddIcon(), func() {
		f.addShipment(checklist.Shipment{Kind: checklist.ShipGlassSlides})
		f.touched()
	})

	f.errText = newWrapLabel("")
	f.errText.Importance = widget.DangerImportance
	f.errText.Hide()
	f.save = newButtonWithIcon(lang.X("details.save", saveDetailsText), theme.DocumentSaveIcon(), f.submit)
	f.save.Importance = widget.HighImportance

	heading := func(s string) *widget.Label {
		l := widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		l.SizeName = theme.SizeNameSubHeadingText
		return l
	}
	note := func(s string) *widget.Label {
		l := newWrapLabel(s)
		return l
	}
	form := container.NewVBox(
		heading(lang.X("details.question", "Your question for the reviewer")),
		note(lang.X("details.question.note", "What do you most want the specialist to answer? Put the most important question first, one question per line.")),
		f.questions,
		heading(lang.X("details.you", "You")),
		widget.NewForm(
			widget.NewFormItem(lang.X("details.name", "Name"), f.name),
			widget.NewFormItem(lang.X("details.birth", "Date of birth"), f.birth),
			widget.NewFormItem(lang.X("details.patientid", "Patient number"), f.patientID),
		),
		f.fromRec, f.mismatch, f.found,
		heading(lang.X("details.diagnosis", "Diagnosis")),
		widget.NewForm(
			widget.NewFormItem(lang.X("details.cancer", "Type of cancer"), f.cancer),
			widget.NewFormItem(lang.X("details.diagnosis", "Diagnosis"), f.diagnosis),
			&widget.FormItem{Text: lang.X("details.diagdate", "Diagnosed on"), Widget: f.diagDate, HintText: lang.X("details.diagdate.hint", "Year-month-day, or year-month")},
			widget.NewFormItem(lang.X("details.stage", "Stage"), f.stage),
			widget.NewFormItem(lang.X("details.plan", "Proposed plan"), f.plan),
		),
		container.NewBorder(nil, nil, nil, f.factsOK, f.factsRec),
		heading(lang.X("details.howsoon", "How soon is an answer needed?")),
		f.urgency.Object(),
		heading(lang.X("details.doctor", "Your treating doctor")),
		f.doctor.form(),
		heading(lang.X("details.records", "The hospital's records office")),
		note(lang.X("details.records.note", "The request letter is addressed here.")),
		f.office.form(),
		heading(lang.X("details.courier.head", "Sent by courier")),
		note(lang.X("details.courier.note", "Glass slides, tissue blocks or discs that were sent to the reviewing centre. With the courier and tracking number, the checklist counts them.")),
		f.shipBox,
		container.NewHBox(addShip),
	)
	bottom := container.NewVBox(widget.NewSeparator(), f.errText, container.NewHBox(f.save))
	f.object = container.NewBorder(nil, container.NewPadded(bottom), nil, nil, container.NewVScroll(container.NewPadded(form)))
	f.load(checklist.Details{})
	return f
}

func newContactFields(entry func(string) *widget.Entry, office bool) contactFields {
	c := contactFields{name: entry(lang.X("details.name", "Name")), hospital: entry(lang.X("details.hospital.hint", "Hospital or clinic")), phone: entry(lang.X("details.phone", "Phone")), email: entry(lang.X("details.email", "Email"))}
	if office {
		c.name.SetPlaceHolder(lang.X("details.records.hint", "For example: Medical Records Department"))
		c.address = newTextArea()
		c.address.SetPlaceHolder(lang.X("details.address.hint", "Postal address"))
		c.address.SetMinRowsVisible(2)
		c.address.OnChanged = c.name.OnChanged
	}
	return c
}

func (c contactFields) form() *widget.Form {
	f := widget.NewForm(widget.NewFormItem(lang.X("details.name", "Name"), c.name), widget.NewFormItem(lang.X("details.hospital", "Hospital"), c.hospital))
	if c.address != nil {
		f.Append(lang.X("details.address", "Address"), c.address)
	}
	f.Append(lang.X("details.phone", "Phone"), c.phone)
	f.Append(lang.X("details.email", "Email"), c.email)
	return f
}

func (c contactFields) load(k checklist.Contact) {
	c.name.SetText(k.Name)
	c.hospital.SetText(k.Hospital)
	if c.address != nil {
		c.address.SetText(k.Address)
	}
	c.phone.SetText(k.Phone)
	c.email.SetText(k.Email)
}

func (c contactFields) value(k checklist.Contact) checklist.Contact {
	k.Name, k.Hospital = strings.TrimSpace(c.name.Text), strings.TrimSpace(c.hospital.Text)
	if c.address != nil {
		k.Address = strings.TrimSpace(c.address.Text)
	}
	k.Phone, k.Email = strings.TrimSpace(c.phone.Text), strings.TrimSpace(c.email.Text)
	return k
}

// checkDate says kindly when a date is not written year-month-day.
func checkDate(what, example, s string) error {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	for _, layout := range []string{"2006-01-02", "2006-01"} {
		if _, err := time.Parse(layout, s); err == nil {
			return nil
		}
	}
	return errors.New(lang.X("details.err.date", "please write {{.What}} as year-month-day, for example {{.Example}}",
		map[string]any{"What": what, "Example": strings.Fields(example)[0]}))
}

// load fills the form with d.
func (f *detailsForm) load(d checklist.Details) {
	f.loading = true
	defer func() { f.loading = false }()
	f.base = d
	f.questions.SetText(strings.Join(d.Questions, "\n"))
	f.name.SetText(d.Patient.Name)
	f.birth.SetText(d.Patient.BirthDate)
	f.patientID.SetText(d.Patient.ID)
	f.setCancerLoading(d.Cancer)
	f.diagnosis.SetText(d.Diagnosis)
	f.diagDate.SetText(d.DiagnosisDate)
	f.stage.SetText(d.Stage)
	f.plan.SetText(d.ProposedPlan)
	switch d.Urgency {
	case checklist.UrgencyRoutine, checklist.UrgencyUrgent:
		f.urgency.SetValue(d.Urgency)
	default:
		f.urgency.SetValue("")
	}
	f.doctor.load(d.Doctor)
	f.office.load(d.RecordsOffice)
	f.ships = nil
	f.shipBox.RemoveAll()
	for _, s := range d.Shipments {
		f.addShipment(s)
	}
	f.dirty = false
	f.updateMismatch()
	f.showFactsMark(d.FromRecords)
}

// showFactsMark says which diagnosis fields were filled in from the reports ("from your records"),
// with a button to confirm them; it is hidden when there are none.
func (f *detailsForm) showFactsMark(fields []string) {
	var names []string
	for _, field := range fields {
		switch field {
		case checklist.RecordCancer:
			names = append(names, lang.X("details.cancer", "Type of cancer"))
		case checklist.RecordDiagnosis:
			names = append(names, lang.X("details.diagnosis", "Diagnosis"))
		case checklist.RecordStage:
			names = append(names, lang.X("details.stage", "Stage"))
		case checklist.RecordPlan:
			names = append(names, lang.X("details.plan", "Proposed plan"))
		}
	}
	if len(names) == 0 {
		f.factsRec.Hide()
		f.factsOK.Hide()
		return
	}
	setWrapText(f.factsRec, fmt.Sprintf(lang.X("details.facts.fromrec", "From your records: %s. Please check; changing a field, or pressing the button, marks it as yours."),
		strings.Join(names, lang.X("details.facts.sep", ", "))))
	f.factsRec.Show()
	f.factsOK.Show()
}

// confirmFacts marks the fields filled in from the reports as confirmed by the person, and keeps that.
func (f *detailsForm) confirmFacts() {
	for _, field := range slices.Clone(f.base.FromRecords) {
		f.base.Confirm(field)
	}
	f.showFactsMark(nil)
	d := f.value()
	if f.onAutosave != nil {
		if k, ok := f.keepable(); ok {
			d = *k
			f.base, f.dirty = d, false
			f.onAutosave(d)
			return
		}
	}
	f.touched()
}

// setInventory is called when records were added: the patient may now be known from them.
func (f *detailsForm) setInventory(inv *intake.Inventory, d checklist.Details) {
	f.inv = inv
	f.showFound()
	if !f.dirty {
		f.load(d)
		return
	}
	// Keep what the person is typing; fill in only what is still empty.
	f.loading = true
	if strings.TrimSpace(f.name.Text) == "" && strings.TrimSpace(f.birth.Text) == "" && strings.TrimSpace(f.patientID.Text) == "" {
		f.name.SetText(d.Patient.Name)
		f.birth.SetText(d.Patient.BirthDate)
		f.patientID.SetText(d.Patient.ID)
		f.base.Patient = d.Patient
	}
	f.loading = false
	f.updateMismatch()
}

// showFound lists what Dossier found of the patient's identity in the records (names, numbers,
// dates, and where each came from), which an export at a private level looks for and removes, so
// the person can check it is theirs and complete.
func (f *detailsForm) showFound() {
	f.found.Objects = nil
	if f.inv != nil && f.inv.Identity != nil && f.inv.Identity.Len() > 0 {
		l := newWrapLabel(lang.X("details.found", "Found in your records (a bundle without your name is checked for all of these; if something is missing, type it above):"))
		f.found.Add(l)
		for _, t := range f.inv.Identity.Tokens() {
			row := newWrapLabel("• " + uiMessage(deid.KindName(t.Kind)) + ": " + t.Value + " (" + t.Source + ")")
			f.found.Add(row)
		}
	}
	f.found.Refresh()
}

// setCancer shows a cancer type chosen beside the checklist.
func (f *detailsForm) setCancer(id string) {
	f.loading = true
	f.setCancerLoading(id)
	f.loading = false
	f.base.Cancer = id
}

func (f *detailsForm) setCancerLoading(id string) {
	for _, c := range f.cancers {
		if c.ID == id {
			f.cancer.SetSelected(cancerName(c))
			return
		}
	}
	f.cancer.ClearSelected()
}

// focus puts the cursor in the first field.
func (f *detailsForm) focus(w fyne.Window) { w.Canvas().Focus(f.questions) }

func (f *detailsForm) addShipment(s checklist.Shipment) {
	row := &shipmentRow{kept: s}
	changed := func(string) {
		if !f.loading {
			f.touched()
		}
	}
	row.kind = kit.NewSelect(checklist.ShipmentKinds(), shipmentKindLabel, func(string, bool) { changed("") })
	row.kind.Select.PlaceHolder = lang.X("details.what.hint", "What was sent?")
	row.kind.SetValue(s.Kind) // an unknown kind chooses nothing

	row.courier = widget.NewEntry()
	row.courier.SetPlaceHolder(lang.X("details.courier.hint", "For example: DHL"))
	row.courier.SetText(s.Courier)
	row.courier.OnChanged = changed
	row.tracking = widget.NewEntry()
	row.tracking.SetPlaceHolder(lang.X("details.tracking", "Tracking number"))
	row.tracking.SetText(s.Tracking)
	row.tracking.OnChanged = changed
	remove := newButtonWithIcon(lang.X("details.remove", "Remove"), theme.DeleteIcon(), nil)
	remove.OnTapped = func() {
		for i, r := range f.ships {
			if r == row {
				f.ships = append(f.ships[:i], f.ships[i+1:]...)
				break
			}
		}
		f.shipBox.Remove(row.object)
		f.touched()
	}
	form := widget.NewForm(widget.NewFormItem(lang.X("details.what", "What"), row.kind.Object()), widget.NewFormItem(lang.X("details.courier", "Courier"), row.courier),
		widget.NewFormItem(lang.X("details.tracking", "Tracking number"), row.tracking))
	row.object = newPanel(container.NewBorder(nil, container.NewHBox(remove), nil, nil, form),
		theme.ColorNameInputBackground, "")
	f.ships = append(f.ships, row)
	f.shipBox.Add(row.object)
}

// value reads the form into Details; fields the form does not show keep their values.
func (f *detailsForm) value() checklist.Details {
	d := f.base
	d.Questions = nil
	for _, q := range strings.Split(f.questions.Text, "\n") {
		if q = strings.TrimSpace(q); q != "" {
			d.Questions = append(d.Questions, q)
		}
	}
	p := checklist.Patient{Name: strings.TrimSpace(f.name.Text), BirthDate: strings.TrimSpace(f.birth.Text),
		ID: strings.TrimSpace(f.patientID.Text), Sex: f.base.Patient.Sex}
	p.FromRecords = f.base.Patient.FromRecords && p.Name == f.base.Patient.Name &&
		p.BirthDate == f.base.Patient.BirthDate && p.ID == f.base.Patient.ID
	d.Patient = p
	d.Cancer = ""
	for _, c := range f.cancers {
		if cancerName(c) == f.cancer.Selected {
			d.Cancer = c.ID
		}
	}
	d.Diagnosis = strings.TrimSpace(f.diagnosis.Text)
	d.DiagnosisDate = strings.TrimSpace(f.diagDate.Text)
	d.Stage = strings.TrimSpace(f.stage.Text)
	d.ProposedPlan = strings.TrimSpace(f.plan.Text)
	// A field filled in from the records stays marked so until the person changes it.
	d.FromRecords = slices.DeleteFunc(slices.Clone(f.base.FromRecords), func(field string) bool {
		switch field {
		case checklist.RecordCancer:
			return d.Cancer != f.base.Cancer
		case checklist.RecordDiagnosis:
			return d.Diagnosis != f.base.Diagnosis
		case checklist.RecordStage:
			return d.Stage != f.base.Stage
		case checklist.RecordPlan:
			return d.ProposedPlan != f.base.ProposedPlan
		}
		return false
	})
	if len(d.FromRecords) == 0 {
		d.FromRecords = nil
	}
	d.Urgency, _ = f.urgency.Value()
	d.Doctor = f.doctor.value(f.base.Doctor)
	d.RecordsOffice = f.office.value(f.base.RecordsOffice)
	d.Shipments = nil
	for _, r := range f.ships {
		s := r.kept
		s.Kind, _ = r.kind.Value()
		s.Courier, s.Tracking = strings.TrimSpace(r.courier.Text), strings.TrimSpace(r.tracking.Text)
		d.Shipments = append(d.Shipments, s)
	}
	return d
}

// sentence ends a clause as a sentence of the UI's language.
func sentence(s string) string {
	if englishUI() {
		return capitalize(s) + "."
	}
	return s + lang.X("sentence.end", ".")
}

// problems lists, kindly, what stops the details from being saved.
func (f *detailsForm) problems(d checklist.Details) []string {
	var out []string
	if err := checkDate(lang.X("details.birthdate.what", "the date of birth"), "1961-02-03", d.Patient.BirthDate); err != nil {
		out = append(out, sentence(err.Error()))
	}
	if err := checkDate(lang.X("details.diagdate.what", "the date of diagnosis"), "2026-03-14", d.DiagnosisDate); err != nil {
		out = append(out, sentence(err.Error()))
	}
	for i, s := range d.Shipments {
		if s.Kind == "" {
			out = append(out, fmt.Sprintf(lang.X("details.err.what", "Please choose what was sent for item %d sent by courier."), i+1))
		}
	}
	if len(out) == 0 {
		if err := d.Validate(); err != nil {
			out = append(out, lang.X("details.err.form", "Please check the form: {{.Err}}.", map[string]any{"Err": err.Error()}))
		}
	}
	return out
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// autosaveDelay is the pause in typing after which the details are kept.
const autosaveDelay = 700 * time.Millisecond

// touched notes a change by the person and keeps it once the typing pauses: nothing typed is lost
// when the app is closed without pressing Save.
func (f *detailsForm) touched() {
	f.dirty = true
	if f.onAutosave == nil || f.post == nil {
		return
	}
	f.autoGen++
	gen, post := f.autoGen, f.post
	time.AfterFunc(autosaveDelay, func() {
		post(func() {
			if gen == f.autoGen {
				f.autosave()
			}
		})
	})
}

// autosave keeps the details as typed; see keepable.
func (f *detailsForm) autosave() {
	if !f.dirty {
		return
	}
	if d, ok := f.keepable(); ok {
		f.base = *d
		f.dirty = !f.same(*d)
		f.onAutosave(*d)
	}
}

// keepable is the form's details as they can be kept now: a date still being written (or wrong)
// and a courier item without its kind keep their last saved values, so a half-typed date does not
// hold back the question typed beside it. ok is false when there is nothing valid to keep.
func (f *detailsForm) keepable() (*checklist.Details, bool) {
	d := f.value()
	if checkDate("", "1961-02-03", d.Patient.BirthDate) != nil {
		d.Patient.BirthDate = f.base.Patient.BirthDate
	}
	if checkDate("", "2026-03-14", d.DiagnosisDate) != nil {
		d.DiagnosisDate = f.base.DiagnosisDate
	}
	ships := d.Shipments[:0:0]
	for _, s := range d.Shipments {
		if s.Kind != "" {
			ships = append(ships, s)
		}
	}
	d.Shipments = ships
	if len(f.problems(d)) > 0 {
		return nil, false
	}
	return &d, true
}

// same reports whether the form shows exactly d.
func (f *detailsForm) same(d checklist.Details) bool {
	return reflect.DeepEqual(f.value(), d)
}

// submit checks the form and saves it, or says what to fix.
func (f *detailsForm) submit() {
	d := f.value()
	if probs := f.problems(d); len(probs) > 0 {
		setWrapText(f.errText, strings.Join(probs, "\n"))
		f.errText.Show()
		return
	}
	f.errText.Hide()
	f.base, f.dirty = d, false
	if f.onSave != nil {
		f.onSave(d)
	}
}

// updateMismatch flags differences between the patient typed in and the records.
func (f *detailsForm) updateMismatch() {
	d := f.base
	d.Patient.Name, d.Patient.BirthDate = strings.TrimSpace(f.name.Text), strings.TrimSpace(f.birth.Text)
	f.mismatch.RemoveAll()
	for _, m := range checklist.Mismatches(d, f.inv) {
		l := newWrapLabel(uiText(m))
		f.mismatch.Add(newPanel(container.NewBorder(nil, nil, container.NewCenter(widget.NewIcon(warnIcon())), nil, l),
			theme.ColorNameInputBackground, theme.ColorNameWarning))
	}
	if d.Patient == (checklist.Patient{}) || !f.base.Patient.FromRecords ||
		d.Patient.Name != f.base.Patient.Name || d.Patient.BirthDate != f.base.Patient.BirthDate {
		f.fromRec.Hide()
	} else {
		f.fromRec.Show()
	}
}
