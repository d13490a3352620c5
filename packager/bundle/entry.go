package bundle

import "io"

// lazyEntry begins an entry of the inner tree at its first write, so that
// an item the de-identifier refuses before writing a byte (a DICOM file
// whose check was left to the writing, deid.WriteChecked) leaves no entry
// behind. open begins it when nothing was written (an empty file).
type lazyEntry struct {
	s    sink
	name string
	w    io.Writer
}

func (e *lazyEntry) open() error {
	if e.w != nil {
		return nil
	}
	w, err := e.s.create(e.name, false)
	if err != nil {
		return err
	}
	e.w = w
	return nil
}

func (e *lazyEntry) Write(p []byte) (int, error) {
	if err := e.open(); err != nil {
		return 0, err
	}
	return e.w.Write(p)
}
