//go:build !linux && !freebsd && !openbsd && !netbsd && !dragonfly && !windows && !(darwin && cgo)

package nativedialog

import "context"

// Elsewhere (macOS built without cgo, mobile, the web) there is no system dialog to call.
func system(context.Context) Chooser { return nil }
