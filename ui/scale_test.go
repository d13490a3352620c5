package ui

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"dossier/packager/store"
)

// TestCaseOf30000Items opens a stored case of 30,000 items (the size of ten CDs): the inventory
// is drawn while the checklist still works in the background, the tree makes rows only for what is
// in view, and scrolling a screen fills about a screen of rows.
func TestCaseOf30000Items(t *testing.T) {
	if testing.Short() {
		t.Skip("a case of 30,000 items")
	}
	home := t.TempDir()
	t.Setenv("DOSSIER_HOME", home)
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(home, store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c, err := st.CreateCase(ctx, "Ten CDs")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SaveInventory(ctx, c.ID, bigInventory(30000)); err != nil {
		t.Fatal(err)
	}
	a := test.NewTempApp(t)
	a.Preferences().SetBool(prefGuideSeen, true)
	loop := newUILoop()
	v := newMainView(a, Config{Store: realStore{st}}, loop.post)
	v.win.Resize(fyne.NewSize(1000, 700))
	v.openCase(c)
	deadline := time.Now().Add(2 * time.Minute)
	for v.tree == nil || v.tree.updates == 0 {
		if !loop.Next(time.Until(deadline)) {
			t.Fatal("the case of 30,000 items was not drawn")
		}
		if v.tree != nil {
			v.win.Canvas().(test.WindowlessCanvas).Capture()
		}
	}
	if len(v.inv.Items) != 30000 {
		t.Fatalf("%d items", len(v.inv.Items))
	}
	tree := v.treeWidget
	visible := float64(tree.Size().Height) / float64(newInvRow().MinSize().Height+1)
	if made := float64(v.tree.creates); made > 3*visible+10 {
		t.Errorf("the first screen made %.0f rows for about %.0f in view", made, visible)
	}
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(tree).Add(fyne.NewPos(40, 40))
	updates0 := v.tree.updates
	const steps = 20
	for range steps {
		test.Scroll(v.win.Canvas(), pos, 0, -tree.Size().Height)
	}
	perRow := float64(v.tree.updates-updates0) / (steps * visible)
	t.Logf("%.0f rows in view, %d made in all, %.2f filled per row shown while scrolling", visible, v.tree.creates, perRow)
	if perRow > 2 || perRow < 0.5 {
		t.Errorf("scrolling filled %.2f rows for each row shown, not about one", perRow)
	}
	for !idle(v)() {
		if !loop.Next(time.Until(deadline)) {
			t.Fatal("the checklist did not finish")
		}
	}
	v.win.Close()
}
