// Package version holds the build's version, stamped by the linker
// (-X github.com/efirma/conector/host/version.Version=...).
package version

// Version is the release version of the host; "dev" for local builds.
var Version = "dev"
