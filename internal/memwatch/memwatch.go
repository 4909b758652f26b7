// Package memwatch measures the peak memory of the process during a
// benchmark: the Go heap in use, sampled every few milliseconds, and the
// kernel's peak resident set size.
package memwatch

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

// heapInUse are the runtime/metrics classes that make up
// MemStats.HeapInuse.
var heapInUse = []string{"/memory/classes/heap/objects:bytes", "/memory/classes/heap/unused:bytes"}

// A Watch samples the heap from [Start] until [Watch.Stop].
type Watch struct {
	done chan struct{}
	wg   sync.WaitGroup
	peak uint64
}

// Start collects garbage, returns free memory to the system, resets the
// peak resident set size (VmHWM, on Linux 4.0 and later) and starts
// sampling the heap every 5 ms.
func Start() *Watch {
	runtime.GC()
	debug.FreeOSMemory()
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	w := &Watch{done: make(chan struct{})}
	samples := make([]metrics.Sample, len(heapInUse))
	for i, name := range heapInUse {
		samples[i].Name = name
	}
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			w.sample(samples)
			select {
			case <-w.done:
				return
			case <-t.C:
			}
		}
	}()
	return w
}

func (w *Watch) sample(samples []metrics.Sample) {
	metrics.Read(samples)
	var n uint64
	for _, s := range samples {
		if s.Value.Kind() == metrics.KindUint64 {
			n += s.Value.Uint64()
		}
	}
	w.peak = max(w.peak, n)
}

// Stop ends sampling and returns the peak heap in use and the peak RSS
// since Start, in MB; RSS is 0 when the kernel does not report it.
func (w *Watch) Stop() (heapMB, rssMB float64) {
	close(w.done)
	w.wg.Wait()
	return float64(w.peak) / (1 << 20), float64(peakRSS()) / (1 << 20)
}

// RSS returns the resident set size of the process now (VmRSS) in MB, 0
// when the kernel does not report it.
func RSS() float64 { return float64(statusBytes("VmRSS:")) / (1 << 20) }

// peakRSS returns VmHWM in bytes, 0 when unknown.
func peakRSS() uint64 { return statusBytes("VmHWM:") }

// statusBytes returns the size that /proc/self/status gives on the line
// starting with field, in bytes, 0 when unknown.
func statusBytes(field string) uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
