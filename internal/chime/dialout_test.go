package chime

import (
	"slices"
	"strconv"
	"testing"
	"time"
)

// A call's steps only move forward, whatever order the trunk's responses
// are handled in.
func TestDialOutAdvancesOnlyForward(t *testing.T) {
	tests := []struct {
		name  string
		steps []CallProgress
		want  []string // the recorded steps, as status/SIP code
	}{
		{"in order", []CallProgress{{Status: DialOutTrying}, {Status: DialOutTrying, SIPStatus: 100}, {Status: DialOutRinging, SIPStatus: 180}, {Status: DialOutAnswered, SIPStatus: 200}},
			[]string{"trying/0", "trying/100", "ringing/180", "answered/200"}},
		{"100 Trying handled after 180 Ringing", []CallProgress{{Status: DialOutTrying}, {Status: DialOutRinging, SIPStatus: 180}, {Status: DialOutTrying, SIPStatus: 100}},
			[]string{"trying/0", "ringing/180"}},
		{"another provisional of the same stage", []CallProgress{{Status: DialOutTrying}, {Status: DialOutRinging, SIPStatus: 180}, {Status: DialOutRinging, SIPStatus: 183}},
			[]string{"trying/0", "ringing/180", "ringing/183"}},
		{"ringing after the answer", []CallProgress{{Status: DialOutTrying}, {Status: DialOutAnswered, SIPStatus: 200}, {Status: DialOutRinging, SIPStatus: 180}, {Status: DialOutEnded}},
			[]string{"trying/0", "answered/200", "ended/0"}},
		{"repeated step", []CallProgress{{Status: DialOutTrying}, {Status: DialOutTrying}},
			[]string{"trying/0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &DialOut{}
			for _, p := range tt.steps {
				d.advance(p, time.Unix(0, 0))
			}
			var got []string
			for _, e := range d.Events {
				got = append(got, e.Status+"/"+strconv.Itoa(e.SIPStatus))
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("steps %v, want %v", got, tt.want)
			}
		})
	}
}
