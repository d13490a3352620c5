// Package bundle writes and reads Dossier's submission bundle: one ZIP in the
// layout hospital importers understand (IHE XDM with IHE PDI beside it:
// README.TXT, INDEX.HTM, COVER.PDF, MANIFEST.SHA256, IHE_XDM/SUBSET01 with
// METADATA.XML, a DICOMDIR made for what is inside, DICOM/, SLIDES/),
// streamed in one pass through de-identification, hashing and the leak scan
// into an age envelope (optionally in volumes), written atomically; and on
// the receiving side, verifies and opens it.
package bundle
