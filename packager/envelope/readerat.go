package envelope

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"

	"filippo.io/age"
)

// RememberKey wraps identities so that the file key the first of them
// unwraps is kept and given again for the very same header stanzas, without
// a second scrypt derivation: a bundle can be decrypted twice (its end first,
// to read what it declares, then as a stream) for the cost of one.
func RememberKey(identities ...age.Identity) []age.Identity {
	return []age.Identity{&rememberingIdentity{ids: identities}}
}

type rememberingIdentity struct {
	ids     []age.Identity
	mu      sync.Mutex
	stanzas []*age.Stanza
	fileKey []byte
}

func (r *rememberingIdentity) Unwrap(stanzas []*age.Stanza) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fileKey != nil && sameStanzas(r.stanzas, stanzas) {
		return bytes.Clone(r.fileKey), nil
	}
	var errs []error
	for _, id := range r.ids {
		k, err := id.Unwrap(stanzas)
		if err == nil {
			r.fileKey, r.stanzas = bytes.Clone(k), cloneStanzas(stanzas)
			return k, nil
		}
		errs = append(errs, err)
	}
	if len(errs) == 1 {
		return nil, errs[0]
	}
	return nil, age.ErrIncorrectIdentity
}

func sameStanzas(a, b []*age.Stanza) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Type != b[i].Type || !slices.Equal(a[i].Args, b[i].Args) || !bytes.Equal(a[i].Body, b[i].Body) {
			return false
		}
	}
	return true
}

func cloneStanzas(s []*age.Stanza) []*age.Stanza {
	out := make([]*age.Stanza, len(s))
	for i, x := range s {
		out[i] = &age.Stanza{Type: x.Type, Args: slices.Clone(x.Args), Body: bytes.Clone(x.Body)}
	}
	return out
}

// DecryptAt opens the bundle made of the files at paths (its volumes in
// order, or one file) for random access, authenticating its final chunk, and
// returns the plaintext as a ReaderAt and its size. Failures are classified
// as Decrypt's are (ErrWrongKey, ErrDamaged), without naming the volume.
func DecryptAt(paths []string, identities ...age.Identity) (io.ReaderAt, int64, io.Closer, error) {
	m := &multiReaderAt{}
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			m.Close()
			return nil, 0, nil, fmt.Errorf("envelope: %w", err)
		}
		fi, err := f.Stat()
		if err != nil {
			f.Close()
			m.Close()
			return nil, 0, nil, fmt.Errorf("envelope: %w", err)
		}
		m.files = append(m.files, f)
		m.starts = append(m.starts, m.size)
		m.size += fi.Size()
	}
	ra, n, err := age.DecryptReaderAt(m, m.size, identities...)
	if err != nil {
		m.Close()
		// Classified without naming a volume: reading from the start (Decrypt)
		// tells better where a split bundle goes wrong.
		t := &trackReader{r: bytes.NewReader(nil)}
		return nil, 0, nil, t.classify(err)
	}
	return ra, n, m, nil
}

// multiReaderAt reads files as one, by offset.
type multiReaderAt struct {
	files  []*os.File
	starts []int64
	size   int64
}

func (m *multiReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n := 0
	for len(p) > 0 {
		if off >= m.size {
			return n, io.EOF
		}
		i := len(m.starts) - 1
		for i > 0 && m.starts[i] > off {
			i--
		}
		k, err := m.files[i].ReadAt(p, off-m.starts[i])
		n += k
		off += int64(k)
		p = p[k:]
		if err != nil && err != io.EOF {
			return n, err
		}
		if k == 0 && err == io.EOF {
			if i == len(m.files)-1 {
				return n, io.EOF
			}
			continue
		}
	}
	return n, nil
}

func (m *multiReaderAt) Close() error {
	for _, f := range m.files {
		f.Close()
	}
	return nil
}
