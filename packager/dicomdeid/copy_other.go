//go:build !linux

package dicomdeid

import (
	"context"
	"io"
)

// fastCopy reports false: only Linux has an in-kernel copy here.
func fastCopy(ctx context.Context, dst io.Writer, src io.ReaderAt, off, n int64) (bool, error) {
	return false, nil
}
