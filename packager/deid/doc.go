// Package deid applies a privacy level to a case's files on their way out:
// it decides per item what happens (copy as is, transform, leave out, or
// ask the user), runs the transforms for DICOM, slides, PDFs, pictures and
// documents as streams, and checks what was written with the leak scan.
package deid
