package bundle

import (
	"io"
	"sync"
)

// asyncWriter hands what is written to it to a goroutine that writes it on
// to w, so that the stage after it (the age encryption and the disk) runs
// on the second core while the caller prepares the next bytes. It keeps at
// most a few chunks in flight; Close waits for them and returns the first
// error of w.
type asyncWriter struct {
	w     io.Writer
	work  chan []byte
	done  chan struct{}
	mu    sync.Mutex
	err   error
	buf   []byte
	chunk int
}

var asyncPool = sync.Pool{New: func() any { return make([]byte, 0, 1<<20) }}

func newAsyncWriter(w io.Writer) *asyncWriter {
	a := &asyncWriter{w: w, work: make(chan []byte, 4), done: make(chan struct{}), chunk: 1 << 20}
	a.buf = asyncPool.Get().([]byte)[:0]
	go func() {
		defer close(a.done)
		for b := range a.work {
			if a.failed() == nil {
				if _, err := a.w.Write(b); err != nil {
					a.mu.Lock()
					a.err = err
					a.mu.Unlock()
				}
			}
			asyncPool.Put(b[:0])
		}
	}()
	return a
}

func (a *asyncWriter) failed() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.err
}

// Write collects p into chunks of about 1 MiB and sends full ones on.
func (a *asyncWriter) Write(p []byte) (int, error) {
	if err := a.failed(); err != nil {
		return 0, err
	}
	n := len(p)
	for len(p) > 0 {
		k := min(len(p), a.chunk-len(a.buf))
		a.buf = append(a.buf, p[:k]...)
		p = p[k:]
		if len(a.buf) == a.chunk {
			a.work <- a.buf
			a.buf = asyncPool.Get().([]byte)[:0]
		}
	}
	return n, nil
}

// Close sends what is left and waits until everything was written.
func (a *asyncWriter) Close() error {
	if len(a.buf) > 0 {
		a.work <- a.buf
		a.buf = nil
	}
	close(a.work)
	<-a.done
	return a.failed()
}
