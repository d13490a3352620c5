package i18n

import (
	"errors"
	"fmt"
	"io/fs"
	"testing"
)

func TestPlainError(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{errors.New("dicomx: dicomwire: element length 9 runs past the end"), "element length 9 runs past the end"},
		{fmt.Errorf("reading: %w", &fs.PathError{Op: "open", Path: "/home/jane/records/IM1", Err: fs.ErrPermission}), "permission denied"},
		{errors.New("the file is empty"), "the file is empty"},
	} {
		if got := PlainError(c.err); got != c.want {
			t.Errorf("PlainError(%q) = %q, want %q", c.err, got, c.want)
		}
	}
}
