package bench

import (
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
)

// WriteTable writes a report as a table, with a note per skipped workload.
func WriteTable(out io.Writer, r *Report) error {
	where := "in chimebench's process"
	if r.BaselineProcess {
		where = "in a process of its own"
	}
	fmt.Fprintf(out, "\n%s, %s users, %d clients, %gs per workload and server in %d rounds, GOMAXPROCS %d, baseline %s\n",
		r.Store, Scale(r.Scale), r.Clients, r.Seconds, r.Rounds, r.GOMAXPROCS, where)
	if r.Store != "target" {
		seed := "cached seed"
		if r.SeedSeconds > 0 {
			seed = fmt.Sprintf("seeded in %.1fs", r.SeedSeconds)
		}
		fmt.Fprintf(out, "%s; chimed ready %.0f ms after start; RSS %.1f MB when ready, %.1f MB at the end (peak %.1f MB)\n",
			seed, r.StartupMs, r.MemoryReady.RSSMB, r.MemoryEnd.RSSMB, r.MemoryEnd.PeakMB)
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "workload\treq/s\tp50 ms\tp99 ms\tp99.9 ms\terrors\tbaseline req/s\tbaseline p99 ms\tratio\tchimed CPU µs/req\tclient CPU µs/req\tRSS MB\t")
	var notes []string
	for _, res := range r.Results {
		if res.Skipped != "" {
			notes = append(notes, res.Workload+": skipped: "+res.Skipped)
			continue
		}
		c := res.Chimed
		known := r.Store != "target"
		fmt.Fprintf(tw, "%s\t%.0f\t%.2f\t%.2f\t%.2f\t%d\t%.0f\t%.2f\t%.2f\t%s\t%.0f\t%s\t\n",
			res.Workload, c.PerSec, c.P50ms, c.P99ms, c.P999ms, c.Errors+res.Baseline.Errors,
			res.Baseline.PerSec, res.Baseline.P99ms, res.Ratio, orDash(c.ServerCPUus, known), c.ClientCPUus, orDash(res.Memory.RSSMB, known))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, n := range notes {
		fmt.Fprintln(out, n)
	}
	for _, res := range r.Results {
		for _, side := range []struct{ server, err string }{{"chimed", res.Chimed.FirstError}, {"baseline", res.Baseline.FirstError}} {
			if side.err != "" {
				fmt.Fprintf(out, "%s: %s's first error: %s\n", res.Workload, side.server, side.err)
			}
		}
	}
	return nil
}

// WriteComparison writes, for several reports (scales, stores), each
// workload's throughput, p99 and ratio to the baseline side by side, and
// each report's ratio relative to the first report's. That last figure
// compares runs made minutes apart on a machine whose load changes: each
// run's baseline absorbs the change.
func WriteComparison(out io.Writer, reports []*Report) error {
	if len(reports) < 2 {
		return nil
	}
	first := reports[0]
	fmt.Fprintf(out, "\nside by side: req/s, p99 ms, ratio to the baseline, and that ratio relative to %s %s's (×)\n", first.Store, Scale(first.Scale))
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "workload\t")
	for _, r := range reports {
		fmt.Fprintf(tw, "%s %s\tp99\tratio\t×\t", r.Store, Scale(r.Scale))
	}
	fmt.Fprintln(tw)
	for i, base := range first.Results {
		fmt.Fprintf(tw, "%s\t", base.Workload)
		for _, r := range reports {
			res := r.Results[i]
			if res.Skipped != "" || base.Skipped != "" || base.Ratio == 0 {
				fmt.Fprint(tw, "-\t-\t-\t-\t")
				continue
			}
			fmt.Fprintf(tw, "%.0f\t%.2f\t%.2f\t%.2f\t", res.Chimed.PerSec, res.Chimed.P99ms, res.Ratio, res.Ratio/base.Ratio)
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}

func orDash(v float64, known bool) string {
	if !known {
		return "-"
	}
	return strconv.FormatFloat(v, 'f', 0, 64)
}

// Scale writes a number of users as 1k, 100k, 1M when it is round.
func Scale(n int) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return strconv.Itoa(n/1_000_000) + "M"
	case n >= 1_000 && n%1_000 == 0:
		return strconv.Itoa(n/1_000) + "k"
	}
	return strconv.Itoa(n)
}

// ParseScale reads a number of users, with an optional k or M suffix.
func ParseScale(s string) (int, error) {
	digits, mult := s, 1
	switch {
	case len(s) > 1 && (s[len(s)-1] == 'k' || s[len(s)-1] == 'K'):
		digits, mult = s[:len(s)-1], 1_000
	case len(s) > 1 && s[len(s)-1] == 'M':
		digits, mult = s[:len(s)-1], 1_000_000
	}
	n, err := strconv.Atoi(digits)
	if err != nil || n < 1 || n > 100_000_000/mult {
		return 0, fmt.Errorf("scale %q: want a number of users from 1 to 100M, such as 1000, 100k or 1M", s)
	}
	return n * mult, nil
}
