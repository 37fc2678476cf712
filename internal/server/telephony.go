package server

import (
	"cmp"
	"fmt"
	"time"

	"github.com/chimed/chimed/internal/chime"
	"github.com/chimed/chimed/internal/sip"
)

// Defaults of the phone number lifecycles. Chime takes up to 72 hours to
// change a calling name; an emulator that took as long would be no use.
const (
	defaultOrderDelay        = time.Second
	defaultCallingNameDelay  = 5 * time.Second
	defaultDeletionRetention = 7 * 24 * time.Hour
)

// openTrunk starts the SIP user agent of dial-out, when a trunk is
// configured.
func (s *Server) openTrunk() error {
	if s.cfg.SIPTrunk == "" {
		return nil
	}
	trunk, err := sip.Open(s.cfg.SIPTrunk, s.log.With("component", "sip"))
	if err != nil {
		return fmt.Errorf("sip-trunk: %w", err)
	}
	s.trunk = trunk
	return nil
}

// closeTrunk hangs up the calls in progress and stops the user agent.
func (s *Server) closeTrunk() error {
	if s.trunk == nil {
		return nil
	}
	return s.trunk.Close()
}

// telephony is the service's telephony configuration.
func (s *Server) telephony() chime.TelephonyConfig {
	// Zero (a Config built in code, not parsed) takes the default.
	c := chime.TelephonyConfig{
		OrderDelay:        cmp.Or(s.cfg.OrderDelay, defaultOrderDelay),
		CallingNameDelay:  cmp.Or(s.cfg.CallingNameDelay, defaultCallingNameDelay),
		DeletionRetention: cmp.Or(s.cfg.DeletionRetention, defaultDeletionRetention),
	}
	// Only a trunk that exists goes in: a nil *sip.Trunk in the interface
	// would not be a nil Dialer.
	if s.trunk != nil {
		c.Dialer = s.trunk
	}
	return c
}
