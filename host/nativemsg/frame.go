// Package nativemsg owns Chrome's native-messaging framing: a 32-bit length
// in native byte order followed by that many bytes of UTF-8 JSON.
//
// Rules: headers and bodies are read with io.ReadFull; a claimed length above
// the caller's cap is refused before anything is allocated (ErrTooLarge);
// a frame cut short is ErrTruncated; a clean EOF between frames is io.EOF.
// Writers refuse bodies above protocol.MaxResponseBytes, Chrome's limit.
package nativemsg

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/efirma/conector/protocol"
)

// Errors of ReadFrame and WriteFrame.
var (
	ErrTooLarge     = errors.New("native message exceeds the size limit")
	ErrTruncated    = errors.New("native message truncated")
	ErrEmpty        = errors.New("native message is empty")
	ErrResponseSize = errors.New("response exceeds Chrome's 1 MiB limit")
)

// byteOrder is the native byte order. Every platform Chrome supports for
// native messaging (amd64, arm64, 386) is little-endian.
var byteOrder = binary.LittleEndian

// ReadFrame reads one message of at most max bytes. It returns io.EOF when
// the stream ends cleanly before a header, and the claimed length together
// with ErrTooLarge when the header asks for more than max.
func ReadFrame(r io.Reader, max int) ([]byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, io.EOF
		}
		return nil, fmt.Errorf("%w: header: %v", ErrTruncated, err)
	}
	n := byteOrder.Uint32(hdr[:])
	if uint64(n) > uint64(max) {
		return nil, fmt.Errorf("%w: claimed %d bytes, limit %d", ErrTooLarge, n, max)
	}
	if n == 0 {
		return nil, ErrEmpty
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, fmt.Errorf("%w: body: %v", ErrTruncated, err)
	}
	return buf, nil
}

// WriteFrame writes one message in a single Write call.
func WriteFrame(w io.Writer, body []byte) error {
	if len(body) > protocol.MaxResponseBytes {
		return ErrResponseSize
	}
	out := make([]byte, 4+len(body))
	byteOrder.PutUint32(out, uint32(len(body)))
	copy(out[4:], body)
	_, err := w.Write(out)
	return err
}
