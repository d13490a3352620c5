package summary

import (
	"context"
	"fmt"
	"testing"
	"time"

	"dossier/internal/fixture/reportfix"
)

// thousandPages makes 1,000 pages of report text from the corpus (each
// report a page, repeated under other file names).
func thousandPages() []Document {
	corpus := reportfix.Corpus()
	var docs []Document
	pages := 0
	for i := 0; pages < 1000; i++ {
		r := corpus[i%len(corpus)]
		d := Document{Path: fmt.Sprintf("doc%04d-%s", i, r.Name), Pages: Pages(r.Text)}
		pages += len(d.Pages)
		docs = append(docs, d)
	}
	return docs
}

// BenchmarkSummary1000Pages summarises 1,000 pages of report text; the
// target is under 2 seconds.
func BenchmarkSummary1000Pages(b *testing.B) {
	docs := thousandPages()
	if err := CheckVocabularies(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		if _, err := Read(context.Background(), docs); err != nil {
			b.Fatal(err)
		}
	}
	per := time.Since(start) / time.Duration(b.N)
	b.ReportMetric(per.Seconds(), "s/1000pages")
	if per > 2*time.Second {
		b.Errorf("1,000 pages took %v, want under 2 s", per)
	}
}
