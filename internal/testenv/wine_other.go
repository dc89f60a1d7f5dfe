//go:build !windows

package testenv

// UnderWine is false off Windows.
func UnderWine() bool { return false }
