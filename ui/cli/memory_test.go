package cli

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// The tuner collects by a memory limit that follows the live heap: the floor while little is
// live, the live heap and a half (and what the runtime holds besides) when much is; it gives
// back the collector's settings when it stops, and leaves a limit the user set alone.
func TestTightMemory(t *testing.T) {
	const floor = 32 << 20
	tu := startTuner(floor, 1.5)
	if tu == nil {
		t.Fatal("no tuner without a limit")
	}
	defer tu.stop()
	if got := debug.SetMemoryLimit(-1); got != floor {
		t.Errorf("limit %d at the start, want the floor %d", got, floor)
	}
	collect := func() {
		t.Helper()
		tu.mu.Lock()
		n := tu.limits
		tu.mu.Unlock()
		runtime.GC()
		for end := time.Now().Add(5 * time.Second); ; {
			tu.mu.Lock()
			moved := tu.limits > n
			tu.mu.Unlock()
			if moved {
				return
			}
			if time.Now().After(end) {
				t.Fatal("the limit was not moved after a collection")
			}
			runtime.Gosched()
			time.Sleep(time.Millisecond)
		}
	}
	collect()
	if got := debug.SetMemoryLimit(-1); got != floor {
		t.Errorf("limit %d with little live, want the floor %d", got, floor)
	}
	held := make([][]byte, 64)
	for i := range held {
		held[i] = make([]byte, 1<<20)
	}
	collect()
	got := debug.SetMemoryLimit(-1)
	if got < 96<<20 || got > 160<<20 {
		t.Errorf("limit %d MiB with 64 MiB live, want about 96 MiB and what the runtime holds besides", got>>20)
	}
	runtime.KeepAlive(held)
	tu.stop()
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("limit %d after stopping", got)
	}
	if p := debug.SetGCPercent(100); p != 100 {
		t.Errorf("GOGC %d after stopping, want 100 as it was", p)
	}

	debug.SetMemoryLimit(1 << 40) // as GOMEMLIMIT would
	defer debug.SetMemoryLimit(math.MaxInt64)
	if startTuner(floor, 1.5) != nil || debug.SetMemoryLimit(-1) != 1<<40 {
		t.Error("the tuner changed a limit the user set")
	}
}
