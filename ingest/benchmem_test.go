package ingest

import (
	"bufio"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"time"
)

// memWatch samples the Go heap in use every few milliseconds and resets
// the kernel's peak resident set size (VmHWM), so one benchmark's peak is
// not hidden by an earlier, larger one.
type memWatch struct {
	done chan struct{}
	wg   sync.WaitGroup
	peak uint64
}

// heapInUse are the runtime/metrics classes that make up MemStats.HeapInuse.
var heapInUse = []string{"/memory/classes/heap/objects:bytes", "/memory/classes/heap/unused:bytes"}

// startMemWatch collects garbage, returns free memory to the system, resets
// VmHWM and starts sampling.
func startMemWatch() *memWatch {
	runtime.GC()
	debug.FreeOSMemory()
	resetPeakRSS()
	m := &memWatch{done: make(chan struct{})}
	samples := make([]metrics.Sample, len(heapInUse))
	for i, name := range heapInUse {
		samples[i].Name = name
	}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			m.sample(samples)
			select {
			case <-m.done:
				return
			case <-t.C:
			}
		}
	}()
	return m
}

func (m *memWatch) sample(samples []metrics.Sample) {
	metrics.Read(samples)
	var n uint64
	for _, s := range samples {
		if s.Value.Kind() == metrics.KindUint64 {
			n += s.Value.Uint64()
		}
	}
	m.peak = max(m.peak, n)
}

// stop ends sampling and returns the peak heap in use and the peak RSS
// since start, in MB (RSS 0 when the kernel does not report it).
func (m *memWatch) stop() (heapMB, rssMB float64) {
	close(m.done)
	m.wg.Wait()
	return float64(m.peak) / (1 << 20), float64(peakRSS()) / (1 << 20)
}

// resetPeakRSS resets VmHWM to the current RSS (Linux 4.0 and later); it
// does nothing where that is not possible.
func resetPeakRSS() {
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// peakRSS returns VmHWM in bytes, 0 when unknown.
func peakRSS() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
