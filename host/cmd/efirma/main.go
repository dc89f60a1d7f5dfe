// Command efirma is the Conector e.firma host. Started by the browser (first
// argument chrome-extension://…) it serves native messages on stdin/stdout;
// started by a person it is a CLI. It only wires packages together.
package main

import (
	"os"

	"github.com/efirma/conector/host/app"
)

func main() {
	os.Exit(app.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
