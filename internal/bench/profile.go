package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// profiler saves chimed's profiles of one workload, taken from its
// --pprof-addr endpoints, for `go tool pprof`.
type profiler struct {
	dir      string
	base     string
	workload string
}

// cpu starts a CPU profile of the next d (whole seconds, at least one) and
// reports on the channel when it is saved.
func (p *profiler) cpu(ctx context.Context, d time.Duration) <-chan error {
	done := make(chan error, 1)
	seconds := max(1, int(d.Seconds()))
	go func() {
		done <- p.save(ctx, fmt.Sprintf("/debug/pprof/profile?seconds=%d", seconds), p.workload+".cpu.pprof")
	}()
	return done
}

// allocs saves the allocations made since chimed started; the difference
// between the "before" and "after" profiles is the workload's:
//
//	go tool pprof -sample_index=alloc_space -diff_base W.allocs-before.pprof W.allocs-after.pprof
func (p *profiler) allocs(ctx context.Context, when string) error {
	return p.save(ctx, "/debug/pprof/allocs", p.workload+".allocs-"+when+".pprof")
}

func (p *profiler) save(ctx context.Context, path, name string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.base+path, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("profile %s: %w", name, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("profile %s: %s", name, resp.Status)
	}
	if err := os.MkdirAll(p.dir, 0o755); err != nil {
		return err
	}
	out, err := os.Create(filepath.Join(p.dir, name))
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, resp.Body); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
