//go:build linux

package dicomdeid

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// fastCopy copies n bytes at off of src to the current position of dst
// inside the kernel (copy_file_range) when both are regular files. It
// reports false, having copied nothing, when that is not possible.
func fastCopy(ctx context.Context, dst io.Writer, src io.ReaderAt, off, n int64) (bool, error) {
	df, ok1 := dst.(*os.File)
	sf, ok2 := src.(*os.File)
	if !ok1 || !ok2 || n <= 0 {
		return false, nil
	}
	rfd, wfd := int(sf.Fd()), int(df.Fd())
	first := true
	for n > 0 {
		if err := ctx.Err(); err != nil {
			return true, err
		}
		chunk := min(n, 16<<20)
		m, err := unix.CopyFileRange(rfd, &off, wfd, nil, int(chunk), 0)
		if err != nil {
			if first && (errors.Is(err, unix.EXDEV) || errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EINVAL) ||
				errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.EBADF) || errors.Is(err, unix.EPERM)) {
				return false, nil
			}
			return true, err
		}
		if m == 0 {
			return true, fmt.Errorf("%w: file shorter than expected", ErrDamaged)
		}
		first = false
		n -= int64(m)
	}
	return true, nil
}
