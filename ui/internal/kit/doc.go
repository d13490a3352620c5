// Package kit holds what the app's screens share, so that the main window (package ui) and the send
// wizard (package ui/export) use one copy: the keyboard-friendly widgets (Button, TextArea, the
// focus ring, TabSwitch), Panel, the error box and its one table (ErrorBox, Explain), Choice (options
// that are values shown by translated labels), the Runner that starts background work, and the
// helpers that write texts in the UI's language.
package kit
