package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"strings"

	"dossier/packager/i18n"
	"dossier/packager/intake"
)

func runScan(ctx context.Context, env *Env, args []string) error {
	fs := newFlags("scan", env)
	asJSON := fs.Bool("json", false, "print the inventory as JSON on stdout")
	paths, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := checkPaths(paths); err != nil {
		return err
	}
	defer collectLater(scanHeadroom)()
	inv, err := intake.Scan(ctx, paths, intake.Options{}, progressPrinter(env))
	if err != nil {
		return err
	}
	if *asJSON {
		return inv.WriteJSON(env.Stdout) // as json.Encoder with SetIndent("", "  "), streamed
	}
	printInventory(env.Stdout, inv)
	return nil
}

// checkPaths fails early on a path that is not there at all (a usage
// error: exit 2, with a hint).
func checkPaths(paths []string) error {
	for _, p := range paths {
		if _, err := os.Lstat(p); err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			if errors.Is(err, fs.ErrNotExist) {
				return &usageError{msg: fmt.Sprintf("%s does not exist", Printable(p)), hint: "check the path; a CD or USB stick may have been removed"}
			}
			return fmt.Errorf("cannot read %s: %w", Printable(p), err)
		}
	}
	return nil
}

// progressPrinter shows a one-line counter on a terminal's stderr.
func progressPrinter(env *Env) func(intake.Progress) {
	if !env.Progress {
		return nil
	}
	return func(p intake.Progress) {
		fmt.Fprintf(env.Stderr, "\rscanning: %v, %s   ", filesText(p.Files), humanBytes(p.Bytes))
	}
}

// printInventory writes a readable inventory.
func printInventory(w io.Writer, inv *intake.Inventory) {
	counts := map[intake.Kind]int{}
	for _, it := range inv.Items {
		counts[it.Kind]++
	}
	fmt.Fprintf(w, "%v looked at", filesText(len(inv.Items)))
	var parts []string
	for _, k := range []intake.Kind{intake.KindDICOM, intake.KindDICOMDIR, intake.KindPDF, intake.KindImage, intake.KindSlide, intake.KindDocument, intake.KindArchive, intake.KindOther, intake.KindSkipped, intake.KindUnreadable} {
		if counts[k] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[k], k))
		}
	}
	if len(parts) > 0 {
		fmt.Fprintf(w, ": %s", strings.Join(parts, ", "))
	}
	fmt.Fprintln(w)

	if len(inv.Problems) > 0 {
		fmt.Fprintln(w, "\nPlease check:")
		for _, p := range inv.Problems {
			fmt.Fprintf(w, "  ! %s\n", Printable(p.Message))
		}
	}
	if len(inv.Patients) > 0 {
		fmt.Fprintln(w, "\nPatients named in the images:")
		for _, p := range inv.Patients {
			fmt.Fprintf(w, "  %s  (ID %s, born %s)\n", dash(p.Name), dash(p.ID), dash(p.BirthDate))
		}
	}
	if len(inv.Studies) > 0 {
		fmt.Fprintln(w, "\nImaging studies:")
		for _, st := range inv.Studies {
			fmt.Fprintf(w, "  %s  %s  %s  (%v)\n", dash(st.Date), strings.Join(st.Modalities, "/"), dash(st.Description), imagesText(st.Instances))
			for _, se := range st.Series {
				extra := ""
				if se.BurnedIn > 0 {
					extra = fmt.Sprintf(", %d may show identity in the picture", se.BurnedIn)
				}
				fmt.Fprintf(w, "      series %d  %s  %s: %v%s\n", se.Number, dash(se.Modality), dash(se.Description), imagesText(se.Instances), extra)
				for _, p := range se.Problems {
					fmt.Fprintf(w, "        ! %s\n", Printable(p.String()))
				}
			}
		}
	}
	if len(inv.Slides) > 0 {
		fmt.Fprintln(w, "\nSlides:")
		for _, s := range inv.Slides {
			fmt.Fprintf(w, "  %s  %s, %v, %dx%d%s\n", Printable(s.Path), Printable(s.Vendor), i18n.Plural(s.Levels, i18n.Msg("%d level"), i18n.Msg("%d levels")), s.Width, s.Height, slideExtras(s))
		}
	}
	section(w, inv, "Reports and documents", intake.KindPDF, intake.KindDocument)
	section(w, inv, "Photos and scans", intake.KindImage)
	section(w, inv, "Archives", intake.KindArchive)
	section(w, inv, "Disc indexes", intake.KindDICOMDIR)
	section(w, inv, "Other files", intake.KindOther)
	section(w, inv, "Could not read", intake.KindUnreadable)
	section(w, inv, "Skipped", intake.KindSkipped)
}

func slideExtras(s *intake.Slide) string {
	var e []string
	if s.Label {
		e = append(e, "label")
	}
	if s.Macro {
		e = append(e, "macro")
	}
	if len(e) == 0 {
		return ""
	}
	return "; has " + strings.Join(e, " and ") + " image (may show identity)"
}

func section(w io.Writer, inv *intake.Inventory, title string, kinds ...intake.Kind) {
	var rows []*intake.Item
	for _, it := range inv.Items {
		for _, k := range kinds {
			if it.Kind == k {
				rows = append(rows, it)
			}
		}
	}
	if len(rows) == 0 {
		return
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Path < rows[j].Path })
	fmt.Fprintf(w, "\n%s:\n", title)
	for _, it := range rows {
		line := "  " + Printable(it.Path)
		if it.Format != "" && it.Format != string(it.Kind) {
			line += "  [" + it.Format + "]"
		}
		if !it.Reason.IsZero() {
			line += "  (" + Printable(it.Reason.String()) + ")"
		}
		fmt.Fprintln(w, line)
		for _, p := range it.Problems {
			fmt.Fprintf(w, "      ! %s\n", Printable(p.String()))
		}
	}
}

// dash prints a value read from the records: "-" when empty, escaped
// (Printable) otherwise.
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return Printable(s)
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "KMGTPE"[exp])
}

// filesText is a number of files in the command line's English ("1 file",
// "3 files"), by i18n.Plural like every counted text.
func filesText(n int) i18n.Text { return i18n.Plural(n, i18n.Msg("%d file"), i18n.Msg("%d files")) }

// imagesText is a number of images ("1 image", "3 images").
func imagesText(n int) i18n.Text {
	return i18n.Plural(n, i18n.Msg("%d image"), i18n.Msg("%d images"))
}
