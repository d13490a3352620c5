//go:build linux

package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// firstWindow times the desktop app, on its real OpenGL driver under Xvfb, from the start of the
// process to its first drawn frame: the window named Dossier is mapped and a picture of it (xwd)
// shows what Fyne drew (at least 16 colours; an undrawn window is one flat colour). The X server is
// polled every 20 ms, so the figure is at most that late. It is the first frame of the start
// screen, without a case; peak RSS is the app's up to then.
func (b *bench) firstWindow(ctx context.Context) error {
	b.printf("\nthe desktop app: start to first frame, under Xvfb\n")
	display, stop, err := startXvfb(ctx, b.tools["Xvfb"])
	if err != nil {
		return err
	}
	defer stop()
	config := filepath.Join(b.work, "app-config")
	c := &contender{name: "dossier (no arguments): first frame", run: func(ctx context.Context, i int) (sample, error) {
		return b.appRun(ctx, display, config)
	}}
	if err := b.interleave(ctx, b.runs, c); err != nil {
		return err
	}
	ms := medianWall(c.samples) * 1000
	b.add(check{what: "desktop app: first frame", value: ms, unit: "ms", limit: 1000, ok: ms < 1000})
	return nil
}

// startXvfb starts an X server on a free display and returns it (":N") and how to stop it.
func startXvfb(ctx context.Context, xvfb string) (string, func(), error) {
	r, w, err := os.Pipe()
	if err != nil {
		return "", nil, err
	}
	defer r.Close()
	cmd := exec.CommandContext(ctx, xvfb, "-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp", "-br")
	cmd.ExtraFiles = []*os.File{w}
	var errb tailBuffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		w.Close()
		return "", nil, err
	}
	w.Close()
	stop := func() { cmd.Process.Kill(); cmd.Wait() }
	got := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		got <- strings.TrimSpace(line)
	}()
	select {
	case n := <-got:
		if n == "" {
			stop()
			return "", nil, fmt.Errorf("Xvfb did not start:\n%s", errb.String())
		}
		return ":" + n, stop, nil
	case <-time.After(20 * time.Second):
		stop()
		return "", nil, fmt.Errorf("Xvfb did not start in 20 s:\n%s", errb.String())
	}
}

// appRun starts the app and waits for its first drawn frame.
func (b *bench) appRun(ctx context.Context, display, config string) (sample, error) {
	cmd := exec.CommandContext(ctx, b.bin)
	cmd.Env = b.dossierEnv("DISPLAY="+display, "XDG_CONFIG_HOME="+config, "XDG_DATA_HOME="+config, "XDG_CACHE_HOME="+config)
	var errb tailBuffer
	cmd.Stdout, cmd.Stderr = &errb, &errb
	exited := make(chan error, 1)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return sample{}, err
	}
	go func() { exited <- cmd.Wait() }()
	stop := func() int64 {
		cmd.Process.Signal(syscall.SIGKILL)
		<-exited
		return maxRSS(cmd.ProcessState)
	}
	deadline := time.After(30 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	win := ""
	for {
		select {
		case err := <-exited:
			return sample{}, fmt.Errorf("the app exited before showing a window (%v):\n%s", err, errb.String())
		case <-deadline:
			stop()
			return sample{}, fmt.Errorf("no drawn window after 30 s:\n%s", errb.String())
		case <-ctx.Done():
			stop()
			return sample{}, ctx.Err()
		case <-tick.C:
		}
		if win == "" {
			win = viewableWindow(ctx, b.tools["xwininfo"], display, "Dossier")
			if win == "" {
				continue
			}
		}
		pic, err := exec.CommandContext(ctx, b.tools["xwd"], "-display", display, "-id", win, "-silent").Output()
		if err != nil {
			continue // not ready to be pictured yet
		}
		if n, err := xwdColours(pic, 16); err == nil && n >= 16 {
			wall := time.Since(start)
			if b.appShot != "" {
				os.WriteFile(b.appShot, pic, 0o644) // the frame that counted, to look at (xwud -in FILE)
			}
			return sample{wall: wall, rss: stop()}, nil
		}
	}
}

// viewableWindow returns the id of the viewable window called name, or "".
func viewableWindow(ctx context.Context, xwininfo, display, name string) string {
	out, err := exec.CommandContext(ctx, xwininfo, "-display", display, "-name", name).Output()
	if err != nil || !strings.Contains(string(out), "IsViewable") {
		return ""
	}
	for _, l := range strings.Split(string(out), "\n") {
		if _, rest, ok := strings.Cut(l, "Window id: "); ok {
			if f := strings.Fields(rest); len(f) > 0 {
				return f[0]
			}
		}
	}
	return ""
}

// xwdColours counts the distinct 32-bit pixels of an XWD picture (ZPixmap, 32 bits a pixel), up to
// max.
func xwdColours(b []byte, max int) (int, error) {
	if len(b) < 100 {
		return 0, errors.New("xwd: short header")
	}
	field := func(i int) uint32 { return binary.BigEndian.Uint32(b[4*i:]) }
	headerSize, bpp, ncolors := field(0), field(11), field(19)
	data := int(headerSize) + 12*int(ncolors)
	if bpp != 32 || data > len(b) {
		return 0, fmt.Errorf("xwd: %d bits a pixel, %d-byte header", bpp, data)
	}
	seen := map[uint32]bool{}
	for p := data; p+4 <= len(b); p += 4 {
		seen[binary.LittleEndian.Uint32(b[p:])&0xFFFFFF] = true
		if len(seen) >= max {
			break
		}
	}
	return len(seen), nil
}
