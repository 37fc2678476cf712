package throttle

import (
	"testing"
	"time"
)

func TestParseLimit(t *testing.T) {
	tests := []struct {
		in      string
		want    Limit
		wantErr bool
	}{
		{in: "5/s", want: Limit{PerSecond: 5, Burst: 5}},
		{in: "120/m", want: Limit{PerSecond: 2, Burst: 2}},
		{in: "1800/h", want: Limit{PerSecond: 0.5, Burst: 1}},
		{in: "5", wantErr: true},
		{in: "0/s", wantErr: true},
		{in: "-1/s", wantErr: true},
		{in: "5/d", wantErr: true},
		{in: "x/s", wantErr: true},
		{in: "NaN/s", wantErr: true},
		{in: "Inf/s", wantErr: true},
		{in: "1e300/s", wantErr: true},
	}
	for _, tt := range tests {
		got, err := ParseLimit(tt.in)
		if (err != nil) != tt.wantErr || (!tt.wantErr && got != tt.want) {
			t.Errorf("ParseLimit(%q) = %+v, %v; want %+v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestAllowIsPerKeyAndRefills(t *testing.T) {
	l := New(Limit{PerSecond: 2, Burst: 2})
	now := time.Unix(1_700_000_000, 0)
	for i := 0; i < 2; i++ {
		if ok, _ := l.Allow("a", now); !ok {
			t.Fatalf("request %d within the burst was refused", i)
		}
	}
	ok, wait := l.Allow("a", now)
	if ok || wait <= 0 || wait > time.Second {
		t.Fatalf("third request: allowed=%v wait=%v, want refused with a wait of at most 1s", ok, wait)
	}
	if ok, _ := l.Allow("b", now); !ok {
		t.Fatal("another key shares the bucket")
	}
	if ok, _ := l.Allow("a", now.Add(wait)); !ok {
		t.Fatal("not refilled after the announced wait")
	}
}
