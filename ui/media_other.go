//go:build !windows

package ui

// windowsMedia is only for Windows (media_windows.go).
func windowsMedia() []medium { return nil }
