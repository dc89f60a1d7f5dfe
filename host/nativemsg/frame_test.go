package nativemsg_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/efirma/conector/host/nativemsg"
	"github.com/efirma/conector/protocol"
)

func frame(body []byte) []byte {
	out := make([]byte, 4+len(body))
	binary.LittleEndian.PutUint32(out, uint32(len(body)))
	copy(out[4:], body)
	return out
}

func TestRoundTrip(t *testing.T) {
	bodies := [][]byte{
		[]byte(`{"id":"1","command":"hello"}`),
		[]byte(`{"id":"ñ","command":"sign","params":{"data":"w7E="}}`),
		[]byte("x"),
		bytes.Repeat([]byte("a"), protocol.MaxResponseBytes), // exactly the limit
	}
	var buf bytes.Buffer
	for _, b := range bodies {
		if err := nativemsg.WriteFrame(&buf, b); err != nil {
			t.Fatalf("WriteFrame(%d bytes): %v", len(b), err)
		}
	}
	// The wire format is a little-endian length then the body.
	if got := buf.Bytes()[:4]; binary.LittleEndian.Uint32(got) != uint32(len(bodies[0])) {
		t.Fatalf("header %x does not encode %d little-endian", got, len(bodies[0]))
	}
	for i, want := range bodies {
		got, err := nativemsg.ReadFrame(&buf, protocol.MaxRequestBytes)
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("frame %d differs (%d vs %d bytes)", i, len(got), len(want))
		}
	}
	if _, err := nativemsg.ReadFrame(&buf, protocol.MaxRequestBytes); err != io.EOF {
		t.Fatalf("after the last frame: %v, want io.EOF exactly", err)
	}
}

// TestReadFrameOneByteReads: a pipe may deliver a frame in pieces.
func TestReadFrameOneByteReads(t *testing.T) {
	body := []byte(`{"id":"a","command":"list-certificates"}`)
	r := iotest.OneByteReader(bytes.NewReader(append(frame(body), frame(body)...)))
	for i := 0; i < 2; i++ {
		got, err := nativemsg.ReadFrame(r, 1024)
		if err != nil || !bytes.Equal(got, body) {
			t.Fatalf("frame %d: %q, %v", i, got, err)
		}
	}
	if _, err := nativemsg.ReadFrame(r, 1024); err != io.EOF {
		t.Fatalf("end: %v", err)
	}
}

func TestReadFrameErrors(t *testing.T) {
	tests := []struct {
		name  string
		input []byte
		max   int
		want  error
	}{
		{"clean end", nil, 100, io.EOF},
		{"zero length", frame(nil), 100, nativemsg.ErrEmpty},
		{"truncated header (1 byte)", []byte{5}, 100, nativemsg.ErrTruncated},
		{"truncated header (3 bytes)", []byte{5, 0, 0}, 100, nativemsg.ErrTruncated},
		{"truncated body", frame([]byte("hello"))[:6], 100, nativemsg.ErrTruncated},
		{"header only", frame([]byte("hello"))[:4], 100, nativemsg.ErrTruncated},
		{"one over the cap", frame(bytes.Repeat([]byte("a"), 101)), 100, nativemsg.ErrTooLarge},
		{"huge claimed length", []byte{0xff, 0xff, 0xff, 0xff}, protocol.MaxRequestBytes, nativemsg.ErrTooLarge},
		{"just over the request cap", le(protocol.MaxRequestBytes + 1), protocol.MaxRequestBytes, nativemsg.ErrTooLarge},
		{"big-endian 16 bytes read as little-endian", []byte{0, 0, 0, 16}, protocol.MaxRequestBytes, nativemsg.ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := nativemsg.ReadFrame(bytes.NewReader(tt.input), tt.max)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if got != nil {
				t.Errorf("returned %d bytes with an error", len(got))
			}
			if tt.want != io.EOF && errors.Is(err, io.EOF) {
				t.Errorf("a broken frame must not look like a clean end: %v", err)
			}
		})
	}
	// The exact cap is allowed.
	if got, err := nativemsg.ReadFrame(bytes.NewReader(frame(bytes.Repeat([]byte("a"), 100))), 100); err != nil || len(got) != 100 {
		t.Fatalf("body of exactly max: %d bytes, %v", len(got), err)
	}
}

func le(n int) []byte {
	b := make([]byte, 4)
	binary.LittleEndian.PutUint32(b, uint32(n))
	return b
}

// failAfterHeader serves a header and then fails the test if read again:
// a claimed length above the cap must be refused from the header alone.
type failAfterHeader struct {
	t      *testing.T
	header []byte
}

func (r *failAfterHeader) Read(p []byte) (int, error) {
	if len(r.header) == 0 {
		r.t.Error("ReadFrame read past the header of an oversized frame")
		return 0, errors.New("must not read")
	}
	n := copy(p, r.header)
	r.header = r.header[n:]
	return n, nil
}

func TestHugeLengthRefusedWithoutAllocating(t *testing.T) {
	_, err := nativemsg.ReadFrame(&failAfterHeader{t: t, header: []byte{0xff, 0xff, 0xff, 0xff}}, protocol.MaxRequestBytes)
	if !errors.Is(err, nativemsg.ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	if !strings.Contains(err.Error(), "4294967295") {
		t.Errorf("error does not say the claimed length: %v", err)
	}
	hdr := []byte{0xff, 0xff, 0xff, 0xff}
	r := bytes.NewReader(hdr)
	var bytesBefore, bytesAfter uint64
	allocs := testing.AllocsPerRun(100, func() {
		r.Reset(hdr)
		_, _ = nativemsg.ReadFrame(r, protocol.MaxRequestBytes)
	})
	// The error value itself allocates a little (fmt.Errorf); a buffer of
	// the claimed size would be one allocation of 4 GiB. Bound the bytes.
	bytesBefore = totalAlloc()
	for i := 0; i < 10; i++ {
		r.Reset(hdr)
		_, _ = nativemsg.ReadFrame(r, protocol.MaxRequestBytes)
	}
	bytesAfter = totalAlloc()
	if allocs > 10 {
		t.Errorf("%v allocations per refused frame", allocs)
	}
	if per := (bytesAfter - bytesBefore) / 10; per > 4096 {
		t.Errorf("%d bytes allocated per refused frame, want only the error", per)
	}
}

func TestWriteFrame(t *testing.T) {
	var buf bytes.Buffer
	if err := nativemsg.WriteFrame(&buf, make([]byte, protocol.MaxResponseBytes+1)); !errors.Is(err, nativemsg.ErrResponseSize) {
		t.Fatalf("1 MiB + 1: %v, want ErrResponseSize", err)
	}
	if buf.Len() != 0 {
		t.Fatalf("a refused frame wrote %d bytes", buf.Len())
	}
	// One Write call per frame, so that concurrent writers cannot interleave
	// a header with another body.
	cw := &countingWriter{}
	if err := nativemsg.WriteFrame(cw, []byte(`{"id":"1"}`)); err != nil {
		t.Fatal(err)
	}
	if cw.calls != 1 || !bytes.Equal(cw.buf.Bytes(), frame([]byte(`{"id":"1"}`))) {
		t.Fatalf("%d Write calls, bytes %x", cw.calls, cw.buf.Bytes())
	}
	werr := errors.New("pipe closed")
	if err := nativemsg.WriteFrame(errWriter{werr}, []byte("{}")); !errors.Is(err, werr) {
		t.Fatalf("writer error: %v", err)
	}
}

type countingWriter struct {
	calls int
	buf   bytes.Buffer
}

func (w *countingWriter) Write(p []byte) (int, error) { w.calls++; return w.buf.Write(p) }

type errWriter struct{ err error }

func (w errWriter) Write([]byte) (int, error) { return 0, w.err }

func TestReadFrameReaderError(t *testing.T) {
	rerr := errors.New("boom")
	_, err := nativemsg.ReadFrame(iotest.ErrReader(rerr), 100)
	if err == nil || err == io.EOF {
		t.Fatalf("reader error: %v", err)
	}
	_, err = nativemsg.ReadFrame(io.MultiReader(bytes.NewReader(frame([]byte("abc"))[:5]), iotest.ErrReader(rerr)), 100)
	if !errors.Is(err, nativemsg.ErrTruncated) {
		t.Fatalf("reader error mid-body: %v, want ErrTruncated", err)
	}
}

func FuzzReadFrame(f *testing.F) {
	f.Add(frame([]byte(`{"id":"1","command":"hello","params":{}}`)), 1024)
	f.Add(frame(nil), 1024)
	f.Add([]byte{0xff, 0xff, 0xff, 0xff}, protocol.MaxRequestBytes)
	f.Add([]byte{1, 0}, 10)
	f.Add(append(frame([]byte("a")), frame([]byte("bc"))...), 2)
	f.Fuzz(func(t *testing.T, data []byte, max int) {
		if max < 0 || max > 1<<20 {
			max = 1 << 20 // bound what the fuzzer may make us allocate
		}
		r := bytes.NewReader(data)
		for {
			body, err := nativemsg.ReadFrame(r, max)
			if err != nil {
				if err != io.EOF && !errors.Is(err, nativemsg.ErrTruncated) && !errors.Is(err, nativemsg.ErrTooLarge) && !errors.Is(err, nativemsg.ErrEmpty) {
					t.Fatalf("unexpected error %v", err)
				}
				if body != nil {
					t.Fatal("body with an error")
				}
				if errors.Is(err, nativemsg.ErrEmpty) {
					continue // a zero-length frame consumed its header
				}
				return
			}
			if len(body) == 0 || len(body) > max {
				t.Fatalf("body of %d bytes with max %d", len(body), max)
			}
			// What was read writes back to the same bytes.
			var buf bytes.Buffer
			if len(body) <= protocol.MaxResponseBytes {
				if err := nativemsg.WriteFrame(&buf, body); err != nil {
					t.Fatal(err)
				}
				if got, err := nativemsg.ReadFrame(&buf, max); err != nil || !bytes.Equal(got, body) {
					t.Fatalf("round trip: %v", err)
				}
			}
		}
	})
}

func totalAlloc() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.TotalAlloc
}
