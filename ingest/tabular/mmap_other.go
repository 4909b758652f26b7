//go:build !unix

package tabular

import (
	"errors"
	"os"
)

// mappable says whether [mapFile] maps files here: not on this system,
// where shared strings stay on the heap (their part is bounded by
// [Limits.MaxSharedStringsBytes]).
const mappable = false

// mapFile is not available here.
func mapFile(f *os.File, size int) ([]byte, func() error, error) {
	return nil, nil, errors.New("files are not mapped on this system")
}
