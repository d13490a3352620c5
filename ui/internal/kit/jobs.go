package kit

import (
	"context"
	"fmt"
	"sync"
	"time"

	"fyne.io/fyne/v2"
)

// ProgressInterval is the shortest gap between two progress deliveries to the UI (at most 20 a second).
const ProgressInterval = 50 * time.Millisecond

// Runner is the one place in the UI that starts goroutines and hands results back to the UI goroutine.
// Every callback it is given (progress, done) runs on the UI goroutine via post, which is fyne.Do in the
// app and a test pump in tests.
type Runner struct {
	Post     func(func())  // runs a function on the UI goroutine
	Interval time.Duration // shortest gap between two progress deliveries
}

// NewRunner returns a Runner that delivers to the UI goroutine with post; nil means fyne.Do.
func NewRunner(post func(func())) *Runner {
	if post == nil {
		post = fyne.Do
	}
	return &Runner{Post: post, Interval: ProgressInterval}
}

// Job is one piece of background work started by a Runner.
type Job struct {
	cancel context.CancelFunc
	done   chan struct{} // closed when the work function has returned
}

// Cancel asks the Job's work to stop; its done callback then gets an error wrapping context.Canceled.
// It is safe to call more than once and after the Job has finished.
func (j *Job) Cancel() { j.cancel() }

// Done is closed when the work function has returned (the done callback may still be on its way).
func (j *Job) Done() <-chan struct{} { return j.done }

// throttle keeps the latest progress value and delivers it at most once per interval; a value that
// arrives too soon is delivered when the interval has passed, so the last one is never lost.
type throttle[P any] struct {
	mu        sync.Mutex
	latest    P
	last      time.Time
	scheduled bool
	interval  time.Duration
	deliver   func(P)
}

func (t *throttle[P]) report(p P) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.latest = p
	if t.scheduled {
		return
	}
	t.scheduled = true
	wait := t.interval - time.Since(t.last)
	if wait <= 0 {
		t.flushLocked()
		return
	}
	time.AfterFunc(wait, t.flush)
}

func (t *throttle[P]) flush() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.flushLocked()
}

func (t *throttle[P]) flushLocked() {
	t.scheduled = false
	t.last = time.Now()
	t.deliver(t.latest)
}

// Start runs work in a new goroutine. Progress reported by work (from any goroutine, as often as it
// likes) reaches onProgress on the UI goroutine at most once per interval, never after onDone. onDone
// runs exactly once on the UI goroutine with work's result; a panic in work becomes an error, and a
// cancelled Job's error wraps context.Canceled. Either callback may be nil.
func Start[P, R any](r *Runner, parent context.Context, work func(ctx context.Context, report func(P)) (R, error),
	onProgress func(P), onDone func(R, error)) *Job {
	ctx, cancel := context.WithCancel(parent)
	j := &Job{cancel: cancel, done: make(chan struct{})}
	finished := false // only touched on the UI goroutine
	th := &throttle[P]{interval: r.Interval, deliver: func(p P) {
		r.Post(func() {
			if !finished && onProgress != nil {
				onProgress(p)
			}
		})
	}}
	go func() {
		var (
			res R
			err error
		)
		func() {
			defer func() {
				if v := recover(); v != nil {
					err = fmt.Errorf("unexpected failure: %v", v)
				}
			}()
			res, err = work(ctx, th.report)
		}()
		if err == nil && ctx.Err() != nil {
			// Work that ignores its context still ends as cancelled: nothing half-done is applied.
			err = fmt.Errorf("stopped: %w", ctx.Err())
		}
		close(j.done)
		r.Post(func() {
			finished = true
			cancel()
			if onDone != nil {
				onDone(res, err)
			}
		})
	}()
	return j
}
