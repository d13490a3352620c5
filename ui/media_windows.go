//go:build windows

package ui

import (
	"syscall"
	"unsafe"
)

var (
	kernel32                  = syscall.NewLazyDLL("kernel32.dll")
	procGetLogicalDrives      = kernel32.NewProc("GetLogicalDrives")
	procGetDriveTypeW         = kernel32.NewProc("GetDriveTypeW")
	procGetVolumeInformationW = kernel32.NewProc("GetVolumeInformationW")
	procSetErrorMode          = kernel32.NewProc("SetErrorMode")
)

// Drive types of GetDriveType.
const (
	driveRemovable        = 2
	driveCDROM            = 5
	semFailCriticalErrors = 0x0001 // no "insert a disk" box for an empty drive
)

// windowsMedia lists the removable drives and CD/DVD drives with a disc in them, by letter, with
// their volume labels.
func windowsMedia() []medium {
	old, _, _ := procSetErrorMode.Call(semFailCriticalErrors)
	defer procSetErrorMode.Call(old)
	mask, _, _ := procGetLogicalDrives.Call()
	var out []medium
	for i := 0; i < 26; i++ {
		if mask&(1<<uint(i)) == 0 {
			continue
		}
		letter := string(rune('A'+i)) + ":"
		root, err := syscall.UTF16PtrFromString(letter + `\`)
		if err != nil {
			continue
		}
		t, _, _ := procGetDriveTypeW.Call(uintptr(unsafe.Pointer(root)))
		if t != driveRemovable && t != driveCDROM {
			continue
		}
		var label [261]uint16
		ok, _, _ := procGetVolumeInformationW.Call(uintptr(unsafe.Pointer(root)), uintptr(unsafe.Pointer(&label[0])), uintptr(len(label)), 0, 0, 0, 0, 0)
		if ok == 0 {
			continue // an empty drive: no disc in it
		}
		out = append(out, medium{Path: letter + `\`, Drive: letter, Label: syscall.UTF16ToString(label[:])})
	}
	return out
}
