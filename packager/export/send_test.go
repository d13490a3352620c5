package export

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dossier/internal/fixture/docfix"
	"dossier/packager/atomicfile"
	"dossier/packager/bundle"
	"dossier/packager/deid"
	"dossier/packager/envelope"
	"dossier/packager/i18n"
	"dossier/packager/intake"
	"dossier/packager/pixelmask"
	"dossier/packager/privacy"
	"dossier/packager/store"
)

func init() { envelope.ScryptWorkFactor = 12 } // keep passphrase encryption fast in tests

// Each lock turns into the bundle's output and the recipient the audit row
// records, and a choice that cannot work is refused before anything is
// read, with an error the one table explains.
func TestChoicesOutput(t *testing.T) {
	_, pub1 := envelope.GenerateX25519()
	_, pub2 := envelope.GenerateX25519()
	strong := "orbit candle meadow ferry plural velvet quartz"
	for _, tc := range []struct {
		name      string
		ch        Choices
		label     string
		recipient int
		err       error
	}{
		{"generated", Choices{}, RecipientGenerated, 0, nil},
		{"typed", Choices{Lock: LockPassphrase, Passphrase: strong}, RecipientPassphrase, 0, nil},
		{"weak", Choices{Lock: LockPassphrase, Passphrase: "cat dog"}, "", 0, ErrWeakPassphrase},
		{"one key", Choices{Lock: LockKeys, Keys: []string{pub1}}, "1 public key", 1, nil},
		{"two keys", Choices{Lock: LockKeys, Keys: []string{pub1, pub2}}, "2 public keys", 2, nil},
		{"centre", Choices{Lock: LockKeys, Keys: []string{pub1}, Centre: "Tumour Board"}, "Tumour Board", 1, nil},
		{"no keys", Choices{Lock: LockKeys}, "", 0, ErrNoKeys},
		{"folder", Choices{Lock: LockNone}, RecipientFolder, 0, nil},
		{"unknown lock", Choices{Lock: "smoke signals"}, "", 0, ErrNoLock},
	} {
		tc.ch.Dir, tc.ch.Name = "/out", "case"
		o, label, err := tc.ch.Output()
		if tc.err != nil {
			if !errors.Is(err, tc.err) {
				t.Errorf("%s: err %v, want %v", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil || label != tc.label || len(o.Recipients) != tc.recipient || o.Dir != "/out" || o.Name != "case" {
			t.Errorf("%s: %v, label %q, %d recipients, %+v", tc.name, err, label, len(o.Recipients), o)
		}
		if encrypted := o.Passphrase != "" || len(o.Recipients) > 0; encrypted == o.Folder {
			t.Errorf("%s: folder %v, encrypted %v", tc.name, o.Folder, encrypted)
		}
		if tc.ch.Lock == LockPassphrase && o.Passphrase != strong {
			t.Errorf("%s: passphrase %q", tc.name, o.Passphrase)
		}
	}
	// A generated passphrase passes the same check a typed one must pass.
	o, _, _ := Choices{}.Output()
	if err := CheckPassphrase(o.Passphrase); err != nil {
		t.Errorf("a generated passphrase is weak: %v", err)
	}
	// The weak passphrase's message is the strength check's advice.
	err := CheckPassphrase("cat dog")
	if _, advice := envelope.PassphraseStrength("cat dog"); err == nil || err.Error() != advice {
		t.Errorf("weak passphrase: %v", err)
	}
	// A key that cannot be used says why, as a sentence without the low-level package's prefix.
	_, _, err = Choices{Lock: LockKeys, Keys: []string{"AGE-SECRET-KEY-1XYZ"}}.Output()
	var ke *KeyError
	if !errors.As(err, &ke) || !strings.HasPrefix(err.Error(), "This key cannot be used: ") || strings.Contains(err.Error(), "envelope:") ||
		strings.Contains(err.Error(), "XYZ") {
		t.Errorf("private key as a recipient: %v", err)
	}
	// The recorded numbers of keys are read back as texts; a centre's name is shown as it is.
	for label, want := range map[string]string{"1 public key": "1 个公钥", "2 public keys": "2 个公钥", "12 public keys": "12 个公钥",
		"Centre 3 public keys": "Centre 3 public keys", "Institut Curie": "Institut Curie", "1 public keys": "1 public keys"} {
		if got := i18n.MustLoad("zh-Hans").Text(RecipientText(label)); got != want {
			t.Errorf("recipient %q in Chinese: %q, want %q", label, got, want)
		}
	}
	// Both errors keep their message as a text, written in Chinese from its format and values.
	zh := i18n.MustLoad("zh-Hans")
	if got := zh.Text(ke.Text()); !strings.HasPrefix(got, "无法使用此密钥：") || strings.Contains(got, "envelope:") {
		t.Errorf("key error in Chinese: %q", got)
	}
	var weak interface{ Text() i18n.Text }
	if err := CheckPassphrase("cat dog"); !errors.As(err, &weak) || !strings.HasPrefix(zh.Text(weak.Text()), "这个密码短语太容易被猜到（约 ") {
		t.Errorf("weak passphrase in Chinese: %v", err)
	}
	if _, err := ParseKeys("# the centre's keys\n\n" + pub1 + "\n  " + pub2 + "  \n"); err != nil {
		t.Errorf("pasted keys: %v", err)
	}
	if _, err := ParseKeys("\n# nothing\n"); !errors.Is(err, ErrNoKeys) {
		t.Errorf("no keys pasted: %v", err)
	}
	if _, _, err := (Choices{Lock: LockNone, Split: 20_000_000}).Output(); err == nil {
		t.Error("an unlocked folder was split")
	}
}

// Every choice reaches the bundle's request: the level, what to include,
// the redaction boxes, the language and the consents.
func TestChoicesReachTheRequest(t *testing.T) {
	red := map[string]*deid.Redactions{"/r/scan.jpg": {Pixels: []pixelmask.Box{{X: 1, Y: 2, Width: 3, Height: 4}}, Confirmed: true}}
	ch := Choices{Level: privacy.Anonymised, Language: "zh-Hans", Include: map[string]bool{"/r/a.jpg": true},
		Redactions: red, ConvertHEIC: true, NoRedact: true}
	o := bundle.Output{Dir: "/out", Name: "case", Folder: true}
	req := ch.request(Case{ID: 7}, o, RecipientFolder, nil)
	if req.CaseID != 7 || req.Level != privacy.Anonymised || req.Language != "zh-Hans" || !req.Include["/r/a.jpg"] ||
		req.Redactions["/r/scan.jpg"] != red["/r/scan.jpg"] || !req.ConvertHEIC || !req.NoRedact ||
		req.Recipient != RecipientFolder || req.Output.Dir != "/out" || req.Inventory == nil {
		t.Errorf("request: %+v", req)
	}
}

// recordingStore keeps the audit rows.
type recordingStore struct{ rows []*store.Export }

func (s *recordingStore) Pseudonym(context.Context, int64) (string, []byte, error) {
	return "DOSSIER-TEST-0001", make([]byte, privacy.SecretSize), nil
}
func (s *recordingStore) AddExport(_ context.Context, e *store.Export) error {
	s.rows = append(s.rows, e)
	return nil
}

// Send writes the bundle, returns the passphrase it made (and only that
// one), and records who can open it; a second export to the same name is
// refused with the one "name taken" error, which the table explains.
func TestSend(t *testing.T) {
	in := t.TempDir()
	os.WriteFile(filepath.Join(in, "report.pdf"), docfix.PDF("Surgical pathology report", "Invasive ductal carcinoma"), 0o644)
	inv, err := intake.Scan(context.Background(), []string{in}, intake.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	st := &recordingStore{}
	c := Case{ID: 1, Inventory: inv}
	progressed := false
	res, err := Send(context.Background(), st, c, Choices{Level: privacy.Identified, Dir: out, Name: "case"},
		func(bundle.Progress) { progressed = true })
	if err != nil {
		t.Fatal(err)
	}
	if res.Passphrase == "" || res.Output.Passphrase != res.Passphrase || res.Output.Dir != out || !progressed {
		t.Fatalf("result: passphrase %q, output %+v, progress %v", res.Passphrase, res.Output, progressed)
	}
	if len(st.rows) != 1 || st.rows[0].Recipient != RecipientGenerated || st.rows[0].Fingerprint != res.Fingerprint {
		t.Errorf("audit rows: %+v", st.rows)
	}
	id, err := envelope.PassphraseIdentity(res.Passphrase)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(out, "case.age"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := envelope.Decrypt(f, id)
	if err != nil {
		t.Fatalf("the passphrase returned does not open the bundle: %v", err)
	}
	if rep, err := bundle.Verify(context.Background(), r, bundle.VerifyOptions{}); err != nil || rep.Fingerprint != res.Fingerprint {
		t.Fatalf("verify: %v", err)
	}

	// A passphrase the person chose is never handed back.
	res, err = Send(context.Background(), nil, c, Choices{Level: privacy.Identified, Lock: LockPassphrase,
		Passphrase: "orbit candle meadow ferry plural velvet quartz", Dir: out, Name: "typed"}, nil)
	if err != nil || res.Passphrase != "" {
		t.Fatalf("typed passphrase: %v, %q", err, res.Passphrase)
	}
	// The same name again.
	_, err = Send(context.Background(), nil, c, Choices{Level: privacy.Identified, Dir: out, Name: "case"}, nil)
	if !errors.Is(err, atomicfile.ErrExists) || !errors.Is(err, bundle.ErrExists) || !errors.Is(err, envelope.ErrExists) {
		t.Fatalf("same name: %v", err)
	}
	if p, ok := Explain(err); !ok || p.Title != "Files of this name are already there" {
		t.Errorf("same name explained as %+v", p)
	}
	// A weak passphrase is refused before anything is written.
	_, err = Send(context.Background(), nil, c, Choices{Level: privacy.Identified, Lock: LockPassphrase, Passphrase: "cat dog", Dir: out, Name: "weak"}, nil)
	if !errors.Is(err, ErrWeakPassphrase) {
		t.Errorf("weak passphrase: %v", err)
	}
	if _, err := os.Stat(filepath.Join(out, "weak.age")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused export wrote something: %v", err)
	}
}

// The one error table: each error, also wrapped, finds its entry, whose
// texts are all there; the first entry wins; an unknown error finds none.
func TestExplain(t *testing.T) {
	for _, e := range problems {
		p := e.p
		if p.Title == "" || p.What == "" || p.Todo == "" {
			t.Errorf("%v: incomplete %+v", e.errs, p)
		}
		for _, s := range []string{p.What, p.Todo} {
			if !strings.HasSuffix(s, ".") {
				t.Errorf("%v: not a sentence: %q", e.errs, s)
			}
		}
		for _, target := range e.errs {
			got, ok := Explain(fmt.Errorf("somewhere: %w", target))
			if !ok || got != p {
				t.Errorf("%v: explained as %+v", target, got)
			}
		}
	}
	if p, ok := Explain(fmt.Errorf("open: %w", os.ErrNotExist)); !ok || !strings.Contains(p.Hint, "check the path") {
		t.Errorf("missing file: %+v", p)
	}
	if p, ok := Explain(deid.ErrNoIdentity); !ok || !strings.Contains(p.Hint, "--patient-name") || !strings.Contains(p.Todo, "Case details") {
		t.Errorf("no identity: %+v", p)
	}
	if _, ok := Explain(errors.New("something else")); ok {
		t.Error("an unknown error was explained")
	}
	if _, ok := Explain(nil); ok {
		t.Error("no error was explained")
	}
	if Unknown.Title == "" || Unknown.Todo == "" {
		t.Errorf("unknown: %+v", Unknown)
	}
}
