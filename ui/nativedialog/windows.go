//go:build windows

package nativedialog

import (
	"context"
	"fmt"
	"runtime"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Windows' Common Item Dialog (IFileOpenDialog, IFileSaveDialog), called through its COM vtable.
// The method numbers are the order in shobjidl_core.h: IUnknown (0-2), IModalWindow.Show (3),
// then IFileDialog's own (4-26).
const (
	vtRelease          = 2
	vtShow             = 3
	vtSetFileTypes     = 4
	vtSetOptions       = 9
	vtGetOptions       = 10
	vtSetFolder        = 12
	vtSetFileName      = 15
	vtSetTitle         = 17
	vtSetOkButtonLabel = 18
	vtGetResult        = 20
	vtSetDefaultExt    = 22

	vtShellItemGetDisplayName = 5 // IShellItem: IUnknown (0-2), BindToHandler, GetParent, GetDisplayName
)

// FILEOPENDIALOGOPTIONS and the other constants the dialog takes.
const (
	fosOverwritePrompt = 0x2
	fosNoChangeDir     = 0x8
	fosPickFolders     = 0x20
	fosForceFileSystem = 0x40
	fosPathMustExist   = 0x800
	fosFileMustExist   = 0x1000

	sigdnFileSysPath = 0x80058000

	clsctxInprocServer = 0x1
	coinitApartment    = 0x2
	coinitNoOLE1DDE    = 0x4

	hrCancelled   = 0x800704C7 // HRESULT_FROM_WIN32(ERROR_CANCELLED)
	hrChangedMode = 0x80010106 // RPC_E_CHANGED_MODE: COM is already set up differently on this thread
)

var (
	clsidFileOpenDialog = windows.GUID{Data1: 0xDC1C5A9C, Data2: 0xE88A, Data3: 0x4DDE, Data4: [8]byte{0xA5, 0xA1, 0x60, 0xF8, 0x2A, 0x20, 0xAE, 0xF7}}
	iidFileOpenDialog   = windows.GUID{Data1: 0xD57C7288, Data2: 0xD4AD, Data3: 0x4768, Data4: [8]byte{0xBE, 0x02, 0x9D, 0x96, 0x95, 0x32, 0xD9, 0x60}}
	clsidFileSaveDialog = windows.GUID{Data1: 0xC0B4E2F3, Data2: 0xBA21, Data3: 0x4773, Data4: [8]byte{0x8D, 0xBA, 0x33, 0x5E, 0xC9, 0x46, 0xEB, 0x8B}}
	iidFileSaveDialog   = windows.GUID{Data1: 0x84BCCD23, Data2: 0x5FDE, Data3: 0x4CDB, Data4: [8]byte{0xAE, 0xA4, 0xAF, 0x64, 0xB8, 0x3D, 0x78, 0xAB}}
	iidShellItem        = windows.GUID{Data1: 0x43826D1E, Data2: 0xE718, Data3: 0x42EE, Data4: [8]byte{0xBC, 0x55, 0xA1, 0xE2, 0x61, 0xC3, 0x7B, 0xFE}}

	ole32                           = windows.NewLazySystemDLL("ole32.dll")
	shell32                         = windows.NewLazySystemDLL("shell32.dll")
	procCoInitializeEx              = ole32.NewProc("CoInitializeEx")
	procCoUninitialize              = ole32.NewProc("CoUninitialize")
	procCoCreateInstance            = ole32.NewProc("CoCreateInstance")
	procCoTaskMemFree               = ole32.NewProc("CoTaskMemFree")
	procSHCreateItemFromParsingName = shell32.NewProc("SHCreateItemFromParsingName")
)

// comObject is a COM interface pointer: a pointer to its vtable.
type comObject struct{ vtbl *[32]uintptr }

func (o *comObject) call(method int, args ...uintptr) uintptr {
	r, _, _ := syscall.SyscallN(o.vtbl[method], append([]uintptr{uintptr(unsafe.Pointer(o))}, args...)...)
	return r
}

func (o *comObject) release() { o.call(vtRelease) }

// filterSpec is COMDLG_FILTERSPEC.
type filterSpec struct {
	name, spec *uint16
}

type windowsDialog struct{}

func system(context.Context) Chooser {
	if procCoCreateInstance.Find() != nil || procSHCreateItemFromParsingName.Find() != nil {
		return nil
	}
	return windowsDialog{}
}

func (windowsDialog) Name() string { return "windows" }

func (windowsDialog) Choose(ctx context.Context, r Request) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	// COM objects belong to the thread that made them, and the dialog's message loop runs on it.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	hr, _, _ := procCoInitializeEx.Call(0, coinitApartment|coinitNoOLE1DDE)
	switch {
	case hr == hrChangedMode:
	case int32(hr) < 0:
		return "", fmt.Errorf("windows dialog: CoInitializeEx %#x: %w", hr, ErrUnavailable)
	default: // S_OK or S_FALSE: balanced by CoUninitialize
		defer procCoUninitialize.Call()
	}

	clsid, iid := &clsidFileOpenDialog, &iidFileOpenDialog
	opts := uintptr(fosNoChangeDir | fosForceFileSystem | fosPathMustExist)
	switch r.Kind {
	case Folder:
		opts |= fosPickFolders
	case OpenFile:
		opts |= fosFileMustExist
	case SaveFile:
		clsid, iid = &clsidFileSaveDialog, &iidFileSaveDialog
		opts |= fosOverwritePrompt
	}
	var dlg *comObject
	hr, _, _ = procCoCreateInstance.Call(uintptr(unsafe.Pointer(clsid)), 0, clsctxInprocServer,
		uintptr(unsafe.Pointer(iid)), uintptr(unsafe.Pointer(&dlg)))
	if int32(hr) < 0 || dlg == nil {
		return "", fmt.Errorf("windows dialog: CoCreateInstance %#x: %w", hr, ErrUnavailable)
	}
	defer dlg.release()

	var cur uintptr
	dlg.call(vtGetOptions, uintptr(unsafe.Pointer(&cur)))
	if hr := dlg.call(vtSetOptions, cur|opts); int32(hr) < 0 {
		return "", fmt.Errorf("windows dialog: SetOptions %#x: %w", hr, ErrUnavailable)
	}
	// Strings passed below must stay alive until Show returns.
	var keep [][]uint16
	ptr := func(s string) *uint16 {
		u, err := windows.UTF16FromString(s)
		if err != nil {
			u = []uint16{0}
		}
		keep = append(keep, u)
		return &u[0]
	}
	str := func(s string) uintptr { return uintptr(unsafe.Pointer(ptr(s))) }
	if r.Title != "" {
		dlg.call(vtSetTitle, str(r.Title))
	}
	if r.Accept != "" {
		dlg.call(vtSetOkButtonLabel, str(r.Accept))
	}
	if r.Kind == SaveFile && r.Name != "" {
		dlg.call(vtSetFileName, str(r.Name))
	}
	var specs []filterSpec
	if pats := patterns(r.Filter); len(pats) > 0 && r.Kind != Folder {
		spec := ""
		for i, p := range pats {
			if i > 0 {
				spec += ";"
			}
			spec += p
		}
		specs = append(specs, filterSpec{ptr(r.Filter.Name), ptr(spec)})
		dlg.call(vtSetFileTypes, uintptr(len(specs)), uintptr(unsafe.Pointer(&specs[0])))
		if r.Kind == SaveFile && len(r.Filter.Extensions) > 0 {
			ext := r.Filter.Extensions[0]
			for len(ext) > 0 && (ext[0] == '.' || ext[0] == '*') {
				ext = ext[1:]
			}
			dlg.call(vtSetDefaultExt, str(ext))
		}
	}
	if r.Folder != "" {
		var folder *comObject
		hr, _, _ := procSHCreateItemFromParsingName.Call(str(r.Folder), 0, uintptr(unsafe.Pointer(&iidShellItem)),
			uintptr(unsafe.Pointer(&folder)))
		if int32(hr) >= 0 && folder != nil {
			dlg.call(vtSetFolder, uintptr(unsafe.Pointer(folder)))
			folder.release()
		}
	}

	hr = dlg.call(vtShow, r.Parent)
	runtime.KeepAlive(keep)
	runtime.KeepAlive(specs)
	if uint32(hr) == hrCancelled {
		return "", nil
	}
	if int32(hr) < 0 {
		return "", fmt.Errorf("windows dialog: Show %#x", hr)
	}
	var item *comObject
	if hr := dlg.call(vtGetResult, uintptr(unsafe.Pointer(&item))); int32(hr) < 0 || item == nil {
		return "", fmt.Errorf("windows dialog: GetResult %#x", hr)
	}
	defer item.release()
	var name *uint16
	if hr := item.call(vtShellItemGetDisplayName, sigdnFileSysPath, uintptr(unsafe.Pointer(&name))); int32(hr) < 0 || name == nil {
		return "", fmt.Errorf("windows dialog: the chosen place is not a folder on this computer (%#x)", hr)
	}
	defer procCoTaskMemFree.Call(uintptr(unsafe.Pointer(name)))
	return windows.UTF16PtrToString(name), nil
}
