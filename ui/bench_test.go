package ui

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"dossier/packager/intake"
	"dossier/packager/store"
)

// bigInventory is a case of n items: a tenth of them DICOM (20 studies of 5 series), half reports,
// the rest photos and other files.
func bigInventory(n int) *intake.Inventory {
	var items []*intake.Item
	dicom := n / 10
	for i := 0; i < dicom; i++ {
		st, se := i%20, (i/20)%5
		items = append(items, &intake.Item{Path: fmt.Sprintf("/cd/DICOM/ST%02d/SE%02d/IM%05d", st, se, i), Kind: intake.KindDICOM,
			Format: "dicom", Size: 500_000, Modality: "CT", SOPInstanceUID: fmt.Sprintf("1.2.3.%d.%d.%d", st, se, i),
			StudyInstanceUID: fmt.Sprintf("1.2.3.%d", st), SeriesInstanceUID: fmt.Sprintf("1.2.3.%d.%d", st, se), InstanceNumber: int32(i),
			DICOM: &intake.DICOMDetail{StudyDate: "2026-03-12", StudyDescription: "CT CHEST", SeriesNumber: se + 1,
				SeriesDescription: "AXIAL"}})
	}
	for i := len(items); i < n; i++ {
		switch {
		case i < n*6/10:
			items = append(items, &intake.Item{Path: fmt.Sprintf("/portal/reports/report %05d.pdf", i), Kind: intake.KindPDF, Format: "pdf", Size: 120_000})
		case i < n*9/10:
			items = append(items, &intake.Item{Path: fmt.Sprintf("/phone/IMG_%05d.jpg", i), Kind: intake.KindImage, Format: "jpeg", Size: 2_400_000})
		default:
			items = append(items, &intake.Item{Path: fmt.Sprintf("/cd/misc/FILE%05d.TXT", i), Kind: intake.KindOther, Format: "txt", Size: 400})
		}
	}
	return intake.Group(items, nil)
}

// BenchmarkOpenCase5000 opens a stored case of 5,000 items from the list of cases and measures the
// time until the inventory is drawn for the first time (the first screen). It then scrolls the
// inventory one screen at a time and reports how many rows the tree filled per row shown: about 1
// means that scrolling only fills the rows that come into view.
func BenchmarkOpenCase5000(b *testing.B) {
	home := b.TempDir()
	b.Setenv("DOSSIER_HOME", home)
	st, err := store.Open(context.Background(), filepath.Join(home, store.FileName))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	c, err := st.CreateCase(ctx, "Big case")
	if err != nil {
		b.Fatal(err)
	}
	if err := st.SaveInventory(ctx, c.ID, bigInventory(5000)); err != nil {
		b.Fatal(err)
	}
	a := test.NewTempApp(b)
	a.Preferences().SetBool(prefGuideSeen, true)

	var perRow, created float64
	var first time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		loop := newUILoop()
		v := newMainView(a, Config{Store: realStore{st}}, loop.post)
		v.win.Resize(fyne.NewSize(1000, 700))
		start := time.Now()
		v.openCase(c)
		for v.tree == nil || v.tree.updates == 0 {
			if !loop.Next(10 * time.Second) {
				b.Fatal("the case did not open")
			}
			if v.tree != nil {
				v.win.Canvas().(test.WindowlessCanvas).Capture() // draw, as the first frame does
			}
		}
		first += time.Since(start)
		if len(v.inv.Items) != 5000 {
			b.Fatalf("%d items", len(v.inv.Items))
		}

		b.StopTimer()
		// Scroll the inventory a screen at a time, counting the rows filled.
		tree := v.treeWidget
		pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(tree).Add(fyne.NewPos(40, 40))
		visible := float64(tree.Size().Height) / float64(newInvRow().MinSize().Height+1)
		creates0, updates0 := v.tree.creates, v.tree.updates
		const steps = 40
		for s := 0; s < steps; s++ {
			test.Scroll(v.win.Canvas(), pos, 0, -tree.Size().Height)
		}
		perRow += float64(v.tree.updates-updates0) / (steps * visible)
		created += float64(v.tree.creates - creates0)
		// Let the checklist finish before the next round.
		deadline := time.Now().Add(60 * time.Second)
		for !idle(v)() {
			if !loop.Next(time.Until(deadline)) {
				b.Fatal("the checklist did not finish")
			}
		}
		v.win.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(first.Milliseconds())/float64(b.N), "ms/first-screen")
	b.ReportMetric(perRow/float64(b.N), "fills/row-shown")
	b.ReportMetric(created/float64(b.N), "rows-made-while-scrolling")
}
