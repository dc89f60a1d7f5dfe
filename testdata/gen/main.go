// Command gen writes the project's generated test credentials into testdata/
// (run `make testdata`). The output is reproducible byte for byte.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/efirma/conector/internal/testcreds"
)

func main() {
	out := flag.String("out", "testdata", "output folder")
	flag.Parse()
	if err := testcreds.Generate(*out); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}
