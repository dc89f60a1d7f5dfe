package privdir

import "os"

// tighten does nothing on Windows: the folder inherits the user's ACL.
func tighten(string, os.FileInfo) (bool, error) { return false, nil }
