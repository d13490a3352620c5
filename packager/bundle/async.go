package bundle

import (
	"io"
	"sync"
)

// chunkQueue hands chunks of bytes, in order, to fn on a goroutine of its
// own, so that fn's work (the disk's) runs on the second core while the
// caller prepares the next bytes. At most depth chunks wait; chunks come
// from and go back to a pool of buffers of one size. close waits until fn
// has seen every chunk. asyncWriter uses it.
type chunkQueue struct {
	work chan *[]byte
	done chan struct{}
	pool *sync.Pool
}

// chunkPools hold the chunk buffers of each size in use.
var (
	chunkPoolsMu sync.Mutex
	chunkPools   = map[int]*sync.Pool{}
)

func poolOf(size int) *sync.Pool {
	chunkPoolsMu.Lock()
	defer chunkPoolsMu.Unlock()
	p := chunkPools[size]
	if p == nil {
		p = &sync.Pool{New: func() any { b := make([]byte, 0, size); return &b }}
		chunkPools[size] = p
	}
	return p
}

func newChunkQueue(size, depth int, fn func([]byte)) *chunkQueue {
	q := &chunkQueue{work: make(chan *[]byte, depth), done: make(chan struct{}), pool: poolOf(size)}
	go func() {
		defer close(q.done)
		for bp := range q.work {
			fn(*bp)
			*bp = (*bp)[:0]
			q.pool.Put(bp)
		}
	}()
	return q
}

// get returns an empty chunk buffer.
func (q *chunkQueue) get() *[]byte {
	bp := q.pool.Get().(*[]byte)
	*bp = (*bp)[:0]
	return bp
}

// send queues a chunk from get; it belongs to the queue afterwards.
func (q *chunkQueue) send(bp *[]byte) { q.work <- bp }

// close waits until fn has seen every queued chunk; call it once.
func (q *chunkQueue) close() {
	close(q.work)
	<-q.done
}

// Chunks of asyncWriter: what it holds is at most (asyncDepth+2) chunks
// (those queued, the one being written and the one being filled), and it
// holds them for the whole pack, so they count in its peak memory. Larger
// writes do not make the disk faster: 1 MiB chunks, four deep, held 6 MiB
// for the same speed.
const (
	asyncChunk = 256 << 10
	asyncDepth = 4
)

// asyncWriter hands what is written to it on to w through a chunkQueue of
// asyncChunk chunks (at most asyncDepth queued). Close waits for them and
// returns the first error of w.
type asyncWriter struct {
	q   *chunkQueue
	mu  sync.Mutex
	err error
	buf *[]byte
}

func newAsyncWriter(w io.Writer) *asyncWriter {
	a := &asyncWriter{}
	a.q = newChunkQueue(asyncChunk, asyncDepth, func(b []byte) {
		if a.failed() != nil {
			return
		}
		if _, err := w.Write(b); err != nil {
			a.mu.Lock()
			a.err = err
			a.mu.Unlock()
		}
	})
	a.buf = a.q.get()
	return a
}

func (a *asyncWriter) failed() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.err
}

// Write collects p into full chunks and sends them on.
func (a *asyncWriter) Write(p []byte) (int, error) {
	if err := a.failed(); err != nil {
		return 0, err
	}
	n := len(p)
	for len(p) > 0 {
		k := min(len(p), cap(*a.buf)-len(*a.buf))
		*a.buf = append(*a.buf, p[:k]...)
		p = p[k:]
		if len(*a.buf) == cap(*a.buf) {
			a.q.send(a.buf)
			a.buf = a.q.get()
		}
	}
	return n, nil
}

// Close sends what is left and waits until everything was written.
func (a *asyncWriter) Close() error {
	if a.buf != nil && len(*a.buf) > 0 {
		a.q.send(a.buf)
	}
	a.buf = nil
	a.q.close()
	return a.failed()
}
