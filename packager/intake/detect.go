package intake

import (
	"bytes"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"dossier/packager/i18n"
	"dossier/packager/textenc"
)

// headSize is how much of a file detection looks at.
const headSize = 8192

// sniffed is what the first bytes of a file say it is.
type sniffed struct {
	kind   Kind
	format string
	reason i18n.Text // for skipped
}

// sniff classifies a file by its first bytes; name is consulted only to
// tell apart container formats that share a signature (OLE2) and to skip
// junk that has no signature of its own.
func sniff(head []byte, name string) sniffed {
	base := strings.ToLower(filepath.Base(name))
	ext := strings.ToLower(filepath.Ext(strings.TrimSuffix(base, ";1")))
	switch {
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return sniffed{kind: KindPDF, format: "pdf"}
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		return sniffed{kind: KindImage, format: "jpeg"}
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return sniffed{kind: KindImage, format: "png"}
	case bytes.HasPrefix(head, []byte("GIF87a")) || bytes.HasPrefix(head, []byte("GIF89a")):
		return sniffed{kind: KindImage, format: "gif"}
	case len(head) >= 12 && bytes.Equal(head[:4], []byte("RIFF")) && bytes.Equal(head[8:12], []byte("WEBP")):
		return sniffed{kind: KindImage, format: "webp"}
	case bytes.HasPrefix(head, []byte("BM")) && len(head) > 26 && head[14] >= 12 && head[15] == 0 && head[16] == 0:
		return sniffed{kind: KindImage, format: "bmp"}
	case isHEIF(head):
		return sniffed{kind: KindImage, format: heifFormat(head)}
	case bytes.HasPrefix(head, []byte{0x00, 0x00, 0x01, 0x00}) && (ext == ".ico" || len(head) > 6 && head[4] > 0 && head[5] == 0):
		return sniffed{kind: KindSkipped, format: "ico", reason: i18n.NewText(i18n.Msg("an icon (part of a program), not a record"))}
	case bytes.HasPrefix(head, []byte("PK\x03\x04")) || bytes.HasPrefix(head, []byte("PK\x05\x06")):
		return sniffed{kind: KindArchive, format: "zip"} // refined by zipFlavour
	case bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}):
		return ole2(base, ext)
	case bytes.HasPrefix(head, []byte(`{\rtf`)):
		return sniffed{kind: KindDocument, format: "rtf"}
	case bytes.HasPrefix(head, []byte("MZ")) || bytes.HasPrefix(head, []byte("\x7fELF")) ||
		bytes.HasPrefix(head, []byte{0xCF, 0xFA, 0xED, 0xFE}) || bytes.HasPrefix(head, []byte{0xCE, 0xFA, 0xED, 0xFE}) ||
		bytes.HasPrefix(head, []byte{0xCA, 0xFE, 0xBA, 0xBE}):
		return sniffed{kind: KindSkipped, format: "program", reason: i18n.NewText(i18n.Msg("a program (for example the viewer on a CD), not a record"))}
	case bytes.HasPrefix(head, []byte{0x00, 0x05, 0x16, 0x07}) || bytes.HasPrefix(head, []byte{0x00, 0x05, 0x16, 0x00}):
		return sniffed{kind: KindSkipped, format: "appledouble", reason: i18n.NewText(i18n.Msg("macOS copy metadata, not a record"))}
	case bytes.HasPrefix(head, []byte("\x00\x00\x00\x01Bud1")):
		return sniffed{kind: KindSkipped, format: "ds_store", reason: i18n.NewText(i18n.Msg("macOS folder settings, not a record"))}
	case bytes.HasPrefix(head, []byte{0x1F, 0x8B}):
		return sniffed{kind: KindOther, format: "gzip"}
	case bytes.HasPrefix(head, []byte("7z\xBC\xAF\x27\x1C")):
		return sniffed{kind: KindOther, format: "7z"}
	case bytes.HasPrefix(head, []byte("Rar!\x1A\x07")):
		return sniffed{kind: KindOther, format: "rar"}
	case len(head) > 32774 && bytes.Equal(head[32769:32774], []byte("CD001")):
		return sniffed{kind: KindOther, format: "iso"}
	case pdfWithin(head):
		// Junk before "%PDF-" only when no signature at offset 0 said what
		// the file is: a ZIP (or any container) whose first entry is a
		// stored PDF is the container, not a damaged PDF.
		return sniffed{kind: KindPDF, format: "pdf"}
	}
	if isText(head) {
		return text(head, base, ext)
	}
	return sniffed{kind: KindOther}
}

// pdfWithin accepts PDFs with junk before the header, as readers do.
func pdfWithin(head []byte) bool {
	n := min(len(head), 1024)
	return bytes.Contains(head[:n], []byte("%PDF-"))
}

func isHEIF(head []byte) bool {
	return len(head) >= 12 && bytes.Equal(head[4:8], []byte("ftyp")) && heifFormat(head) != ""
}

func heifFormat(head []byte) string {
	if len(head) < 12 {
		return ""
	}
	switch string(head[8:12]) {
	case "heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1":
		return "heic"
	case "avif", "avis":
		return "avif"
	}
	return ""
}

func ole2(base, ext string) sniffed {
	switch {
	case base == "thumbs.db":
		return sniffed{kind: KindSkipped, format: "thumbs.db", reason: i18n.NewText(i18n.Msg("Windows picture cache, not a record"))}
	case ext == ".msi" || ext == ".msp":
		return sniffed{kind: KindSkipped, format: "program", reason: i18n.NewText(i18n.Msg("an installer (for example for the viewer on a CD), not a record"))}
	case ext == ".xls":
		return sniffed{kind: KindDocument, format: "xls"}
	case ext == ".ppt":
		return sniffed{kind: KindDocument, format: "ppt"}
	}
	return sniffed{kind: KindDocument, format: "doc"}
}

// isText reports whether head looks like text in one of the encodings
// textenc reads (UTF-8, UTF-16 with a byte order mark, Windows-1252 and
// Latin-1, GB18030/GBK, Shift-JIS): decoded, it has no NUL and almost no
// control characters other than whitespace. A character cut at the end of
// the head is allowed.
func isText(head []byte) bool {
	if len(head) == 0 {
		return false
	}
	s, enc := textenc.Decode(head)
	if enc != textenc.UTF16LE && enc != textenc.UTF16BE && bytes.IndexByte(head, 0) >= 0 {
		return false
	}
	n, control, bad := 0, 0, 0
	for _, r := range s {
		n++
		switch {
		case r == 0:
			return false
		case r == utf8.RuneError:
			bad++
		case r < 0x20 && r != '\n' && r != '\r' && r != '\t' && r != '\f', r >= 0x7F && r < 0xA0:
			control++
		}
	}
	return control <= n/100 && bad <= max(1, n/100)
}

// text sorts text files into records and the support files of viewers.
func text(head []byte, base, ext string) sniffed {
	low := bytes.ToLower(head[:min(len(head), 512)])
	low = bytes.TrimLeft(low, "\xef\xbb\xbf \r\n\t")
	switch {
	case bytes.HasPrefix(low, []byte("[autorun]")) || base == "autorun.inf":
		return sniffed{kind: KindSkipped, format: "autorun", reason: i18n.NewText(i18n.Msg("CD start-up file (AUTORUN.INF), not a record"))}
	case bytes.HasPrefix(low, []byte("[.shellclassinfo]")) || base == "desktop.ini":
		return sniffed{kind: KindSkipped, format: "desktop.ini", reason: i18n.NewText(i18n.Msg("Windows folder settings, not a record"))}
	case bytes.HasPrefix(low, []byte("<!doctype html")) || bytes.HasPrefix(low, []byte("<html")):
		return sniffed{kind: KindDocument, format: "html"}
	case bytes.HasPrefix(low, []byte("<?xml")):
		return sniffed{kind: KindOther, format: "xml"}
	}
	switch ext {
	case ".js", ".css", ".ini", ".inf", ".cfg", ".conf", ".bat", ".cmd", ".sh", ".xsl", ".dtd", ".json", ".properties", ".lst", ".log":
		return sniffed{kind: KindOther, format: strings.TrimPrefix(ext, ".")}
	}
	return sniffed{kind: KindDocument, format: "txt"}
}

// viewerDir reports whether a path lies inside a folder that CD burners use
// for the viewer program or for web copies of the images.
func viewerDir(p string) i18n.Text {
	parts := strings.FieldsFunc(filepath.ToSlash(p), func(r rune) bool { return r == '/' || r == '!' })
	for _, part := range parts[:max(len(parts)-1, 0)] {
		switch strings.ToLower(strings.TrimSuffix(part, ";1")) {
		case "ihe_pdi":
			return i18n.NewText(i18n.Msg("a copy of the images for web browsers; the DICOM files are the originals"))
		case "viewer", "viewers", "dicomviewer", "program", "programs", "program files", "bin", "lib", "jre",
			"efilm", "radiant", "kpacs", "k-pacs", "microdicom", "weasis", "osirix", "synapse", "centricity",
			"imageviewer", "image viewer", "plugins", "help":
			return i18n.NewText(i18n.Msg("part of a viewer program on the disc, not a record"))
		}
	}
	return i18n.Text{}
}
