package envelope

import (
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"sync"
	"sync/atomic"
)

// ErrReadBack means a file read back from the disk differs from what was
// written to it (a failing disk or a damaged file system).
var ErrReadBack = errors.New("envelope: what was read back from the disk differs from what was written")

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// checker reads an atomic file back while it is still being written: each
// range handed to it (every writeBackEvery bytes, and the tail after the
// final Sync) is first waited for until the system has written it to disk
// (settle), then read back into a CRC-32C, and then dropped from the
// system's cache (drop), as nothing will read it again before the file is
// closed. Close compares the CRC with that of what was written. The reading
// runs on a goroutine of its own, so the check costs the writer no time,
// and the cache pages the writer frees are the ones it fills next.
type checker struct {
	f      *os.File
	ranges chan [2]int64
	done   chan struct{}
	stop   atomic.Bool
	once   sync.Once
	sum    uint32
	read   int64
	err    error
}

func newChecker(f *os.File) *checker {
	c := &checker{f: f, ranges: make(chan [2]int64, 32), done: make(chan struct{})}
	go c.run()
	return c
}

func (c *checker) run() {
	defer close(c.done)
	var buf []byte
	for r := range c.ranges {
		if c.err != nil || c.stop.Load() {
			continue
		}
		off, n := r[0], r[1]
		if off != c.read {
			c.err = fmt.Errorf("%w: a range was skipped", ErrReadBack)
			continue
		}
		settle(c.f, off, n)
		if buf == nil {
			buf = make([]byte, min(n, 1<<20))
		}
		for done := int64(0); done < n; {
			k := min(n-done, int64(len(buf)))
			m, err := c.f.ReadAt(buf[:k], off+done)
			c.sum = crc32.Update(c.sum, castagnoli, buf[:m])
			done += int64(m)
			if err == io.EOF && int64(m) < k {
				c.err = fmt.Errorf("%w: the file is shorter", ErrReadBack)
				break
			}
			if err != nil && err != io.EOF {
				c.err = fmt.Errorf("envelope: reading back: %w", err)
				break
			}
		}
		c.read += n
		drop(c.f, off, n)
	}
}

// add hands the next n bytes, from off, to the reader; ranges come in order.
func (c *checker) add(off, n int64) {
	if n > 0 {
		c.ranges <- [2]int64{off, n}
	}
}

// wait waits until every range handed over was read back, and returns the
// CRC-32C of what was read and the first error. Call it once.
func (c *checker) wait() (uint32, int64, error) {
	c.once.Do(func() { close(c.ranges) })
	<-c.done
	return c.sum, c.read, c.err
}

// abort stops reading: what is queued is skipped.
func (c *checker) abort() {
	c.stop.Store(true)
	c.wait()
}
