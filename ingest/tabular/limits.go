package tabular

// Limits bound what one file may make a reader read or hold. Every field
// must be set; see [DefaultLimits].
type Limits struct {
	// MaxRecordBytes is the longest row (CSV record or worksheet row).
	MaxRecordBytes int
	// MaxColumns is the most columns a row may have.
	MaxColumns int
	// MaxUnzipBytes is the most an XLSX file may unzip to in total, unless
	// MaxUnzipRatio allows more.
	MaxUnzipBytes int64
	// MaxUnzipRatio lets a large workbook unzip to this many times its own
	// size when that is more than MaxUnzipBytes. Worksheet XML compresses
	// about ten to one; a decompression bomb by a thousand to one or more.
	MaxUnzipRatio int64
	// MaxXMLInMemory is the largest worksheet or shared-strings part kept
	// in memory; larger parts are unzipped to a temporary file.
	MaxXMLInMemory int64
}

// DefaultLimits are the limits callers use unless they have a reason not
// to.
var DefaultLimits = Limits{
	MaxRecordBytes: 1 << 20,
	MaxColumns:     4096,
	MaxUnzipBytes:  2 << 30,
	MaxUnzipRatio:  100,
	MaxXMLInMemory: 16 << 20,
}
