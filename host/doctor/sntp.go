package doctor

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"time"
)

// DefaultTimeServer is CENAM's NTP server, Mexico's official time.
const DefaultTimeServer = "cronos.cenam.mx:123"

// ntpEpochOffset is the seconds between 1900-01-01 and 1970-01-01.
const ntpEpochOffset = 2208988800

// sntpTime asks an NTP server for the time (RFC 4330 client mode). It uses
// only the net package so the host binary carries no HTTP/TLS stack.
func sntpTime(ctx context.Context, server string) (time.Time, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "udp", server)
	if err != nil {
		return time.Time{}, err
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	req := make([]byte, 48)
	req[0] = 0x23 // LI 0, version 4, mode 3 (client)
	if _, err := conn.Write(req); err != nil {
		return time.Time{}, err
	}
	resp := make([]byte, 48)
	n, err := conn.Read(resp)
	if err != nil {
		return time.Time{}, err
	}
	if n < 48 || resp[0]&0x07 != 4 || resp[1] == 0 {
		return time.Time{}, errors.New("bad NTP reply")
	}
	secs := binary.BigEndian.Uint32(resp[40:44])
	frac := binary.BigEndian.Uint32(resp[44:48])
	if secs == 0 {
		return time.Time{}, errors.New("NTP server not synchronised")
	}
	nsec := (int64(frac) * 1e9) >> 32
	return time.Unix(int64(secs)-ntpEpochOffset, nsec), nil
}
