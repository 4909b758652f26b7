//go:build unix

package tabular

import (
	"fmt"
	"os"
	"syscall"
)

// mappable says whether [mapFile] maps files here.
const mappable = true

// mapFile maps the first size bytes of f read-only and returns them and
// the function that unmaps them. The mapping outlives f's descriptor.
func mapFile(f *os.File, size int) ([]byte, func() error, error) {
	if size == 0 {
		return nil, func() error { return nil }, nil
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, size, syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, nil, fmt.Errorf("map the shared strings: %w", err)
	}
	return b, func() error { return syscall.Munmap(b) }, nil
}
