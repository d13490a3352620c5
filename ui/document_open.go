package ui

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"dossier/packager/doctext"
)

// openerWait is how long the system's opener is given to report that it could not open a file;
// one still running then has started a viewer.
const openerWait = 8 * time.Second

// systemOpen asks the system to show a file or folder and reports whether it could. It is a
// variable so tests can stand in for a computer without a viewer.
var systemOpen = openWithSystem

// openWithSystem runs the system's opener (xdg-open on Linux and BSD, open on macOS) and waits a
// little for its answer: Fyne's OpenURL only starts it, so "no program for PDF files" went
// unnoticed. On Windows it goes through Fyne's OpenURL (ShellExecute), which reports that itself.
func openWithSystem(path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	var name string
	switch runtime.GOOS {
	case "windows":
		a := fyne.CurrentApp()
		if a == nil {
			return errors.New("no app")
		}
		u := &url.URL{Scheme: "file", Path: "/" + filepath.ToSlash(abs)}
		return a.OpenURL(u)
	case "darwin":
		name = "open"
	default:
		name = "xdg-open"
	}
	cmd := exec.Command(name, abs)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		return nil
	case <-time.After(openerWait):
		return nil // still running: a viewer was started and keeps its opener waiting
	}
}

// openDocument opens a document (the cover summary) with the system's viewer, off the UI goroutine.
// When no viewer opens it, a dialog says so, offers "Show in folder" and shows its first page here.
func openDocument(win fyne.Window, run *runner, path string) {
	startJob(run, context.Background(), func(ctx context.Context, _ func(struct{})) (struct{}, error) {
		return struct{}{}, systemOpen(path)
	}, nil, func(_ struct{}, err error) {
		if err != nil {
			showDocumentHere(win, run, path, true)
		}
	})
}

// openFolder shows a folder in the system's file manager, or says where it is when none opens it.
func openFolder(win fyne.Window, run *runner, dir string) {
	startJob(run, context.Background(), func(ctx context.Context, _ func(struct{})) (struct{}, error) {
		return struct{}{}, systemOpen(dir)
	}, nil, func(_ struct{}, err error) {
		if err != nil {
			l := newWrapLabel(lang.X("docview.nofolder", "No file manager opened the folder. It is here:"))
			where := widget.NewLabel(dir)
			where.Wrapping = fyne.TextWrapBreak
			copyBtn := newButtonWithIcon(lang.X("docview.copy", "Copy where it is"), theme.ContentCopyIcon(), func() { copyText(dir) })
			d := newCloseDialog(lang.X("docview.foldertitle", "Show in folder"),
				container.NewVBox(l, where, container.NewHBox(copyBtn)), win)
			// As wide as the other messages: at its own least width the sentence ran to five short
			// lines and the folder broke at every slash.
			d.Resize(fyne.NewSize(min(520, win.Canvas().Size().Width*0.9), 0))
			d.Show()
		}
	})
}

// showDocumentHere shows the first page of a PDF in a dialog: as a picture when pdftoppm (poppler)
// is installed, else as its text, and says which. failed adds that the system could not open it.
func showDocumentHere(win fyne.Window, run *runner, path string, failed bool) {
	box := container.NewVBox()
	if failed {
		l := newWrapLabel(lang.X("docview.failed", "No program on this computer opened {{.Name}}. Its first page is shown below; use “Show in folder” to open it another way, or install a PDF viewer.", map[string]any{"Name": filepath.Base(path)}))
		box.Add(l)
	}
	how := newWrapLabel(lang.X("docview.loading", "Reading the first page…"))
	box.Add(how)
	page := container.NewStack()
	show := newButtonWithIcon(lang.X("done.show", "Show in folder"), theme.FolderOpenIcon(), func() {
		openFolder(win, run, filepath.Dir(path))
	})
	content := container.NewBorder(box, container.NewHBox(show), nil, nil, container.NewScroll(page))
	d := newCloseDialog(filepath.Base(path), content, win)
	d.Resize(dialogSize(win))
	d.Show()
	startJob(run, context.Background(), func(ctx context.Context, _ func(struct{})) (firstPage, error) {
		return renderFirstPage(ctx, path)
	}, nil, func(p firstPage, err error) {
		switch {
		case err != nil:
			setWrapText(how, lang.X("docview.none", "The first page could not be read here."))
		case p.img != nil:
			setWrapText(how, lang.X("docview.picture", "The first page, as a picture (made with pdftoppm):"))
			img := canvas.NewImageFromImage(p.img)
			img.FillMode = canvas.ImageFillContain
			img.SetMinSize(fyne.NewSize(float32(p.img.Bounds().Dx()), float32(p.img.Bounds().Dy())))
			page.Add(img)
		default:
			setWrapText(how, lang.X("docview.text", "The text of the first page (install pdftoppm, from poppler-utils, to see it as a picture):"))
			t := widget.NewLabel(p.text)
			t.Wrapping = fyne.TextWrapWord
			page.Add(t)
		}
	})
}

// firstPage is a PDF's first page: a picture, or else its text.
type firstPage struct {
	img  image.Image
	text string
}

// renderFirstPage renders the first page of the PDF at path with pdftoppm when it is installed,
// else reads its text. The picture goes through a private temporary folder, removed at once.
func renderFirstPage(ctx context.Context, path string) (firstPage, error) {
	if tool, err := exec.LookPath("pdftoppm"); err == nil {
		if img, err := pdftoppm(ctx, tool, path); err == nil {
			return firstPage{img: img}, nil
		}
	}
	text, err := doctext.ExtractFile(ctx, path, "pdf", doctext.Options{MaxPages: 1, MaxText: 8 << 10})
	if err != nil {
		return firstPage{}, err
	}
	return firstPage{text: text}, nil
}

func pdftoppm(ctx context.Context, tool, path string) (image.Image, error) {
	tmp, err := os.MkdirTemp("", "dossier-page-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	out := filepath.Join(tmp, "page")
	cmd := exec.CommandContext(ctx, tool, "-png", "-f", "1", "-l", "1", "-r", "80", "-singlefile", path, out)
	if b, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("pdftoppm: %w: %s", err, strings.TrimSpace(string(b)))
	}
	f, err := os.Open(out + ".png")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return png.Decode(f)
}
