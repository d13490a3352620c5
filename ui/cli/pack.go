package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"filippo.io/age"

	"dossier/packager/bundle"
	"dossier/packager/cover"
	"dossier/packager/deid"
	"dossier/packager/envelope"
	"dossier/packager/export"
	"dossier/packager/intake"
	"dossier/packager/privacy"
	"dossier/packager/store"
	"dossier/packager/summary"
)

func runPack(ctx context.Context, env *Env, args []string) error {
	fs := newFlags("pack", env)
	out := fs.String("out", "", "the bundle file to write (NAME.age)")
	folder := fs.String("folder", "", "write the bundle unencrypted into this folder (a USB stick for a visit)")
	level := fs.String("privacy", string(privacy.Identified), fmt.Sprintf("%s, %s or %s", privacy.Identified, privacy.Pseudonymised, privacy.Anonymised))
	cancer := fs.String("cancer", "", "the cancer type, for the checklist on the cover")
	passFile := fs.String("passphrase-file", "", "read the passphrase from this file")
	recipientsFile := fs.String("recipients-file", "", "encrypt to the public keys in this file")
	centre := fs.String("centre", "", "encrypt to a receiving centre saved in the app")
	question := fs.String("question", "", "the question for the reviewer, shown first on the cover")
	split := fs.String("split", "", "split into volumes of this size (e.g. 25M, 2G)")
	caseID := fs.Int64("case", 0, "the case (as listed by the app) to use")
	asJSON := fs.Bool("json", false, "print the result as JSON on stdout")
	lang := langFlag(fs)
	who := addIdentityFlags(fs)
	var recipients, include multiFlag
	fs.Var(&recipients, "recipient", "encrypt to this public key (age1..., ssh-ed25519 ..., ssh-rsa ...); repeatable")
	fs.Var(&include, "include", "include this file although it needs review (repeatable)")
	redactions := fs.String("redactions", "", "JSON file of boxes to black out: [{\"path\",\"page\",\"x\",\"y\",\"width\",\"height\"}] (pixels from the top left for pictures)")
	convertHEIC := fs.Bool("convert-heic", false, "convert HEIC photos whose hidden details cannot be removed in place to JPEG (re-encodes them)")
	noRedact := fs.Bool("no-redact", false, "hold documents whose text names the patient for review instead of removing the name from them")
	paths, err := parse(fs, args)
	if err != nil {
		return err
	}
	defer tightMemory()()
	if (*out == "") == (*folder == "") {
		return usagef("give exactly one of --out FILE or --folder DIR")
	}
	lv, err := privacy.ParseLevel(*level)
	if err != nil {
		return usagef("%v", err)
	}
	if err := checkLang(*lang); err != nil {
		return err
	}
	if err := who.check(); err != nil {
		return err
	}
	keyOptions := 0
	for _, set := range []bool{*passFile != "", len(recipients) > 0 || *recipientsFile != "", *centre != ""} {
		if set {
			keyOptions++
		}
	}
	if *folder != "" && keyOptions > 0 {
		return usagef("--folder writes an unencrypted copy: it takes no passphrase or keys")
	}
	if keyOptions > 1 {
		return usagef("give one of --passphrase-file, --recipient/--recipients-file or --centre")
	}
	var splitSize int64
	if *split != "" {
		if *folder != "" {
			return usagef("--split is for encrypted bundles")
		}
		if splitSize, err = envelope.ParseSize(*split); err != nil {
			return usagef("--split: %v", err)
		}
		if err := checkSplit(splitSize); err != nil {
			return err
		}
	}
	rules, cancerID, err := cancerFlag(*cancer)
	if err != nil {
		return err
	}

	// Where it goes, and who can open it: the same choices the app's wizard makes.
	ch := export.Choices{Level: lv, Split: splitSize, Language: *lang, Include: includeSet(include),
		ConvertHEIC: *convertHEIC, NoRedact: *noRedact}
	if *folder != "" {
		ch.Lock, ch.Dir, ch.Name = export.LockNone, filepath.Dir(filepath.Clean(*folder)), filepath.Base(filepath.Clean(*folder))
	} else {
		ch.Dir, ch.Name = filepath.Dir(*out), strings.TrimSuffix(filepath.Base(*out), ".age")
		if ch.Name == "" || ch.Name == "." {
			return usagef("--out needs a file name")
		}
	}
	if err := checkPackOutput(bundle.Output{Dir: ch.Dir, Name: ch.Name, Folder: ch.Lock == export.LockNone, Split: splitSize}, *out, *folder, paths, include); err != nil {
		return err
	}
	st, err := openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	switch {
	case *folder != "":
	case *passFile != "":
		pass, err := readSecretFile(*passFile)
		if err != nil {
			return err
		}
		ch.Lock, ch.Passphrase = export.LockPassphrase, pass
	case len(recipients) > 0 || *recipientsFile != "":
		ch.Lock = export.LockKeys
		for _, r := range recipients {
			if _, _, err := envelope.ParseRecipient(r); err != nil {
				return usagef("--recipient: %v", err)
			}
			ch.Keys = append(ch.Keys, r)
		}
		if *recipientsFile != "" {
			b, err := readOptionFile("--recipients-file", *recipientsFile, maxRecipientsFile)
			if err != nil {
				return err
			}
			recs, _, err := envelope.ParseRecipientsFile(bytes.NewReader(b))
			if err != nil {
				return fmt.Errorf("%s: %w", *recipientsFile, err)
			}
			ch.Recipients = recs
		}
	case *centre != "":
		c, err := st.CentreByName(ctx, *centre)
		if err != nil {
			return fmt.Errorf("no saved centre called %q (add it in the app's settings): %w", *centre, err)
		}
		ch.Lock, ch.Keys, ch.Centre = export.LockKeys, c.Keys, c.Name
	default:
		ch.Lock = export.LockGenerated
	}
	// Check them now, before the records are read.
	if _, _, err := ch.Output(); err != nil {
		if *passFile != "" && errors.Is(err, export.ErrWeakPassphrase) {
			return fmt.Errorf("the passphrase in %s is too weak: %w", *passFile, err)
		}
		return err
	}

	var checks []summary.Check
	if *caseID != 0 {
		if checks, err = st.FactChecks(ctx, *caseID); err != nil {
			return err
		}
	}
	cc, err := evaluatePaths(ctx, env, rules, cancerID, paths, checks...)
	if err != nil {
		return err
	}
	if *question != "" {
		cc.details.Questions = append([]string{*question}, cc.details.Questions...)
	}
	cc.inv = who.apply(cc.inv)
	kase, err := caseFor(ctx, st, *caseID, cc.inv, paths)
	if err != nil {
		return err
	}
	red, err := readRedactions(*redactions, lv)
	if err != nil {
		return err
	}
	if err := checkRedactionsKnown(red, cc.inv); err != nil {
		return err
	}
	remember(ch.Dir)
	ch.Redactions = red
	res, err := export.Send(ctx, st, export.Case{ID: kase.ID, Inventory: cc.inv, Rules: cc.rules, Report: cc.report, Details: cc.details},
		ch, packProgress(env))
	if env.Progress {
		fmt.Fprintln(env.Stderr)
	}
	if errors.Is(err, export.ErrNotRecorded) && res != nil {
		// The bundle is complete: show it (and its passphrase) anyway.
		printPack(env.Stdout, res.Result, res.Passphrase, res.Pseudonym)
		return err
	}
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	printPack(env.Stdout, res.Result, res.Passphrase, res.Pseudonym)
	return nil
}

// openStore opens the case store in its usual place.
func openStore(ctx context.Context) (*store.Store, error) {
	p, err := store.DefaultPath()
	if err != nil {
		return nil, err
	}
	return store.Open(ctx, p)
}

// readSecretFile reads a passphrase: the first line of the file (a regular
// file of at most 4 KiB).
func readSecretFile(path string) (string, error) {
	b, err := readOptionFile("--passphrase-file", path, maxPassphraseFile)
	if err != nil {
		return "", err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	line = strings.TrimRight(line, "\r")
	if line == "" {
		return "", fmt.Errorf("%s holds no passphrase", path)
	}
	return line, nil
}

func includeSet(include []string) map[string]bool {
	set := map[string]bool{}
	for _, p := range include {
		set[p] = true
		if abs, err := filepath.Abs(p); err == nil {
			set[abs] = true
		}
	}
	return set
}

// caseFor finds the case the command line keeps for these records and saves
// the inventory into it.
func caseFor(ctx context.Context, st *store.Store, caseID int64, inv *intake.Inventory, paths []string) (*store.Case, error) {
	c, err := findCase(ctx, st, caseID, inv, paths)
	if err != nil {
		return nil, err
	}
	return c, st.SaveInventory(ctx, c.ID, inv)
}

// findCase is caseFor without saving the inventory.
func findCase(ctx context.Context, st *store.Store, caseID int64, inv *intake.Inventory, paths []string) (*store.Case, error) {
	if caseID != 0 {
		return st.Case(ctx, caseID)
	}
	name := cliCaseName(inv, paths)
	c, err := st.CaseByName(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		c, err = st.CreateCase(ctx, name)
	}
	return c, err
}

// packProgress shows progress on a terminal.
func packProgress(env *Env) func(bundle.Progress) {
	if !env.Progress {
		return nil
	}
	last := time.Time{}
	return func(p bundle.Progress) {
		if time.Since(last) < 50*time.Millisecond && p.Done != p.Total {
			return
		}
		last = time.Now()
		fmt.Fprintf(env.Stderr, "\rpacking: %d of %d files, %s of %s   ", p.Done, p.Total, humanBytes(p.Bytes), humanBytes(p.TotalBytes))
	}
}

func printPack(w io.Writer, res *bundle.Result, passphrase, pseudonym string) {
	fmt.Fprintf(w, "Wrote the bundle (%s, %v inside):\n", res.Privacy, filesText(len(res.Items)))
	for _, f := range res.Files {
		fmt.Fprintf(w, "  %s\n", Printable(f))
	}
	fmt.Fprintf(w, "Fingerprint: %s\n", cover.FingerprintGroups(res.Fingerprint))
	var named []string // sent as they are at a private level: they carry the identity
	for _, it := range res.Items {
		if it.SentNamed() && res.Privacy != privacy.Identified {
			named = append(named, Printable(filepath.Base(it.Path)))
		}
	}
	if len(named) > 0 {
		fmt.Fprintf(w, "Sent as they are, with your name or other details in them (--include): %s.\n", strings.Join(named, ", "))
	}
	switch {
	case pseudonym != "" && len(named) > 0:
		fmt.Fprintf(w, "The other records carry the pseudonym %s instead of your name.\n", pseudonym)
	case pseudonym != "":
		fmt.Fprintf(w, "The records carry the pseudonym %s instead of your name.\n", pseudonym)
	}
	if passphrase != "" {
		fmt.Fprintf(w, "\nPassphrase (shown only now; send it by another way than the bundle, e.g. read it out by phone):\n\n    %s\n\n", passphrase)
	}
	if len(res.LeftOut) > 0 {
		fmt.Fprintf(w, "Left out (%d):\n", len(res.LeftOut))
		for _, d := range res.LeftOut {
			line := fmt.Sprintf("  %s: %s", Printable(d.Path), Printable(d.Reason.String()))
			if d.Action == deid.Review {
				line += " (add --include to send it anyway)"
			}
			fmt.Fprintln(w, line)
			printLeaks(w, d)
		}
	}
}

// identitiesFlags reads --passphrase-file or --identity for verify and open.
func identities(passFile, identityFile string) ([]age.Identity, error) {
	switch {
	case passFile != "" && identityFile != "":
		return nil, usagef("give --passphrase-file or --identity, not both")
	case passFile != "":
		pass, err := readSecretFile(passFile)
		if err != nil {
			return nil, err
		}
		id, err := envelope.PassphraseIdentity(pass)
		if err != nil {
			return nil, err
		}
		return []age.Identity{id}, nil
	case identityFile != "":
		b, err := readOptionFile("--identity", identityFile, maxIdentityFile)
		if err != nil {
			return nil, err
		}
		return envelope.ParseIdentities(bytes.NewReader(b))
	}
	return nil, usagef("give --passphrase-file F or --identity F to open an encrypted bundle")
}

// openBundle decrypts a bundle (any of its volumes may be named).
func openBundle(path string, ids []age.Identity) (io.Reader, io.Closer, error) {
	r, c, _, err := openBundleSize(path, ids)
	return r, c, err
}

// openBundleSize is openBundle that also returns the bundle's size on disk.
func openBundleSize(path string, ids []age.Identity) (io.Reader, io.Closer, int64, error) {
	rc, vols, err := envelope.OpenVolumes(path)
	if err != nil {
		return nil, nil, 0, err
	}
	var size int64
	for _, v := range vols {
		if fi, err := os.Stat(v); err == nil {
			size += fi.Size()
		}
	}
	r, c, err := decryptVolumes(rc, ids)
	return r, c, size, err
}

// declaredSize reads what a bundle's files add up to from its inner ZIP's
// directory, decrypting only the end of the bundle.
func declaredSize(path string, ids []age.Identity) (int64, error) {
	rc, vols, err := envelope.OpenVolumes(path)
	if err != nil {
		return 0, err
	}
	rc.Close()
	ra, n, c, err := envelope.DecryptAt(vols, ids...)
	if errors.Is(err, envelope.ErrDamaged) {
		return 0, nil // reading it from the start says what is wrong, and where
	}
	if err != nil {
		return 0, err
	}
	defer c.Close()
	total, err := bundle.DeclaredSize(ra, n)
	if err != nil {
		return 0, nil // likewise: the stream reader reports the damage
	}
	return total, nil
}

func decryptVolumes(rc io.ReadCloser, ids []age.Identity) (io.Reader, io.Closer, error) {
	r, err := envelope.Decrypt(rc, ids...)
	if err != nil {
		rc.Close()
		return nil, nil, err
	}
	return r, rc, nil
}

func runVerify(ctx context.Context, env *Env, args []string) error {
	fs := newFlags("verify", env)
	passFile := fs.String("passphrase-file", "", "the file holding the bundle's passphrase")
	identityFile := fs.String("identity", "", "your age identity or SSH private key file")
	asJSON := fs.Bool("json", false, "print the report as JSON on stdout")
	paths, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(paths) != 1 {
		return usagef("give one bundle")
	}
	var rep *bundle.Report
	if fi, err := os.Stat(paths[0]); err == nil && fi.IsDir() {
		rep, err = bundle.VerifyFolder(ctx, paths[0])
		if err != nil {
			return err
		}
	} else {
		ids, err := identities(*passFile, *identityFile)
		if err != nil {
			return err
		}
		r, c, err := openBundle(paths[0], ids)
		if err != nil {
			return err
		}
		defer c.Close()
		if rep, err = bundle.Verify(ctx, r, bundle.VerifyOptions{}); err != nil {
			return err
		}
	}
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	fmt.Fprintf(env.Stdout, "The bundle is intact: %v, %s, every one matches its checksum.\nPrivacy level: %s\nFingerprint: %s\n",
		filesText(rep.Files), humanBytes(rep.Bytes), rep.Privacy, cover.FingerprintGroups(rep.Fingerprint))
	return nil
}

func runOpen(ctx context.Context, env *Env, args []string) error {
	fs := newFlags("open", env)
	passFile := fs.String("passphrase-file", "", "the file holding the bundle's passphrase")
	identityFile := fs.String("identity", "", "your age identity or SSH private key file")
	to := fs.String("to", "", "the folder to extract into")
	overwrite := fs.Bool("overwrite", false, "replace files already in the folder")
	allowExpansion := fs.Bool("allow-expansion", false, fmt.Sprintf("open a bundle that unpacks to more than %d times its size", bundle.MaxExpansion))
	paths, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(paths) != 1 {
		return usagef("give one bundle")
	}
	if *to == "" {
		return usagef("--to DIR is required")
	}
	ids, err := identities(*passFile, *identityFile)
	if err != nil {
		return err
	}
	ids = envelope.RememberKey(ids...) // one scrypt for both readings
	declared, err := declaredSize(paths[0], ids)
	if err != nil {
		return err
	}
	r, c, packed, err := openBundleSize(paths[0], ids)
	if err != nil {
		return err
	}
	defer c.Close()
	remember(*to)
	rep, err := bundle.OpenWith(ctx, r, *to, bundle.OpenOptions{Overwrite: *overwrite, PackedSize: packed, Declared: declared, AllowExpansion: *allowExpansion})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Opened and checked %v into %s.\nStart with %s.\nPrivacy level: %s\nFingerprint: %s\n",
		filesText(rep.Files), *to, filepath.Join(*to, bundle.NameCover), rep.Privacy, cover.FingerprintGroups(rep.Fingerprint))
	return nil
}
