package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"dossier/internal/fixture/dcmfix"
)

// TestMediaFromMountTable: the removable media are read from a mount table (/proc/self/mounts on
// Linux): what desktops mount under /media and /run/media, with the table's escapes undone.
func TestMediaFromMountTable(t *testing.T) {
	table := `sysfs /sys sysfs rw,nosuid 0 0
/dev/nvme0n1p2 / ext4 rw,relatime 0 0
/dev/nvme0n1p3 /home ext4 rw,relatime 0 0
/dev/sr0 /media/jane/HOSPITAL\040CD iso9660 ro,nosuid,nodev 0 0
/dev/sdb1 /run/media/jane/KINGSTON vfat rw,nosuid,nodev 0 0
/dev/sdc1 /media/usb0 vfat rw 0 0
tmpfs /run/user/1000 tmpfs rw 0 0
`
	got := removableMounts(strings.NewReader(table))
	want := []string{"/media/jane/HOSPITAL CD", "/run/media/jane/KINGSTON", "/media/usb0"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("media %q, want %q", got, want)
	}
}

// TestMediaPanel: a disc inserted while the app is open appears on the welcome screen with what
// is on it and "Add …", which adds it as a case; it appears on the case screen too.
func TestMediaPanel(t *testing.T) {
	old := mediaPoll
	mediaPoll = 50 * time.Millisecond
	t.Cleanup(func() { mediaPoll = old })
	disc := filepath.Join(t.TempDir(), "HOSPITAL CD")
	os.MkdirAll(filepath.Join(disc, "DICOM"), 0o755)
	os.WriteFile(filepath.Join(disc, "DICOMDIR"), []byte("not read here"), 0o644)
	os.WriteFile(filepath.Join(disc, "DICOM", "IM1"), dcmfix.Instance(dcmfix.Spec{Modality: "CT",
		StudyUID: "1.2.826.0.1.3680043.10.1999.9", SeriesUID: "1.2.826.0.1.3680043.10.1999.9.1", InstanceNumber: 1}), 0o644)
	var mu sync.Mutex
	var inserted []medium
	fake := func(ctx context.Context) []medium {
		mu.Lock()
		defer mu.Unlock()
		var out []medium
		for _, m := range inserted {
			out = append(out, describeMedium(ctx, m))
		}
		return out
	}
	v, loop := newTestView(t, Config{Store: &fakeStore{}, Scan: realScan, media: fake})
	loop.drain(200 * time.Millisecond)
	if hasLabel(v.win, "Discs and USB sticks") {
		t.Error("a media list without media")
	}
	mu.Lock()
	inserted = []medium{{Path: disc, Drive: "D:", Label: "HOSPITAL CD"}}
	mu.Unlock()
	loop.until(t, "the disc", func() bool { return findButton(v.win, "Add the disc in drive D: (HOSPITAL CD)") != nil })
	if !hasLabel(v.win, "Discs and USB sticks") || !hasLabel(v.win, "A hospital imaging disc (it has a DICOMDIR") || !hasLabel(v.win, "2 files") {
		t.Errorf("the disc is not described: %q", labels(v.win))
	}
	test.Tap(findButton(v.win, "Add the disc in drive D: (HOSPITAL CD)"))
	loop.until(t, "the disc's scan", func() bool { return idle(v)() && v.inv != nil })
	if len(v.inv.Items) == 0 || !strings.HasPrefix(v.inv.Items[0].Path, disc) {
		t.Errorf("the disc was not added: %+v", v.inv.Items)
	}
	loop.until(t, "the case screen's list", func() bool {
		return findButton(v.win, "Add the disc in drive D: (HOSPITAL CD)") != nil
	})
	mu.Lock()
	inserted = nil
	mu.Unlock()
	loop.until(t, "the disc taken out", func() bool { return findButton(v.win, "Add the disc in drive D: (HOSPITAL CD)") == nil })
}
