package cli

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
)

// scanHeadroom is how far the heap of `dossier scan` may grow before its first
// collection (see collectLater).
const scanHeadroom = 24 << 20

// collecting is set while collectLater's setting is in force (one command at a time).
var collecting atomic.Bool

// collectLater lets the Go heap grow by headroom before the garbage collector first runs, and
// returns the function that puts the collector back as it was; the collector is put back by
// itself after that first collection too. Start-up leaves several MiB of tables (the DICOM
// dictionary, the toolkit's translations) that every collection marks again, and a short
// command that allocates little would otherwise spend a tenth of its time collecting: a scan
// of a CD then never collects. A command that goes on allocating past the headroom (a scan of
// tens of thousands of files) collects as usual from then on, with GOGC's default headroom, so
// its peak memory is what it would have been. A GOGC or GOMEMLIMIT in the environment is left
// as it is.
func collectLater(headroom uint64) (restore func()) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" || !collecting.CompareAndSwap(false, true) {
		return func() {}
	}
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(s)
	used := s[0].Value.Uint64() - s[1].Value.Uint64()
	percent := debug.SetGCPercent(-1)
	limit := debug.SetMemoryLimit(int64(min(used+headroom, math.MaxInt64)))
	var once sync.Once
	restore = func() {
		once.Do(func() {
			debug.SetGCPercent(percent)
			debug.SetMemoryLimit(limit)
			collecting.Store(false)
		})
	}
	// The first collection finds the sentinel unreachable and runs its cleanup.
	sentinel := new(struct{ _ *int })
	runtime.AddCleanup(sentinel, func(struct{}) { restore() }, struct{}{})
	return restore
}
