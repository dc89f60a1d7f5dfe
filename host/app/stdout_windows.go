package app

import (
	"errors"
	"os"
)

// reserveStdout is not done on Windows yet: modules there write to their
// own consoles, not to the inherited stdout handle. Frames go to os.Stdout.
func reserveStdout() (*os.File, error) {
	return nil, errors.New("not supported on windows")
}
