//go:build windows

package nativedialog

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

var (
	user32                = windows.NewLazySystemDLL("user32.dll")
	procFindWindowW       = user32.NewProc("FindWindowW")
	procPostMessageW      = user32.NewProc("PostMessageW")
	procSendMessageW      = user32.NewProc("SendMessageW")
	procEnumChildWindows  = user32.NewProc("EnumChildWindows")
	procGetClassNameW     = user32.NewProc("GetClassNameW")
	procIsWindowVisibleFn = user32.NewProc("IsWindowVisible")
)

const (
	wmCommand = 0x0111
	wmClose   = 0x0010
	wmSetText = 0x000C
	idOK      = 1
)

// press waits for the dialog titled title, types text into its name box when text is not "", and
// posts msg (with wparam) to it, as a person would; it gives up after a while.
func press(t *testing.T, title, text string, msg, wparam uintptr) {
	t.Helper()
	go func() {
		p, _ := windows.UTF16PtrFromString(title)
		for i := 0; i < 300; i++ {
			time.Sleep(100 * time.Millisecond)
			h, _, _ := procFindWindowW.Call(0, uintptr(unsafe.Pointer(p)))
			if h == 0 {
				continue
			}
			time.Sleep(300 * time.Millisecond) // let it finish opening
			if text != "" {
				v, _ := windows.UTF16PtrFromString(text)
				cb := windows.NewCallback(func(child, _ uintptr) uintptr {
					var class [64]uint16
					procGetClassNameW.Call(child, uintptr(unsafe.Pointer(&class[0])), uintptr(len(class)))
					if visible, _, _ := procIsWindowVisibleFn.Call(child); visible != 0 && windows.UTF16ToString(class[:]) == "Edit" {
						procSendMessageW.Call(child, wmSetText, 0, uintptr(unsafe.Pointer(v)))
						return 0
					}
					return 1
				})
				procEnumChildWindows.Call(h, cb, 0)
			}
			procPostMessageW.Call(h, msg, wparam, 0)
			return
		}
	}()
}

// tempDir is t.TempDir that tolerates a folder it cannot remove (Wine cannot always).
func tempDir(t *testing.T) string {
	d, err := os.MkdirTemp("", "nativedialog")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(d) })
	return d
}

// TestWindowsFolderDialog shows the real IFileOpenDialog: closed, it gives nothing; accepted in the
// name of a folder typed in, it gives that folder's path.
func TestWindowsFolderDialog(t *testing.T) {
	c := System(context.Background())
	if c == nil || c.Name() != "windows" {
		t.Fatalf("System() = %v", c)
	}
	dir := tempDir(t)
	sub := filepath.Join(dir, "HOSPITAL CD")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}

	press(t, "Dossier closes this", "", wmClose, 0)
	got, err := c.Choose(context.Background(), Request{Kind: Folder, Title: "Dossier closes this", Folder: dir})
	if err != nil || got != "" {
		t.Fatalf("closed: %q, %v", got, err)
	}

	press(t, "Dossier accepts this", sub, wmCommand, idOK)
	got, err = c.Choose(context.Background(), Request{Kind: Folder, Title: "Dossier accepts this", Accept: "Add", Folder: dir})
	if err != nil || !strings.EqualFold(filepath.Clean(got), filepath.Clean(sub)) {
		t.Fatalf("accepted: %q, %v; want %q", got, err, sub)
	}
}

// TestWindowsSaveDialog: the save dialog takes the suggested name and gives the path to write.
func TestWindowsSaveDialog(t *testing.T) {
	c := System(context.Background())
	dir := tempDir(t)
	press(t, "Dossier saves this", "", wmCommand, idOK)
	got, err := c.Choose(context.Background(), Request{Kind: SaveFile, Title: "Dossier saves this", Folder: dir,
		Name: "records-request.pdf", Filter: &Filter{Name: "PDF", Extensions: []string{".pdf"}}})
	want := filepath.Join(dir, "records-request.pdf")
	if err != nil || !strings.EqualFold(filepath.Clean(got), want) {
		t.Fatalf("save: %q, %v; want %q", got, err, want)
	}
}
