package installer

// nativeRegistry is the operating system's registry: none on macOS.
func nativeRegistry() Registry { return nil }
