package cli

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// Memory of the commands that hold a whole case (pack): Go's default lets the heap grow to twice
// what is live before it collects, and a pack of 30,000 files, which keeps a few hundred bytes of
// each until the end (and the inventory), then takes twice the memory it needs. These commands
// collect instead when the heap is 30% larger than what was live after the last collection
// (heapRatio), but never before it reaches heapFloor: small cases, whose heap stays below the
// floor, collect no more often than before. At 1.5 the 30,000-file pack peaked about 15 MiB
// higher; 1.3 became affordable once a pack allocated a fifth less (the DICOM readers reuse
// their buffers): its CPU time stayed about what it was at 1.5 before. 1.2 cost about a quarter
// more CPU.
const (
	heapFloor = 48 << 20
	heapRatio = 1.3
)

// defaultMemProfileRate is Go's own sampling of allocations for heap profiles: one sample in
// every 512 KiB allocated, each kept with its call stack.
const defaultMemProfileRate = 512 * 1024

// Allocations are not sampled unless DOSSIER_MEMPROFILE asks for a heap profile (heapPeaks
// samples them again then): nothing else reads the samples, and the call stacks kept for them
// were 1.5 MiB of the 30,000-file pack's resident memory at its peak (a pack allocates about
// 2.6 GB). A rate set by GODEBUG=memprofilerate is left as it is.
func init() {
	if os.Getenv(envMemProfile) == "" && runtime.MemProfileRate == defaultMemProfileRate {
		runtime.MemProfileRate = 0
	}
}

// tightMemory sets the collector as above until the returned function is called, which restores
// the settings it found. It replaces the collector's percentage (GOGC) with a memory limit
// (debug.SetMemoryLimit) that it moves after each collection to the live heap times heapRatio,
// plus what the runtime holds besides the heap; the limit is never below heapFloor. A limit set
// by the user (GOMEMLIMIT), or a percentage (GOGC), is kept: then nothing is changed.
func tightMemory() (restore func()) {
	if os.Getenv("GOGC") != "" {
		return func() {}
	}
	t := startTuner(heapFloor, heapRatio)
	if t == nil {
		return func() {}
	}
	return t.stop
}

// startTuner starts a gcTuner, or returns nil when a memory limit is set already.
func startTuner(floor int64, ratio float64) *gcTuner {
	if debug.SetMemoryLimit(-1) != math.MaxInt64 {
		return nil
	}
	t := &gcTuner{floor: floor, ratio: ratio}
	t.gcPercent = debug.SetGCPercent(-1)
	debug.SetMemoryLimit(t.floor)
	t.arm()
	return t
}

// gcTuner moves the memory limit after each collection (see tightMemory).
type gcTuner struct {
	floor     int64
	ratio     float64
	gcPercent int

	mu      sync.Mutex
	stopped bool
	limits  int // how many times the limit was moved (for the tests)
}

// sentinel is an object nothing refers to: its finalizer runs after each collection.
type sentinel struct {
	t   *gcTuner
	pad [16]byte // not a tiny object, whose finalizer may never run
}

func (t *gcTuner) arm() {
	runtime.SetFinalizer(&sentinel{t: t}, func(s *sentinel) { s.t.collected() })
}

// collected sets the limit for the heap that the collection just found live.
func (t *gcTuner) collected() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped {
		return
	}
	debug.SetMemoryLimit(t.limit())
	t.limits++
	t.arm()
}

// memorySamples are what limit reads: the live heap, and what the runtime holds in all and how
// much of that is the heap.
var memorySamples = []string{
	"/gc/heap/live:bytes",
	"/memory/classes/total:bytes",
	"/memory/classes/heap/released:bytes",
	"/memory/classes/heap/objects:bytes",
	"/memory/classes/heap/unused:bytes",
	"/memory/classes/heap/free:bytes",
}

// limit is the memory limit for the heap found live by the last collection.
func (t *gcTuner) limit() int64 {
	s := make([]metrics.Sample, len(memorySamples))
	for i, n := range memorySamples {
		s[i].Name = n
	}
	metrics.Read(s)
	v := make([]int64, len(s))
	for i := range s {
		if s[i].Value.Kind() == metrics.KindUint64 {
			v[i] = int64(s[i].Value.Uint64())
		}
	}
	live, total, released, objects, unused, free := v[0], v[1], v[2], v[3], v[4], v[5]
	other := max(total-released-objects-unused-free, 0) // stacks, the collector's own data, ...
	return max(t.floor, int64(float64(live)*t.ratio)+other)
}

func (t *gcTuner) stop() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped {
		return
	}
	t.stopped = true
	debug.SetMemoryLimit(math.MaxInt64)
	debug.SetGCPercent(t.gcPercent)
}
