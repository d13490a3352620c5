package ui

import (
	"context"
	"testing"

	"fyne.io/fyne/v2/test"
)

// TestCaseNamedAfterARestart: a case Dossier named after its patient ("Jane Doe") is named after
// the diagnosis too when the cancer type is chosen after a restart ("Jane Doe – breast cancer"), as
// it is in the run that made it; a case renamed by the person keeps its name across a restart.
func TestCaseNamedAfterARestart(t *testing.T) {
	a := test.NewTempApp(t)
	a.Preferences().SetBool(prefGuideSeen, true)
	v, loop, rs := newStoreView(t, a)
	v.add([]string{writeFiles(t, breastReports())})
	loop.until(t, "the scan and the checklist", func() bool { return idle(v)() && v.checks.report != nil })
	d := v.checks.details
	d.Patient.Name = "DOE^JANE"
	d.Cancer = "other" // not known yet
	v.saveDetails(d)
	loop.until(t, "saving", idle(v))
	if v.caseName != "Jane Doe" {
		t.Fatalf("case named %q", v.caseName)
	}
	v.closed()

	// restart opens the stored case in a new window of the same app, as a new start of Dossier does.
	restart := func() (*mainView, *uiLoop) {
		l := newUILoop()
		w := newMainView(a, Config{Store: rs, Scan: realScan}, l.post)
		t.Cleanup(w.win.Close)
		l.until(t, "the list of cases", func() bool { return w.cases != nil && len(w.cases.shown) == 1 })
		w.cases.list.Select(0)
		l.until(t, "the case", func() bool { return w.inv != nil && idle(w)() && w.checks.report != nil })
		return w, l
	}
	storedName := func() string {
		cs, err := rs.Cases(context.Background())
		if err != nil || len(cs) != 1 {
			t.Fatalf("cases %v, %v", cs, err)
		}
		return cs[0].Name
	}

	v2, loop2 := restart()
	v2.setCancer("breast")
	loop2.until(t, "saving", idle(v2))
	if v2.caseName != "Jane Doe – breast cancer" || v2.win.Title() != "Jane Doe – breast cancer – Dossier" {
		t.Errorf("after a restart the case is %q, the window %q", v2.caseName, v2.win.Title())
	}
	if got := storedName(); got != "Jane Doe – breast cancer" {
		t.Errorf("stored name %q", got)
	}
	v2.closed()

	// Renamed by the person: the name stays through a restart.
	id := v2.caseID
	if err := rs.RenameCase(context.Background(), id, "Mum's records"); err != nil {
		t.Fatal(err)
	}
	v3, loop3 := restart()
	v3.setCancer("lung")
	loop3.until(t, "saving", idle(v3))
	if v3.caseName != "Mum's records" || storedName() != "Mum's records" {
		t.Errorf("a name the person chose became %q (stored %q)", v3.caseName, storedName())
	}
}
