package export

import (
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
)

// BenchmarkStepTwo3000 shows step 2 of "Send to a specialist" for a disc of 3,000 ultrasound images,
// which all need a decision, and 3,000 files left out: the time to build and draw the step.
func BenchmarkStepTwo3000(b *testing.B) {
	test.NewTempApp(b)
	w, win := manyReviewWizard(b, 3000)
	defer win.Close()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		w.fillDecisions()
		win.Canvas().(test.WindowlessCanvas).Capture()
	}
	b.ReportMetric(float64(time.Since(start).Milliseconds())/float64(b.N), "ms/step-2")
}
