package core

import (
	"context"
	"errors"

	"github.com/efirma/conector/host/doctor"
	"github.com/efirma/conector/host/keys"
	"github.com/efirma/conector/i18n"
	"github.com/efirma/conector/protocol"
	"github.com/efirma/conector/sat"
)

// DoctorConfig is what the checks need besides the key sources.
type DoctorConfig struct {
	// Anchors loads the CA folder for the chain check; nil means SAT's
	// production CAs built in; an error
	// leaves the check not configured.
	Anchors func() (*sat.Anchors, error)
	// TimeServer is the NTP server for online checks; empty means
	// doctor.DefaultTimeServer.
	TimeServer string
	// Extra adds the checks of other parts (installer registration,
	// tokens).
	Extra func(ctx context.Context, lang i18n.Lang) []doctor.Check
}

// Doctor runs the checks a person asks for (`efirma doctor`) over every
// source; online compares the clock with a time server; files, when set,
// are credential files not imported yet.
func (c *Core) Doctor(ctx context.Context, lang i18n.Lang, online bool, files *doctor.Files) doctor.Report {
	cfg := DoctorConfig{}
	if c.opt.Doctor != nil {
		cfg = *c.opt.Doctor
	}
	// The trust store: the configured folder, else SAT's production CAs
	// built in; an unreadable folder leaves the check not done.
	anchors, _ := anchorsOf(cfg.Anchors)
	timeServer := ""
	if online {
		timeServer = cfg.TimeServer
		if timeServer == "" {
			timeServer = doctor.DefaultTimeServer
		}
	}
	return doctor.Run(ctx, doctor.Env{Lang: lang, Sources: c.sources, Anchors: anchors, Now: c.opt.Now, TimeServer: timeServer, Extra: cfg.Extra, Files: files})
}

// Diagnose is the browser's "diagnose": the online checks in Spanish plus
// one for the wrong password tries made in this session (never the
// passwords themselves).
func (c *Core) Diagnose(ctx context.Context) (doctor.Report, error) {
	var r doctor.Report
	switch {
	case c.opt.Diagnose != nil:
		r = c.opt.Diagnose(ctx)
	case c.opt.Doctor != nil:
		r = c.Doctor(ctx, i18n.ES, true, nil)
	default:
		return r, keys.Coded(protocol.ErrUnknownCommand, nil, errors.New("diagnose not configured"))
	}
	tries := c.WrongPasswordTries()
	check := doctor.Check{ID: "password", Status: doctor.OK, Title: i18n.T(i18n.ES, "doctor.password.title"), Reason: i18n.T(i18n.ES, "doctor.password.none")}
	if tries > 0 {
		check.Status = doctor.Warning
		check.Reason = i18n.T(i18n.ES, "doctor.password.tries", tries)
		check.Fix = i18n.T(i18n.ES, "hint.ERR_WRONG_PASSWORD")
	}
	r.Add(check)
	return r, nil
}
