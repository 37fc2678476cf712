package bench

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"syscall"
	"testing"
	"time"
)

// TestServerCPUReadsProcStat reads this process's CPU time from /proc, as
// chimed's is read, and compares it with getrusage's (the client's): the
// two must agree to /proc's tick, user and system time both.
func TestServerCPUReadsProcStat(t *testing.T) {
	start, err := processCPU()
	if err != nil {
		t.Fatal(err)
	}
	// Burn CPU in system calls as well as in user code, until 200 ms of it
	// (or 2 s have passed, on a machine too busy to give them).
	var ru syscall.Rusage
	for began := time.Now(); time.Since(began) < 2*time.Second; {
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		if time.Duration(ru.Utime.Nano()+ru.Stime.Nano())-start >= 200*time.Millisecond {
			break
		}
	}
	client, err := processCPU()
	if err != nil {
		t.Fatal(err)
	}
	server, err := serverCPU(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if diff := server - client; diff < -30*time.Millisecond || diff > 30*time.Millisecond {
		t.Errorf("/proc/self/stat says %v of CPU, getrusage %v", server, client)
	}
	if got, err := serverCPU(0); got != 0 || err != nil {
		t.Errorf("serverCPU(0) = %v, %v; want 0 (no process of ours)", got, err)
	}
}

// TestMemoryOfIsInMB reads this process's memory after it has held and
// given back 64 MiB: the peak is the kernel's (getrusage's) high-water mark
// in MB of 10^6 bytes, and the resident set is back below it.
func TestMemoryOfIsInMB(t *testing.T) {
	buf := make([]byte, 64<<20)
	for i := 0; i < len(buf); i += 4096 { // a byte a page makes it resident
		buf[i] = 1
	}
	runtime.KeepAlive(buf)
	buf = nil
	debug.FreeOSMemory()
	m, err := memoryOf(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	if peak := float64(ru.Maxrss) * 1024 / 1e6; math.Abs(m.PeakMB-peak) > 0.5 {
		t.Errorf("peak %.1f MB, want getrusage's %.1f MB", m.PeakMB, peak)
	}
	if m.RSSMB <= 0 || m.RSSMB > m.PeakMB-30 {
		t.Errorf("RSS %.1f MB, want below the peak %.1f MB less the 67 MB given back", m.RSSMB, m.PeakMB)
	}
}
