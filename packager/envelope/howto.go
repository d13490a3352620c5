package envelope

import (
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/text/width"

	"dossier/packager/i18n"
)

// HowToName returns the name of the instructions file beside bundle name
// ("NAME.age" gives "NAME.HOW-TO-OPEN.txt").
func HowToName(name string) string {
	return strings.TrimSuffix(name, ".age") + ".HOW-TO-OPEN.txt"
}

// HowToOpen returns the text of NAME.HOW-TO-OPEN.txt in English: see
// HowToOpenIn.
func HowToOpen(name string, passphrase bool, volumes int) string {
	return HowToOpenIn(i18n.English, name, passphrase, volumes)
}

// HowToOpenIn returns the text of NAME.HOW-TO-OPEN.txt, the plain
// instructions that go beside a bundle: what it is and how to open and check
// it with Dossier or with the standard age tool, in lang, the language of the
// cover summary (a packager/i18n tag; English when it has no translation).
// name is the bundle's file name ("NAME.age"), passphrase tells whether it
// was encrypted to a passphrase (else to the receiver's keys), volumes is how
// many numbered volumes it was split into, 0 for one file NAME.age
// (VolumeWriter.Volumes gives it, not len(Names): an unsplit bundle has one
// name and no number). Every command in the text runs as written in the
// folder holding the bundle, given the passphrase in PASSPHRASE.txt or the
// key in key.txt (a test runs them). The text holds no patient data: only
// the file name the user chose.
//
// In a language other than English the same instructions follow in English:
// the cover's language is the one the centre's doctors read, but this file is
// read before anything is opened, often by whoever handles incoming files
// (IT staff, a coordinator abroad); the commands are the same in both. Such
// a text starts with a byte order mark, so that Windows Notepad of every
// version reads it as UTF-8.
func HowToOpenIn(lang, name string, passphrase bool, volumes int) string {
	c, err := i18n.Load(lang)
	if err != nil || c.Lang() == i18n.English {
		return howToText(i18n.MustLoad(i18n.English), name, passphrase, volumes, false)
	}
	return "\ufeff" + howToText(c, name, passphrase, volumes, true) +
		"\n" + strings.Repeat("=", howToWidth) + "\n\n" +
		howToText(i18n.MustLoad(i18n.English), name, passphrase, volumes, false)
}

// howToWidth is the width of the text's lines, in columns (a Chinese
// character takes two).
const howToWidth = 76

// howToText is the instructions in the language of c; withEnglish says that
// an English copy follows.
func howToText(c *i18n.Catalog, name string, passphrase bool, volumes int, withEnglish bool) string {
	var b strings.Builder
	para := func(format string, args ...any) {
		b.WriteString(wrapColumns(c.Sprintf(format, args...), howToWidth))
		b.WriteString("\n\n")
	}
	heading := func(rule string, format string, args ...any) {
		t := c.Sprintf(format, args...)
		fmt.Fprintf(&b, "%s\n%s\n", t, strings.Repeat(rule, columns(t)))
	}
	command := func(s string) { fmt.Fprintf(&b, "    %s\n", s) }
	split := volumes > 0
	files := name
	first := name
	catCmd := ""
	if split {
		first = VolumeName(name, 1)
		if volumes == 1 {
			files = first
		} else {
			files = c.Sprintf(i18n.Msg("%v to %v (%d parts)"), first, VolumeName(name, volumes), volumes)
		}
	}
	ageInput := " " + first
	if volumes > 1 {
		catCmd = fmt.Sprintf("cat %s.[0-9][0-9][0-9] | ", name)
		ageInput = ""
	}

	heading("=", i18n.Msg("HOW TO OPEN %v"), name)
	b.WriteString("\n")
	if withEnglish {
		para(i18n.Msg("The same instructions in English follow below."))
	}
	heading("-", i18n.Msg("What this is"))
	para(i18n.Msg("This is an encrypted bundle of medical records, made with Dossier for a second opinion:"))
	command(files)
	b.WriteString("\n")
	para(i18n.Msg("Inside is one ZIP file with the records, a cover summary (COVER.PDF), an index (INDEX.HTM), a README.TXT and a list of checksums (MANIFEST.SHA256). This instructions file holds no patient data."))
	switch {
	case volumes == 1:
		para(i18n.Msg("The bundle was written as one numbered part, %v, to fit upload or e-mail limits. Keep its name as it is."), first)
	case split:
		para(i18n.Msg("The bundle was split into %d parts to fit upload or e-mail limits. Keep all parts together in one folder; every part is needed."), volumes)
	}

	heading("-", i18n.Msg("What you need to open it"))
	if passphrase {
		para(i18n.Msg("The passphrase. It was NOT sent with this file: the patient gives it to you separately (by phone, text message or in person). Type it exactly, with the dashes between the words."))
	} else {
		para(i18n.Msg("The private key that belongs to the public key the patient encrypted to: an age identity file (for example %v, starting %v) or your SSH private key (for example %v)."),
			"key.txt", "AGE-SECRET-KEY-", "~/.ssh/id_ed25519")
	}

	heading("-", i18n.Msg("Open it with Dossier"))
	secret := "--passphrase-file PASSPHRASE.txt"
	if !passphrase {
		secret = "--identity key.txt"
	}
	command(fmt.Sprintf("dossier open %s --to bundle %s", secret, first))
	b.WriteString("\n")
	para(i18n.Msg("Dossier checks every file against its checksum before it writes anything into the folder %q. To check without extracting:"), "bundle")
	command(fmt.Sprintf("dossier verify %s %s", secret, first))
	b.WriteString("\n")

	heading("-", i18n.Msg("Open it with standard tools (age, from %v)"), "https://age-encryption.org")
	if passphrase {
		command(fmt.Sprintf("%sage -d -o bundle.zip%s", catCmd, ageInput))
		command(c.Sprintf(i18n.Msg("(age asks for the passphrase)")))
	} else {
		command(fmt.Sprintf("%sage -d -i key.txt -o bundle.zip%s", catCmd, ageInput))
		command(c.Sprintf(i18n.Msg("(with an SSH key: %v)"), "age -d -i ~/.ssh/id_ed25519 ..."))
	}
	command("unzip bundle.zip -d bundle")
	b.WriteString("\n")
	if volumes > 1 {
		para(i18n.Msg("On Windows, join the parts first, then decrypt the joined file:"))
		command(fmt.Sprintf("copy /b %s.001 + %s.002 + ... %s", name, name, name))
		b.WriteString("\n")
	}
	para(i18n.Msg("age 1.0 or later opens bundles encrypted to a passphrase, to an %v key or to an SSH key; a post-quantum key (%v) needs age 1.3.0 or later."), "age1...", "age1pq1...")

	heading("-", i18n.Msg("Check that nothing is missing or changed"))
	command("cd bundle && sha256sum -c MANIFEST.SHA256")
	b.WriteString("\n")
	if volumes > 1 {
		para(i18n.Msg("Every line must end in OK. If age reports an error, a part is missing or damaged (or the passphrase or key is wrong): ask the patient to send it again."))
	} else {
		para(i18n.Msg("Every line must end in OK. If age reports an error, the file is damaged or incomplete (or the passphrase or key is wrong): ask the patient to send it again."))
	}
	b.WriteString(wrapColumns(c.Sprintf(i18n.Msg("Please keep the records confidential and delete them when no longer needed.")), howToWidth))
	b.WriteString("\n")
	return b.String()
}

// columns is how many columns s takes in a fixed-width font: two for a wide
// (Chinese, Japanese, Korean) character, one for others.
func columns(s string) int {
	n := 0
	for _, r := range s {
		n += runeColumns(r)
	}
	return n
}

func runeColumns(r rune) int {
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return 2
	}
	return 1
}

// wrapColumns breaks s into lines of at most max columns: at spaces, and
// between wide characters (Chinese has no spaces), never inside a Latin word,
// number or file name, and never before closing punctuation.
func wrapColumns(s string, max int) string {
	type unit struct {
		text  string
		space bool // a space goes before it on the same line
	}
	var units []unit
	space := false
	var word strings.Builder
	flush := func() {
		if word.Len() > 0 {
			units = append(units, unit{word.String(), space})
			word.Reset()
			space = false
		}
	}
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			flush()
			space = len(units) > 0
		case runeColumns(r) == 2:
			flush()
			if closing(r) && len(units) > 0 && !space {
				units[len(units)-1].text += string(r)
				continue
			}
			units = append(units, unit{string(r), space})
			space = false
		default:
			word.WriteRune(r)
		}
	}
	flush()
	// Opening punctuation does not end a line: it goes with what follows.
	for i := len(units) - 2; i >= 0; i-- {
		if r := []rune(units[i].text); len(r) == 1 && opening(r[0]) && !units[i+1].space {
			units[i].text += units[i+1].text
			units = append(units[:i+1], units[i+2:]...)
		}
	}
	var b strings.Builder
	col := 0
	for i, u := range units {
		w := columns(u.text)
		if u.space && i > 0 {
			w++
		}
		if i > 0 && col+w > max {
			b.WriteString("\n")
			col = 0
			w = columns(u.text)
		} else if u.space && i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(u.text)
		col += w
	}
	return b.String()
}

// opening reports whether r is wide punctuation that may not end a line.
func opening(r rune) bool {
	return strings.ContainsRune("（「『《〈", r)
}

// closing reports whether r is wide punctuation that may not start a line.
func closing(r rune) bool {
	return strings.ContainsRune("，。、；：！？）」』》〉", r)
}
