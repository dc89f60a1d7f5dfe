package testenv

import "golang.org/x/sys/windows"

// UnderWine reports whether this Windows program runs under Wine (its
// ntdll exports wine_get_version). Tests use it only to skip what Wine
// does not implement, saying so (make windows-check, docs/DEPLOYMENT.md).
func UnderWine() bool {
	return windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil
}
