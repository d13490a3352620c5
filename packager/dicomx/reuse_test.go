package dicomx

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"testing/quick"
	"unsafe"

	"dossier/internal/fixture/dcmfix"
	"dossier/internal/testtool"
	"dossier/packager/dicomwire"
)

// TestReusedReadersLeaveNothingBehind reads pydicom's corpus and a
// DICOMDIR forwards, backwards and on several goroutines at once: readers
// are reused from file to file, and no file's header may depend on what
// was read before it.
func TestReusedReadersLeaveNothingBehind(t *testing.T) {
	var paths []string
	filepath.WalkDir(testtool.PydicomData(t), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			paths = append(paths, p)
		}
		return nil
	})
	dir := t.TempDir()
	var entries []dcmfix.DirEntry
	for i := range 40 {
		entries = append(entries, dcmfix.DirEntry{Path: fmt.Sprintf("DICOM/SE%06d/IM%06d", i%3, i), PatientName: "Doe^Jane", PatientID: "P1",
			StudyUID: "1.2.3.1", SeriesUID: fmt.Sprintf("1.2.3.1.%d", i%3), SOPUID: fmt.Sprintf("1.2.3.1.1.%d", i), Modality: "CT", SeriesNumber: i % 3, InstanceNumber: i})
	}
	dd := filepath.Join(dir, "DICOMDIR")
	if err := os.WriteFile(dd, dcmfix.DICOMDIR(dir, entries), 0o644); err != nil {
		t.Fatal(err)
	}
	paths = append(paths, dd)
	if len(paths) < 100 {
		t.Fatalf("only %d files", len(paths))
	}

	type result struct {
		h   *Header
		err string
	}
	read := func(p string) result {
		h, err := ReadHeaderFile(context.Background(), p)
		r := result{h: h}
		if err != nil {
			r.err = err.Error()
		}
		return r
	}
	first := map[string]result{}
	for _, p := range paths {
		first[p] = read(p)
	}
	if r := first[dd]; r.h == nil || len(r.h.DirRecords) < 40 {
		t.Fatalf("the DICOMDIR: %+v", r)
	}
	check := func(how, p string, r result) {
		if !reflect.DeepEqual(r, first[p]) {
			t.Errorf("%s, %s: %+v\nfirst read: %+v", how, filepath.Base(p), r, first[p])
		}
	}
	for i := len(paths) - 1; i >= 0; i-- {
		check("backwards", paths[i], read(paths[i]))
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	for g := range 4 {
		wg.Go(func() {
			for i := range paths {
				p := paths[(i*7+g*13)%len(paths)]
				r := read(p)
				mu.Lock()
				check("at once", p, r)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
}

func TestLastValuesGiveWhatTrimAndSplitGive(t *testing.T) {
	var l lastValues
	inputs := []string{"", " ", "\\", "ORIGINAL\\PRIMARY\\AXIAL", "ORIGINAL\\PRIMARY\\AXIAL ", " A \\ B\x00", "A\\\\B", "ORIGINAL\\SECONDARY", "x\x00\x00", "\\\\\\"}
	for round := range 2 {
		for _, in := range inputs {
			b := []byte(in)
			if got, want := l.trim(round, b), trimValue(b); got != want {
				t.Errorf("trim(%q) = %q, want %q", in, got, want)
			}
			if got, want := l.split(round, b), splitValue(b); !reflect.DeepEqual(got, want) {
				t.Errorf("split(%q) = %q, want %q", in, got, want)
			}
		}
	}
	f := func(i uint8, b []byte) bool {
		n := int(i % maxVals)
		return l.trim(n, b) == trimValue(b) && reflect.DeepEqual(l.split(n, b), splitValue(b))
	}
	if err := quick.Check(f, &quick.Config{MaxCount: 20000}); err != nil {
		t.Error(err)
	}
	// A repeated value is the same string, not a copy.
	a, b := l.trim(3, []byte("1.2.840.10008.5.1.4.1.1.2 ")), l.trim(3, []byte(" 1.2.840.10008.5.1.4.1.1.2"))
	if unsafe.StringData(a) != unsafe.StringData(b) {
		t.Error("a repeated value was copied")
	}
}

func TestLastValuesKeepTheirOwnCopy(t *testing.T) {
	// A caller may change the slice it gets (intake interns its strings in
	// place); the next file's values must not see that.
	var l lastValues
	a := l.split(0, []byte(`ORIGINAL\PRIMARY`))
	a[0] = "CHANGED"
	if b := l.split(0, []byte(`ORIGINAL\PRIMARY`)); b[0] != "ORIGINAL" || &a[0] == &b[0] {
		t.Errorf("second split = %q", b)
	}
}

// TestReusedLayoutBuffersLeaveNothingBehind: ReadLayout reuses its window's
// buffer from file to file; each layout of pydicom's corpus, read forwards,
// backwards and on several goroutines at once, is the one a window of its
// own reads.
func TestReusedLayoutBuffersLeaveNothingBehind(t *testing.T) {
	var paths []string
	filepath.WalkDir(testtool.PydicomData(t), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			paths = append(paths, p)
		}
		return nil
	})
	type result struct {
		l   *Layout
		err string
	}
	layout := func(p string, fresh bool) result {
		f, err := os.Open(p)
		if err != nil {
			return result{err: err.Error()}
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			return result{err: err.Error()}
		}
		var l *Layout
		if fresh {
			l, err = readLayout(context.Background(), dicomwire.NewWindow(f, st.Size()), f, st.Size())
		} else {
			l, err = ReadLayout(context.Background(), f, st.Size())
		}
		r := result{l: l}
		if err != nil {
			r.err = err.Error()
		}
		return r
	}
	want := map[string]result{}
	good := 0
	for _, p := range paths {
		want[p] = layout(p, true)
		if want[p].l != nil {
			good++
		}
	}
	if good < 50 {
		t.Fatalf("only %d layouts of %d files", good, len(paths))
	}
	check := func(how, p string) {
		if r := layout(p, false); !reflect.DeepEqual(r, want[p]) {
			t.Errorf("%s, %s: %+v\nown window: %+v", how, filepath.Base(p), r, want[p])
		}
	}
	for _, p := range paths {
		check("forwards", p)
	}
	for i := len(paths) - 1; i >= 0; i-- {
		check("backwards", paths[i])
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range paths {
				check("concurrently", paths[(i*7+g*13)%len(paths)])
			}
		})
	}
	wg.Wait()
}

// TestListsAreShared: a multi-valued field (a series' Image Type) that
// repeats the reader's last value is that value's slice; a different value
// gets its own, and headers read through a reused reader stay right.
func TestListsAreShared(t *testing.T) {
	var l lastValues
	a := l.split(0, []byte("ORIGINAL\\PRIMARY\\AXIAL "))
	b := l.split(0, []byte("ORIGINAL\\PRIMARY\\AXIAL"))
	c := l.split(0, []byte("ORIGINAL\\PRIMARY"))
	d := l.split(0, []byte("ORIGINAL\\PRIMARY\\AXIAL\\X"))
	e := l.split(0, []byte(""))
	f := l.split(0, []byte(""))
	if !reflect.DeepEqual(a, []string{"ORIGINAL", "PRIMARY", "AXIAL"}) || !reflect.DeepEqual(c, []string{"ORIGINAL", "PRIMARY"}) ||
		!reflect.DeepEqual(d, []string{"ORIGINAL", "PRIMARY", "AXIAL", "X"}) || !reflect.DeepEqual(e, []string{""}) || !reflect.DeepEqual(f, e) {
		t.Fatalf("split: %q %q %q %q %q", a, c, d, e, f)
	}
	if unsafe.SliceData(a) != unsafe.SliceData(b) || unsafe.SliceData(e) != unsafe.SliceData(f) {
		t.Error("the same value twice in a row is two slices")
	}
	if unsafe.SliceData(c) == unsafe.SliceData(a) || unsafe.SliceData(d) == unsafe.SliceData(c) {
		t.Error("a different value shares the last one's slice")
	}
	if !reflect.DeepEqual(a, []string{"ORIGINAL", "PRIMARY", "AXIAL"}) {
		t.Errorf("a slice handed out changed: %q", a)
	}
}
