package dicomwire

import (
	"errors"
	"fmt"
)

// Kind classifies what is wrong with the bytes.
type Kind int

// Kinds of Error.
const (
	// Truncated: the data ends inside an element, an item or a sequence
	// (the file is cut short).
	Truncated Kind = iota + 1
	// Overrun: an element, item or value crosses the end of its enclosing
	// item or sequence.
	Overrun
	// Implausible: a length that no file cut short can explain (2 GiB or
	// more, or more than four times the data).
	Implausible
	// Malformed: the structure is wrong (an unexpected tag in a sequence or
	// an encapsulated value, undefined length where it is not allowed,
	// nesting too deep, a missing delimiter inside a container).
	Malformed
	// NotDICOM: bytes that cannot be a DICOM element (an all-zero header, a
	// VR that is not two upper-case letters, a group that goes backwards).
	// Nothing after them is read.
	NotDICOM
)

// Sentinels for errors.Is; every *Error matches the one of its Kind.
var (
	ErrTruncated   = errors.New("dicomwire: truncated")
	ErrOverrun     = errors.New("dicomwire: crosses its container")
	ErrImplausible = errors.New("dicomwire: implausible length")
	ErrMalformed   = errors.New("dicomwire: malformed")
	ErrNotDICOM    = errors.New("dicomwire: not DICOM")
)

// Error reports damaged bytes. Reason is specific and names tags, offsets
// and lengths only, never values.
type Error struct {
	Kind Kind
	// Offset is where the problem was found (file offset of the element,
	// item or header concerned).
	Offset int64
	// Tag is the element concerned (0 when unknown); Found is the tag read
	// where another was expected (unexpected tags).
	Tag, Found Tag
	// Index counts the items of the sequence or encapsulated value (from 0).
	Index int
	// Length is the declared length and Have the bytes that remain, for
	// length errors.
	Length uint32
	Have   int64
	Reason string
}

// Error returns "dicomwire: " followed by the reason.
func (e *Error) Error() string { return "dicomwire: " + e.Reason }

// Is matches the sentinel of e's kind.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrTruncated:
		return e.Kind == Truncated
	case ErrOverrun:
		return e.Kind == Overrun
	case ErrImplausible:
		return e.Kind == Implausible
	case ErrMalformed:
		return e.Kind == Malformed
	case ErrNotDICOM:
		return e.Kind == NotDICOM
	}
	return false
}

func newErr(k Kind, off int64, format string, args ...any) *Error {
	return &Error{Kind: k, Offset: off, Reason: fmt.Sprintf(format, args...)}
}

// implausible reports a length that cannot come from data of size bytes
// cut short: 2 GiB or more, or more than four times the data.
func implausible(vl uint32, size int64) bool {
	return vl >= 1<<31 || int64(vl) > 4*size
}

// ImplausibleLength reports a value length that cannot come from data of
// size bytes cut short: 2 GiB or more, or more than four times the data.
func ImplausibleLength(vl uint32, size int64) bool { return implausible(vl, size) }
