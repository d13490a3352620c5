package cli

import (
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"runtime/trace"
	"sync"
	"time"
)

// Environment switches for developers: a CPU profile, a heap profile and a runtime trace of a
// whole command.
const (
	envCPUProfile = "DOSSIER_CPUPROFILE" // a file to write a CPU profile into (go tool pprof)
	envMemProfile = "DOSSIER_MEMPROFILE" // a file to write a heap profile at the heap's peak into (go tool pprof)
	envTrace      = "DOSSIER_TRACE"      // a file to write a runtime trace into (go tool trace)
)

// startProfiling starts what DOSSIER_CPUPROFILE, DOSSIER_MEMPROFILE and DOSSIER_TRACE ask for and returns the function
// that stops it and closes the files. With neither set it does nothing. A file that cannot be
// created is an error: a developer who asked for a profile should not get a run without one.
func startProfiling() (stop func() error, err error) {
	var stops []func() error
	stop = func() error {
		var first error
		for i := len(stops) - 1; i >= 0; i-- {
			if err := stops[i](); err != nil && first == nil {
				first = err
			}
		}
		return first
	}
	if path := os.Getenv(envCPUProfile); path != "" {
		f, err := os.Create(path)
		if err != nil {
			return stop, fmt.Errorf("%s: %w", envCPUProfile, err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return stop, fmt.Errorf("%s: %w", envCPUProfile, err)
		}
		stops = append(stops, func() error { pprof.StopCPUProfile(); return f.Close() })
	}
	if path := os.Getenv(envMemProfile); path != "" {
		f, err := os.Create(path)
		if err != nil {
			return stop, fmt.Errorf("%s: %w", envMemProfile, err)
		}
		stops = append(stops, heapPeaks(f))
	}
	if path := os.Getenv(envTrace); path != "" {
		f, err := os.Create(path)
		if err != nil {
			return stop, fmt.Errorf("%s: %w", envTrace, err)
		}
		if err := trace.Start(f); err != nil {
			f.Close()
			return stop, fmt.Errorf("%s: %w", envTrace, err)
		}
		stops = append(stops, func() error { trace.Stop(); return f.Close() })
	}
	return stop, nil
}

// runProfiled runs the command line under the profiles the environment asks for (see
// startProfiling); it is what Run does.
func runProfiled(env *Env, run func() int) int {
	stop, err := startProfiling()
	if err != nil {
		stop()
		fmt.Fprintf(env.Stderr, "dossier: error: %v\n", err)
		return ExitFailure
	}
	code := run()
	if err := stop(); err != nil {
		fmt.Fprintf(env.Stderr, "dossier: error: writing the profile: %v\n", err)
		if code == ExitOK {
			code = ExitFailure
		}
	}
	return code
}

// heapPeaks writes a heap profile into f each time the live heap has grown by a tenth over the
// last one written (checked every 50 ms), and once more at the end if the heap is then at its
// largest, so that f ends up holding the profile of the heap at its peak: what a command holds
// when its resident memory is highest. Its in-use figures are the live objects of the last
// garbage collection before that point. The returned function stops it and closes f.
func heapPeaks(f *os.File) func() error {
	if runtime.MemProfileRate == 0 {
		runtime.MemProfileRate = defaultMemProfileRate // see memory.go's init
	}
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	live := func() uint64 {
		metrics.Read(sample)
		if sample[0].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return sample[0].Value.Uint64()
	}
	var (
		mu      sync.Mutex
		written uint64
		werr    error
	)
	write := func(force bool) {
		mu.Lock()
		defer mu.Unlock()
		n := live()
		if !force && n < written+written/10+1 {
			return
		}
		written = n
		if err := f.Truncate(0); err != nil {
			werr = err
			return
		}
		if _, err := f.Seek(0, 0); err != nil {
			werr = err
			return
		}
		werr = pprof.Lookup("heap").WriteTo(f, 0)
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				write(false)
			}
		}
	}()
	return func() error {
		close(done)
		wg.Wait()
		runtime.GC()
		write(written == 0)
		if werr != nil {
			f.Close()
			return werr
		}
		return f.Close()
	}
}
