package main

import "os"

// peakRSS is not measured on Windows (no rusage); the report shows 0.
func peakRSS(*os.ProcessState) int64 { return 0 }
