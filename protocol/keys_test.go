package protocol_test

import (
	"errors"
	"testing"

	"github.com/efirma/conector/protocol"
)

func TestCheckKeys(t *testing.T) {
	for in, want := range map[string]string{
		`{"id":"a","command":"hello"}`:              "",
		`{"id":"a","command":"hello","future":1}`:   "",
		`{"id":"a","id":"b"}`:                       "id",
		`{"id":"a","Command":"hello"}`:              "Command",
		`{"params":{"x":1,"x":2},"id":"a"}`:         "", // nested objects are their own check
		`{"params":{},"command":"a","params":null}`: "params",
	} {
		err := protocol.CheckKeys([]byte(in), &protocol.Request{})
		var ke *protocol.KeyError
		switch {
		case want == "" && err != nil:
			t.Errorf("%s: %v", in, err)
		case want != "" && (!errors.As(err, &ke) || ke.Key != want):
			t.Errorf("%s: %v, want a KeyError for %q", in, err, want)
		}
	}
	for _, in := range []string{``, `[]`, `"x"`, `{"id":`} {
		if protocol.CheckKeys([]byte(in), &protocol.Request{}) == nil {
			t.Errorf("%q accepted", in)
		}
	}
}
