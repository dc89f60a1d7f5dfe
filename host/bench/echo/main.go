// Command echo is the floor for the cold round-trip benchmark: the smallest
// Go native-messaging host, which answers one message by echoing it.
package main

import (
	"encoding/binary"
	"io"
	"os"
)

func main() {
	var hdr [4]byte
	for {
		if _, err := io.ReadFull(os.Stdin, hdr[:]); err != nil {
			return
		}
		body := make([]byte, binary.LittleEndian.Uint32(hdr[:]))
		if _, err := io.ReadFull(os.Stdin, body); err != nil {
			return
		}
		os.Stdout.Write(append(hdr[:], body...))
	}
}
