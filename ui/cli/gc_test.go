package cli

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// gcSettings reads the collector's settings without changing them.
func gcSettings() (percent int, limit int64) {
	percent = debug.SetGCPercent(-1)
	debug.SetGCPercent(percent)
	return percent, debug.SetMemoryLimit(-1)
}

func TestCollectLater(t *testing.T) {
	if collecting.Load() {
		t.Skip("another command's setting is in force")
	}
	p0, l0 := gcSettings()
	if p0 < 0 || l0 != math.MaxInt64 {
		t.Skipf("the collector is set from outside: GOGC %d, limit %d", p0, l0)
	}

	restore := collectLater(64 << 20)
	if p, l := gcSettings(); p != -1 || l == math.MaxInt64 || l < 64<<20 {
		t.Errorf("during: GOGC %d, limit %d", p, l)
	}
	// A second command at the same time leaves the setting alone.
	collectLater(1 << 20)()
	if p, _ := gcSettings(); p != -1 {
		t.Errorf("a second command changed the setting: GOGC %d", p)
	}
	restore()
	restore()
	if p, l := gcSettings(); p != p0 || l != l0 {
		t.Errorf("after: GOGC %d, limit %d; want %d, %d", p, l, p0, l0)
	}

	// The first collection puts the collector back by itself.
	collectLater(64 << 20)
	runtime.GC()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if p, l := gcSettings(); p == p0 && l == l0 && !collecting.Load() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the collector was not put back after a collection")
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}

	// GOGC in the environment is the user's choice.
	t.Setenv("GOGC", "100")
	collectLater(64 << 20)
	if p, _ := gcSettings(); p != p0 || collecting.Load() {
		t.Errorf("with GOGC set: GOGC %d", p)
	}
}
