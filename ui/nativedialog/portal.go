//go:build linux || freebsd || openbsd || netbsd || dragonfly

package nativedialog

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/godbus/dbus/v5"
)

// The xdg desktop portal's names on the session bus
// (https://flatpak.github.io/xdg-desktop-portal/docs/doc-org.freedesktop.portal.FileChooser.html).
const (
	portalName        = "org.freedesktop.portal.Desktop"
	portalPath        = dbus.ObjectPath("/org/freedesktop/portal/desktop")
	fileChooserIface  = "org.freedesktop.portal.FileChooser"
	requestIface      = "org.freedesktop.portal.Request"
	requestPathPrefix = "/org/freedesktop/portal/desktop/request/"
)

// probeLimit bounds the question whether a portal answers: a bus that is there answers in
// milliseconds, and starting the portal service takes about a second.
const probeLimit = 3 * time.Second

func system(ctx context.Context) Chooser {
	addr := sessionBusAddress()
	if addr == "" {
		return nil // no desktop session: nothing to ask, and nothing is started
	}
	ctx, cancel := context.WithTimeout(ctx, probeLimit)
	defer cancel()
	p, err := probePortal(ctx, addr)
	if err != nil {
		return nil
	}
	return p
}

// sessionBusAddress is the session bus's address, or "" when there is none. Unlike godbus's
// SessionBus it never launches a bus (dbus-launch) where there is none.
func sessionBusAddress() string {
	if a := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); a != "" {
		return a
	}
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		p := filepath.Join(d, "bus")
		if fi, err := os.Stat(p); err == nil && fi.Mode()&os.ModeSocket != 0 {
			return "unix:path=" + dbus.EscapeBusAddressValue(p)
		}
	}
	return ""
}

// portal is the FileChooser of the xdg desktop portal, over a private connection to the session
// bus (so its signals never mix with the toolkit's own).
type portal struct {
	conn    *dbus.Conn
	version uint32
	mu      sync.Mutex // one dialog at a time
}

// probePortal connects to the bus at addr and asks the portal for its FileChooser's version; an
// error means there is no portal to use.
func probePortal(ctx context.Context, addr string) (*portal, error) {
	type result struct {
		conn *dbus.Conn
		err  error
	}
	ch := make(chan result, 1)
	go func() { // Auth and Hello take no context: bound them here
		c, err := dbus.Connect(addr)
		ch <- result{c, err}
	}()
	var conn *dbus.Conn
	select {
	case r := <-ch:
		if r.err != nil {
			return nil, fmt.Errorf("session bus: %w", r.err)
		}
		conn = r.conn
	case <-ctx.Done():
		go func() { // close the connection if it still comes
			if r := <-ch; r.conn != nil {
				_ = r.conn.Close()
			}
		}()
		return nil, fmt.Errorf("session bus: %w", ctx.Err())
	}
	var v dbus.Variant
	err := conn.Object(portalName, portalPath).CallWithContext(ctx, "org.freedesktop.DBus.Properties.Get", 0,
		fileChooserIface, "version").Store(&v)
	if err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("portal: %w", err)
	}
	ver, ok := v.Value().(uint32)
	if !ok || ver < 1 {
		_ = conn.Close()
		return nil, fmt.Errorf("portal: FileChooser version %v", v.Value())
	}
	return &portal{conn: conn, version: ver}, nil
}

func (p *portal) Name() string { return "xdg-desktop-portal" }

// filterRule and portalFilter are the portal's filter, a(sa(us)) on the bus.
type filterRule struct {
	Type    uint32 // 0: a glob pattern
	Pattern string
}

type portalFilter struct {
	Name  string
	Rules []filterRule
}

func (p *portal) Choose(ctx context.Context, r Request) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	names := p.conn.Names()
	if len(names) == 0 {
		return "", fmt.Errorf("portal: no name on the bus: %w", ErrUnavailable)
	}
	token, err := handleToken()
	if err != nil {
		return "", err
	}
	// The request's path is known before the call, so the answer cannot come before we listen.
	sender := strings.ReplaceAll(strings.TrimPrefix(names[0], ":"), ".", "_")
	handle := dbus.ObjectPath(requestPathPrefix + sender + "/" + token)
	signals := make(chan *dbus.Signal, 8)
	p.conn.Signal(signals)
	defer p.conn.RemoveSignal(signals)
	match := []dbus.MatchOption{dbus.WithMatchInterface(requestIface), dbus.WithMatchMember("Response")}
	if err := p.conn.AddMatchSignalContext(ctx, match...); err != nil {
		return "", fmt.Errorf("portal: %w: %w", ErrUnavailable, err)
	}
	defer func() { _ = p.conn.RemoveMatchSignal(match...) }()

	opts := map[string]dbus.Variant{
		"handle_token": dbus.MakeVariant(token),
		"modal":        dbus.MakeVariant(true),
	}
	if r.Accept != "" {
		opts["accept_label"] = dbus.MakeVariant(r.Accept)
	}
	if r.Folder != "" {
		opts["current_folder"] = dbus.MakeVariant(append([]byte(r.Folder), 0))
	}
	if pats := patterns(r.Filter); len(pats) > 0 {
		f := portalFilter{Name: r.Filter.Name}
		for _, pat := range pats {
			f.Rules = append(f.Rules, filterRule{Type: 0, Pattern: pat})
		}
		opts["filters"] = dbus.MakeVariant([]portalFilter{f})
		opts["current_filter"] = dbus.MakeVariant(f)
	}
	method := fileChooserIface + ".OpenFile"
	switch r.Kind {
	case Folder:
		if p.version < 3 { // folders came with version 3
			return "", fmt.Errorf("portal: FileChooser version %d has no folders: %w", p.version, ErrUnavailable)
		}
		opts["directory"] = dbus.MakeVariant(true)
	case SaveFile:
		method = fileChooserIface + ".SaveFile"
		if r.Name != "" {
			opts["current_name"] = dbus.MakeVariant(r.Name)
		}
	}
	parent := ""
	if r.Parent != 0 {
		parent = fmt.Sprintf("x11:%x", r.Parent)
	}
	var got dbus.ObjectPath
	call := p.conn.Object(portalName, portalPath).CallWithContext(ctx, method, 0, parent, r.Title, opts)
	if call.Err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", fmt.Errorf("portal: %w: %w", ErrUnavailable, call.Err)
	}
	if err := call.Store(&got); err != nil {
		return "", fmt.Errorf("portal: %w: %w", ErrUnavailable, err)
	}
	if got != "" {
		handle = got // portals before version 0.9 chose their own path
	}
	for {
		select {
		case <-ctx.Done():
			_ = p.conn.Object(portalName, handle).Call(requestIface+".Close", dbus.FlagNoReplyExpected).Err
			return "", ctx.Err()
		case s := <-signals:
			if s == nil || s.Path != handle || s.Name != requestIface+".Response" {
				continue
			}
			return responsePath(s.Body)
		}
	}
}

// responsePath reads a Request.Response signal's body: (u response, a{sv} results).
func responsePath(body []any) (string, error) {
	if len(body) != 2 {
		return "", errors.New("portal: unexpected response")
	}
	status, ok := body[0].(uint32)
	if !ok {
		return "", errors.New("portal: unexpected response")
	}
	if status != 0 { // 1: the person cancelled; 2: closed in some other way
		return "", nil
	}
	results, _ := body[1].(map[string]dbus.Variant)
	uris, _ := results["uris"].Value().([]string)
	if len(uris) == 0 {
		return "", nil
	}
	return uriPath(uris[0])
}

// uriPath turns a file:// URI into a local path.
func uriPath(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("portal: the chosen place is not a valid address: %w", err)
	}
	if u.Scheme != "file" || u.Path == "" {
		return "", errors.New("portal: the chosen place is not on this computer")
	}
	return filepath.FromSlash(u.Path), nil
}

// handleToken is a fresh request token; it becomes the last element of the request's object path.
func handleToken() (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("portal: %w", err)
	}
	return "dossier" + hex.EncodeToString(b[:]), nil
}
