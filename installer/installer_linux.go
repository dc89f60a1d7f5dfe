package installer

// nativeRegistry is the operating system's registry: none on Linux.
func nativeRegistry() Registry { return nil }
