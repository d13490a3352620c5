//go:build windows

package atomicfile

import "golang.org/x/sys/windows"

// FreeSpace returns the bytes the user may still write in dir's volume; ok
// is false when it cannot be told.
func FreeSpace(dir string) (free int64, ok bool) {
	p, err := windows.UTF16PtrFromString(dir)
	if err != nil {
		return 0, false
	}
	var avail, total, totalFree uint64
	if err := windows.GetDiskFreeSpaceEx(p, &avail, &total, &totalFree); err != nil {
		return 0, false
	}
	return int64(avail), true
}

// LockDir does nothing on Windows (a folder cannot be locked there); the
// exclusive creation of each final name still keeps exports apart.
func LockDir(dir string) (unlock func(), err error) { return func() {}, nil }
