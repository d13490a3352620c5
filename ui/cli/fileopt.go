package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// The largest files the options that read a file accept. A passphrase is a
// line; an identity file holds a few keys (an SSH RSA-4096 private key is
// about 3.3 KiB, an age post-quantum identity under 100 bytes); a
// recipients file lists a centre's public keys, one per line (an SSH
// RSA-4096 public key is about 750 bytes).
const (
	maxPassphraseFile = 4 << 10
	maxIdentityFile   = 64 << 10
	maxRecipientsFile = 64 << 10
)

// readOptionFile reads the file an option names, accepting only a regular
// file (after symlinks) of at most limit bytes: not a device such as
// /dev/zero or /dev/stdin, a FIFO, a folder or a huge file, which would make
// Dossier block or fill its memory. Errors are usage errors naming the
// option.
func readOptionFile(option, path string, limit int64) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, &usageError{msg: fmt.Sprintf("%s %s: %v", option, Printable(path), err), hint: "check the path"}
	}
	if err := optionFileOK(option, path, fi, limit); err != nil {
		return nil, err
	}
	// O_NONBLOCK: should the path be swapped for a FIFO after the check,
	// opening it does not wait for a writer.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", option, Printable(path), err)
	}
	defer f.Close()
	if fi, err = f.Stat(); err != nil {
		return nil, fmt.Errorf("%s %s: %w", option, Printable(path), err)
	}
	if err := optionFileOK(option, path, fi, limit); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if _, err := io.Copy(&b, io.LimitReader(f, limit+1)); err != nil {
		return nil, fmt.Errorf("%s %s: %w", option, Printable(path), err)
	}
	if int64(b.Len()) > limit {
		return nil, optionTooLarge(option, path, limit)
	}
	return b.Bytes(), nil
}

func optionFileOK(option, path string, fi fs.FileInfo, limit int64) error {
	if !fi.Mode().IsRegular() {
		return &usageError{msg: fmt.Sprintf("%s %s: not a regular file (%s)", option, Printable(path), fileType(fi.Mode())),
			hint: "give a plain file holding the " + optionWhat(option)}
	}
	if fi.Size() > limit {
		return optionTooLarge(option, path, limit)
	}
	return nil
}

func optionTooLarge(option, path string, limit int64) error {
	return &usageError{msg: fmt.Sprintf("%s %s: larger than the %s such a file can be", option, Printable(path), humanBytes(limit)),
		hint: "give a plain file holding only the " + optionWhat(option)}
}

func optionWhat(option string) string {
	switch option {
	case "--passphrase-file":
		return "passphrase (on its first line)"
	case "--identity":
		return "age identity or SSH private key"
	}
	return "public keys, one per line"
}

func fileType(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "not a plain file"
}
