package cli

import (
	"fmt"
	"os"
	"runtime/pprof"
	"runtime/trace"
)

// Environment switches for developers: a CPU profile and a runtime trace of a whole command.
const (
	envCPUProfile = "DOSSIER_CPUPROFILE" // a file to write a CPU profile into (go tool pprof)
	envTrace      = "DOSSIER_TRACE"      // a file to write a runtime trace into (go tool trace)
)

// startProfiling starts what DOSSIER_CPUPROFILE and DOSSIER_TRACE ask for and returns the function
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
