//go:build linux

package nativedialog

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"dossier/internal/testtool"
)

// privateBus starts a session bus of its own for the test and points the environment at it.
func privateBus(t *testing.T) string {
	t.Helper()
	daemon := testtool.Look(t, "dbus-daemon", "dbus-daemon")
	dir := t.TempDir()
	conf := filepath.Join(dir, "bus.conf")
	// A session bus that activates nothing: no portal comes from the machine's own service files.
	err := os.WriteFile(conf, []byte(`<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>session</type><listen>unix:dir=`+dir+`</listen><auth>EXTERNAL</auth>
<policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy>
</busconfig>`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(daemon, "--config-file="+conf, "--nofork", "--print-address")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	addr = strings.TrimSpace(addr)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	return addr
}

func TestSystemWithoutSessionBus(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir()) // no bus socket there
	start := time.Now()
	if c := System(context.Background()); c != nil {
		t.Fatalf("System() = %s without a session bus", c.Name())
	}
	if d := time.Since(start); d > 200*time.Millisecond {
		t.Errorf("deciding there is no bus took %v", d)
	}
}

func TestSystemWithDeadBusAddress(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+filepath.Join(t.TempDir(), "gone"))
	start := time.Now()
	if c := System(context.Background()); c != nil {
		t.Fatalf("System() = %s with a bus that is not there", c.Name())
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("deciding the bus is gone took %v", d)
	}
}

func TestSystemBusWithoutPortal(t *testing.T) {
	privateBus(t)
	start := time.Now()
	if c := System(context.Background()); c != nil {
		t.Fatalf("System() = %s on a bus without a portal", c.Name())
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("deciding there is no portal took %v", d)
	}
}

// fakePortal answers as xdg-desktop-portal's FileChooser does: it takes the request, then sends
// the Response signal on the request's path with what "the person" chose.
type fakePortal struct {
	conn    *dbus.Conn
	version uint32
	answer  func(method string, opts map[string]dbus.Variant) (uint32, []string)

	mu    sync.Mutex
	calls []fakeCall
}

type fakeCall struct {
	method, parent, title string
	opts                  map[string]dbus.Variant
}

func (f *fakePortal) Get(iface, name string) (dbus.Variant, *dbus.Error) {
	if iface == fileChooserIface && name == "version" {
		return dbus.MakeVariant(f.version), nil
	}
	return dbus.Variant{}, dbus.MakeFailedError(os.ErrNotExist)
}

func (f *fakePortal) OpenFile(sender dbus.Sender, parent, title string, opts map[string]dbus.Variant) (dbus.ObjectPath, *dbus.Error) {
	return f.request("OpenFile", sender, parent, title, opts)
}

func (f *fakePortal) SaveFile(sender dbus.Sender, parent, title string, opts map[string]dbus.Variant) (dbus.ObjectPath, *dbus.Error) {
	return f.request("SaveFile", sender, parent, title, opts)
}

func (f *fakePortal) request(method string, sender dbus.Sender, parent, title string, opts map[string]dbus.Variant) (dbus.ObjectPath, *dbus.Error) {
	f.mu.Lock()
	f.calls = append(f.calls, fakeCall{method, parent, title, opts})
	f.mu.Unlock()
	token, _ := opts["handle_token"].Value().(string)
	path := dbus.ObjectPath(requestPathPrefix + strings.ReplaceAll(strings.TrimPrefix(string(sender), ":"), ".", "_") + "/" + token)
	status, uris := f.answer(method, opts)
	go func() {
		time.Sleep(20 * time.Millisecond) // the person looks around first
		// Another request's answer first: it must not be taken for ours.
		_ = f.conn.Emit(dbus.ObjectPath(requestPathPrefix+"other/x"), requestIface+".Response", uint32(0),
			map[string]dbus.Variant{"uris": dbus.MakeVariant([]string{"file:///wrong"})})
		_ = f.conn.Emit(path, requestIface+".Response", status, map[string]dbus.Variant{"uris": dbus.MakeVariant(uris)})
	}()
	return path, nil
}

func startFakePortal(t *testing.T, addr string, version uint32, answer func(string, map[string]dbus.Variant) (uint32, []string)) *fakePortal {
	t.Helper()
	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	f := &fakePortal{conn: conn, version: version, answer: answer}
	if err := conn.Export(f, portalPath, fileChooserIface); err != nil {
		t.Fatal(err)
	}
	if err := conn.Export(f, portalPath, "org.freedesktop.DBus.Properties"); err != nil {
		t.Fatal(err)
	}
	if reply, err := conn.RequestName(portalName, dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("RequestName: %v %v", reply, err)
	}
	return f
}

func TestPortalChoose(t *testing.T) {
	addr := privateBus(t)
	f := startFakePortal(t, addr, 4, func(method string, opts map[string]dbus.Variant) (uint32, []string) {
		if dir, _ := opts["directory"].Value().(bool); dir {
			return 0, []string{"file:///media/cdrom/HOSPITAL%20CD"}
		}
		if method == "SaveFile" {
			return 0, []string{"file:///home/someone/Letters/records-request.pdf"}
		}
		return 1, nil // the person closed the file dialog
	})
	ctx := context.Background()
	c := System(ctx)
	if c == nil || c.Name() != "xdg-desktop-portal" {
		t.Fatalf("System() = %v with a portal on the bus", c)
	}

	got, err := c.Choose(ctx, Request{Kind: Folder, Title: "Add a folder", Accept: "Add", Folder: "/home/someone", Parent: 0x3a00007})
	if err != nil || got != "/media/cdrom/HOSPITAL CD" {
		t.Fatalf("folder: %q, %v", got, err)
	}
	got, err = c.Choose(ctx, Request{Kind: SaveFile, Title: "Save the letter", Name: "records-request.pdf",
		Filter: &Filter{Name: "PDF", Extensions: []string{".pdf"}}})
	if err != nil || got != "/home/someone/Letters/records-request.pdf" {
		t.Fatalf("save: %q, %v", got, err)
	}
	got, err = c.Choose(ctx, Request{Kind: OpenFile, Title: "Add a file"})
	if err != nil || got != "" {
		t.Fatalf("cancelled: %q, %v", got, err)
	}

	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.calls) != 3 {
		t.Fatalf("%d calls", len(f.calls))
	}
	folder := f.calls[0]
	if folder.method != "OpenFile" || folder.parent != "x11:3a00007" || folder.title != "Add a folder" {
		t.Errorf("folder call: %+v", folder)
	}
	if v, _ := folder.opts["accept_label"].Value().(string); v != "Add" {
		t.Errorf("accept_label %q", v)
	}
	if v, _ := folder.opts["current_folder"].Value().([]byte); string(v) != "/home/someone\x00" {
		t.Errorf("current_folder %q", v)
	}
	if v, _ := folder.opts["modal"].Value().(bool); !v {
		t.Error("the folder dialog is not modal")
	}
	save := f.calls[1]
	if save.method != "SaveFile" {
		t.Errorf("save went to %s", save.method)
	}
	if v, _ := save.opts["current_name"].Value().(string); v != "records-request.pdf" {
		t.Errorf("current_name %q", v)
	}
	if s := save.opts["filters"].String(); !strings.Contains(s, `"*.pdf"`) || !strings.Contains(s, `"*.PDF"`) {
		t.Errorf("filters %s", s)
	}
	if _, ok := f.calls[2].opts["directory"]; ok {
		t.Error("a file dialog asked for folders")
	}
}

func TestPortalWithoutFolders(t *testing.T) {
	addr := privateBus(t)
	startFakePortal(t, addr, 2, func(string, map[string]dbus.Variant) (uint32, []string) { return 0, []string{"file:///x"} })
	c := System(context.Background())
	if c == nil {
		t.Fatal("no chooser")
	}
	// Version 2 has no folder choice: the caller must show its own dialog.
	if _, err := c.Choose(context.Background(), Request{Kind: Folder}); err == nil || !strings.Contains(err.Error(), ErrUnavailable.Error()) {
		t.Fatalf("folder on version 2: %v", err)
	}
}

func TestPortalCancelledByContext(t *testing.T) {
	addr := privateBus(t)
	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	// A portal that never answers (the person has gone for tea).
	f := &fakePortal{conn: conn, version: 4}
	never := &silentPortal{fakePortal: f}
	if err := conn.Export(never, portalPath, fileChooserIface); err != nil {
		t.Fatal(err)
	}
	if err := conn.Export(f, portalPath, "org.freedesktop.DBus.Properties"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.RequestName(portalName, dbus.NameFlagDoNotQueue); err != nil {
		t.Fatal(err)
	}
	c := System(context.Background())
	if c == nil {
		t.Fatal("no chooser")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	if _, err := c.Choose(ctx, Request{Kind: OpenFile}); err != context.DeadlineExceeded {
		t.Fatalf("err %v, want the deadline", err)
	}
}

type silentPortal struct{ *fakePortal }

func (s *silentPortal) OpenFile(sender dbus.Sender, parent, title string, opts map[string]dbus.Variant) (dbus.ObjectPath, *dbus.Error) {
	token, _ := opts["handle_token"].Value().(string)
	return dbus.ObjectPath(requestPathPrefix + strings.ReplaceAll(strings.TrimPrefix(string(sender), ":"), ".", "_") + "/" + token), nil
}

func TestPatterns(t *testing.T) {
	got := patterns(&Filter{Extensions: []string{".pdf", "age", "*.001", ".PDF", ""}})
	want := "*.pdf *.PDF *.age *.AGE *.001"
	if strings.Join(got, " ") != want {
		t.Errorf("patterns = %v, want %s", got, want)
	}
	if patterns(nil) != nil {
		t.Error("patterns(nil) is not nil")
	}
}
