package bench

import (
	"bytes"
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"time"
)

// target is a server under load: chimed or the baseline.
type target struct {
	base string // scheme://host:port
	// pid is the server's process, when it runs as one, for its CPU time.
	pid int
	// gens are each worker's generator, kept across the rounds of a
	// workload so that a listing goes on where it stopped.
	gens []generator
}

// sample is what one target did under load for a while.
type sample struct {
	latencies []time.Duration
	errors    int
	firstErr  error
	elapsed   time.Duration
	// clientCPU is the CPU time of this process (the client, and the
	// baseline when it is the target); serverCPU that of the server's
	// process, when it has one.
	clientCPU, serverCPU time.Duration
}

func (s *sample) add(o sample) {
	s.latencies = append(s.latencies, o.latencies...)
	s.addErrors(o)
	s.elapsed += o.elapsed
	s.clientCPU += o.clientCPU
	s.serverCPU += o.serverCPU
}

// addErrors counts o's failures in s, not its requests or times.
func (s *sample) addErrors(o sample) {
	s.errors += o.errors
	if s.firstErr == nil {
		s.firstErr = o.firstErr
	}
}

// newGens makes one generator per worker. Each worker has its own random
// sequence, the same for every target, so chimed and the baseline get the
// same requests.
func newGens(w Workload, f Fixture, workers int) []generator {
	gens := make([]generator, workers)
	for i := range gens {
		gens[i] = w.newGen(f, i, rand.New(rand.NewPCG(uint64(i), 0x6368696d65)))
	}
	return gens
}

// drive runs one worker per generator of t, each sending its requests one
// after the other on a keep-alive connection, for d. A request running at
// the end is allowed to finish, so that no connection is cut; the sample's
// elapsed time covers it.
func drive(ctx context.Context, c *client, t *target, d time.Duration) (sample, error) {
	clientStart, serverStart, err := cpuTimes(t.pid)
	if err != nil {
		return sample{}, err
	}
	start := time.Now()
	deadline := start.Add(d)
	per := make([]sample, len(t.gens))
	var wg sync.WaitGroup
	for i, g := range t.gens {
		wg.Go(func() { per[i] = work(ctx, c, t.base, g, deadline) })
	}
	wg.Wait()
	var s sample
	for _, p := range per {
		s.add(p)
	}
	s.elapsed = time.Since(start)
	clientEnd, serverEnd, err := cpuTimes(t.pid)
	if err != nil {
		return sample{}, err
	}
	s.clientCPU, s.serverCPU = clientEnd-clientStart, serverEnd-serverStart
	return s, ctx.Err()
}

// work is one worker: requests until the deadline.
func work(ctx context.Context, c *client, base string, g generator, deadline time.Time) sample {
	var s sample
	var buf bytes.Buffer
	for ctx.Err() == nil && time.Now().Before(deadline) {
		r := g.next()
		a, err := c.expect(ctx, base, r, &buf)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			s.errors++
			if s.firstErr == nil {
				s.firstErr = err
			}
			continue
		}
		g.observe(a.body)
		s.latencies = append(s.latencies, a.took)
	}
	return s
}

// Stats summarise a sample.
type Stats struct {
	Requests int     `json:"requests"`
	Errors   int     `json:"errors"`
	Seconds  float64 `json:"seconds"`
	PerSec   float64 `json:"requests_per_second"`
	P50ms    float64 `json:"p50_ms"`
	P99ms    float64 `json:"p99_ms"`
	P999ms   float64 `json:"p999_ms"`
	// ClientCPUus is the CPU time this process spent per request, in
	// microseconds: the client alone when driving chimed, the client and
	// the baseline server when driving the baseline.
	ClientCPUus float64 `json:"client_cpu_us_per_request"`
	// ServerCPUus is chimed's CPU time per request (its own process).
	ServerCPUus float64 `json:"server_cpu_us_per_request,omitempty"`
	FirstError  string  `json:"first_error,omitempty"`
}

func (s sample) stats() Stats {
	lat := slices.Clone(s.latencies)
	slices.Sort(lat)
	n := len(lat)
	out := Stats{
		Requests: n,
		Errors:   s.errors,
		Seconds:  s.elapsed.Seconds(),
		P50ms:    millis(quantile(lat, 0.50)),
		P99ms:    millis(quantile(lat, 0.99)),
		P999ms:   millis(quantile(lat, 0.999)),
	}
	if s.elapsed > 0 {
		out.PerSec = float64(n) / s.elapsed.Seconds()
	}
	if n > 0 {
		out.ClientCPUus = float64(s.clientCPU.Microseconds()) / float64(n)
		out.ServerCPUus = float64(s.serverCPU.Microseconds()) / float64(n)
	}
	if s.firstErr != nil {
		out.FirstError = s.firstErr.Error()
	}
	return out
}

// quantile is the nearest-rank q-quantile of sorted durations (0 when none).
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[max(0, min(rank, len(sorted)-1))]
}

func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
