package envelope

import (
	"fmt"
	"strings"
)

// HowToName returns the name of the instructions file beside bundle name
// ("NAME.age" gives "NAME.HOW-TO-OPEN.txt").
func HowToName(name string) string {
	return strings.TrimSuffix(name, ".age") + ".HOW-TO-OPEN.txt"
}

// HowToOpen returns the text of NAME.HOW-TO-OPEN.txt, the plain instructions
// that go beside a bundle: what it is and how to open and check it with
// Dossier or with the standard age tool. name is the bundle's file name
// ("NAME.age"), passphrase tells whether it was encrypted to a passphrase
// (else to the receiver's keys), volumes is how many numbered volumes it was
// split into, 0 for one file NAME.age (VolumeWriter.Volumes gives it, not
// len(Names): an unsplit bundle has one name and no number). Every command
// in the text runs as written in the folder holding the bundle, given the
// passphrase in PASSPHRASE.txt or the key in key.txt (a test runs them).
// The text holds no patient data: only the file name the user chose.
func HowToOpen(name string, passphrase bool, volumes int) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	split := volumes > 0
	files := name
	first := name
	catCmd := ""
	if split {
		first = VolumeName(name, 1)
		if volumes == 1 {
			files = first
		} else {
			files = fmt.Sprintf("%s to %s (%d parts)", first, VolumeName(name, volumes), volumes)
		}
	}
	ageInput := " " + first
	if volumes > 1 {
		catCmd = fmt.Sprintf("cat %s.[0-9][0-9][0-9] | ", name)
		ageInput = ""
	}

	p("HOW TO OPEN %s\n", name)
	p("%s\n\n", strings.Repeat("=", len("HOW TO OPEN ")+len(name)))
	p("What this is\n------------\n")
	p("    %s\n\n", files)
	p("is an encrypted bundle of medical records, made with Dossier for a second\n")
	p("opinion. Inside is one ZIP file with the records, a cover summary\n")
	p("(COVER.PDF), an index (INDEX.HTM), a README.TXT and a list of checksums\n")
	p("(MANIFEST.SHA256). This instructions file holds no patient data.\n\n")
	switch {
	case volumes == 1:
		p("The bundle was written as one numbered part, %s, to fit upload or\n", first)
		p("e-mail limits. Keep its name as it is.\n\n")
	case split:
		p("The bundle was split into %d parts to fit upload or e-mail limits. Keep\n", volumes)
		p("all parts together in one folder; every part is needed.\n\n")
	}

	p("What you need to open it\n------------------------\n")
	if passphrase {
		p("The passphrase. It was NOT sent with this file: the patient gives it to you\n")
		p("separately (by phone, text message or in person). Type it exactly, with the\n")
		p("dashes between the words.\n\n")
	} else {
		p("The private key that belongs to the public key the patient encrypted to:\n")
		p("an age identity file (for example key.txt, starting AGE-SECRET-KEY-) or\n")
		p("your SSH private key (for example ~/.ssh/id_ed25519).\n\n")
	}

	p("Open it with Dossier\n--------------------\n")
	secret := "--passphrase-file PASSPHRASE.txt"
	if !passphrase {
		secret = "--identity key.txt"
	}
	p("    dossier open %s --to bundle %s\n\n", secret, first)
	p("Dossier checks every file against its checksum before it writes anything\n")
	p("into the folder \"bundle\". To check without extracting:\n\n")
	p("    dossier verify %s %s\n\n", secret, first)

	p("Open it with standard tools (age, from https://age-encryption.org)\n")
	p("------------------------------------------------------------------\n")
	if passphrase {
		p("    %sage -d -o bundle.zip%s\n", catCmd, ageInput)
		p("    (age asks for the passphrase)\n")
	} else {
		p("    %sage -d -i key.txt -o bundle.zip%s\n", catCmd, ageInput)
		p("    (with an SSH key: age -d -i ~/.ssh/id_ed25519 ...)\n")
	}
	p("    unzip bundle.zip -d bundle\n\n")
	if volumes > 1 {
		p("On Windows, join the parts first, then decrypt the joined file:\n\n")
		p("    copy /b %s.001 + %s.002 + ... %s\n\n", name, name, name)
	}
	p("age 1.0 or later opens bundles encrypted to a passphrase, to an age1... key\n")
	p("or to an SSH key; a post-quantum key (age1pq1...) needs age 1.3.0 or later.\n\n")

	p("Check that nothing is missing or changed\n")
	p("----------------------------------------\n")
	p("    cd bundle && sha256sum -c MANIFEST.SHA256\n\n")
	if volumes > 1 {
		p("Every line must end in OK. If age reports an error, a part is missing or\n")
		p("damaged (or the passphrase or key is wrong): ask the patient to send it\n")
	} else {
		p("Every line must end in OK. If age reports an error, the file is damaged\n")
		p("or incomplete (or the passphrase or key is wrong): ask the patient to send it\n")
	}
	p("again. Please keep the records confidential and delete them when no longer\n")
	p("needed.\n")
	return b.String()
}
