package export

import (
	"context"
	"errors"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"dossier/packager/bundle"
	pexport "dossier/packager/export"
	"dossier/ui/internal/kit"
)

// --- Step 4: progress ---

func (w *Wizard) buildProgress() fyne.CanvasObject {
	w.bar = widget.NewProgressBar()
	w.current = widget.NewLabel("")
	w.current.Truncation = fyne.TextTruncateEllipsis
	w.timeLeft = widget.NewLabel("")
	note := kit.NewWrapLabel(lang.X("export.note", "Your original files are only read, never changed. If you cancel, nothing is left behind."))
	return container.NewVBox(w.bar, w.current, w.timeLeft, note)
}

func (w *Wizard) startExport() {
	ch, err := w.choices()
	if err != nil {
		w.errBox.Show(kit.Problem{Title: lang.X("export.almost", "Almost there"), What: err.Error(), Todo: lang.X("export.almost.todo", "Change this above, then press “Make the bundle” again.")})
		return
	}
	c := w.in
	var st pexport.Store
	if w.st != nil {
		st = w.st
	}
	hook := w.packHook
	w.show(StepProgress)
	w.bar.SetValue(0)
	w.current.SetText(lang.X("export.gettingready", "Getting ready…"))
	w.timeLeft.SetText("")
	w.started = time.Now()
	w.packing = kit.Start(w.run, context.Background(), func(ctx context.Context, report func(bundle.Progress)) (*pexport.Result, error) {
		return pexport.Send(ctx, st, c, ch, func(p bundle.Progress) {
			if hook != nil {
				hook(p)
			}
			report(p)
		})
	}, w.showProgress, w.exportDone)
}

func (w *Wizard) showProgress(p bundle.Progress) {
	if p.TotalBytes > 0 {
		w.bar.SetValue(float64(p.Bytes) / float64(p.TotalBytes))
	}
	switch {
	case p.Total > 0 && p.Done >= p.Total:
		w.current.SetText(lang.X("export.checking", "Checking what was written…"))
	case p.Current != "":
		w.current.SetText(fmt.Sprintf(lang.X("export.fileof", "File %d of %d: %s"), min(p.Done+1, p.Total), p.Total, p.Current))
	}
	w.timeLeft.SetText(timeLeft(time.Since(w.started), p.Bytes, p.TotalBytes))
}

// timeLeft estimates the time left from the bytes written so far.
func timeLeft(elapsed time.Duration, done, total int64) string {
	if done <= 0 || total <= 0 || elapsed < time.Second {
		return lang.X("export.eta.unknown", "Working out how long this takes…")
	}
	left := time.Duration(float64(elapsed) * float64(total-done) / float64(done))
	switch {
	case left < 10*time.Second:
		return lang.X("export.eta.almost", "Almost done.")
	case left < time.Minute:
		return lang.X("export.eta.minute", "Less than a minute left.")
	case left < 90*time.Second: // rounded, "1 minutes"
		return lang.X("export.eta.oneminute", "About a minute left.")
	case left < 90*time.Minute:
		return lang.X("export.eta.minutes", "About {{.N}} minutes left.", map[string]any{"N": int(left.Minutes() + 0.5)})
	}
	return lang.X("export.eta.hours", "About {{.N}} hours left.", map[string]any{"N": int(left.Hours() + 0.5)})
}

func (w *Wizard) exportDone(res *pexport.Result, err error) {
	w.packing = nil
	switch {
	case errors.Is(err, pexport.ErrNotRecorded) && res != nil:
		// The bundle is complete; only its history row is missing. Show the
		// passphrase anyway, or the bundle would be useless.
		w.result = res
		w.show(StepDone)
		w.setInfo(lang.X("export.historyerr", "The bundle is ready, but it could not be added to this case's history of what was sent."))
	case errors.Is(err, context.Canceled):
		w.show(StepRecipient)
		w.setInfo(lang.X("export.stopped", "Stopped. Nothing was saved, and nothing was left behind. You can start again when you like."))
	case err != nil:
		w.show(StepRecipient)
		w.errBox.Show(kit.Explain(err, kit.Problem{Title: lang.X("export.failed", "The bundle could not be made"),
			What: lang.X("export.failed.what", "Something went wrong while making the bundle. Nothing was left behind in the folder you chose.")}))
	default:
		w.result = res
		w.show(StepDone)
		if w.d.OnSent != nil {
			w.d.OnSent()
		}
	}
}
