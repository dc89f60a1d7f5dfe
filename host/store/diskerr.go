package store

import (
	"errors"

	"github.com/efirma/conector/host/keys"
	"github.com/efirma/conector/protocol"
)

// diskError names the two disk failures a person can act on: a full disk
// (ERR_DISK_FULL) and a folder that cannot be written (ERR_STORE_READ_ONLY:
// a read-only file system or a folder without write permission). Other
// errors pass through.
func diskError(err error) error {
	if err == nil {
		return nil
	}
	var ce *keys.CodedError
	switch {
	case errors.As(err, &ce):
		return err
	case isDiskFull(err):
		return keys.Coded(protocol.ErrDiskFull, nil, err)
	case isReadOnly(err):
		return keys.Coded(protocol.ErrStoreReadOnly, nil, err)
	}
	return err
}
