package tabular

import "cmp"

// Limits bound what one file may make a reader read or hold. Every field
// must be set; see [DefaultLimits]. A file beyond a limit is refused as
// soon as it shows it: a workbook's parts by the sizes their zip entries
// declare, before anything is inflated.
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
	// MaxSharedStringsBytes is the most a workbook's shared-strings part
	// may unzip to, and MaxSharedStrings the most strings it may hold: a
	// reader keeps an entry per string in memory.
	MaxSharedStringsBytes int64
	MaxSharedStrings      int
}

// DefaultLimits are the limits callers use unless they have a reason not
// to.
var DefaultLimits = Limits{
	MaxRecordBytes: 1 << 20,
	MaxColumns:     4096,
	MaxUnzipBytes:  2 << 30,
	MaxUnzipRatio:  100,
	MaxXMLInMemory: 16 << 20,
	// 64 MB and two million strings: a workbook of a million responses
	// each with its own e-mail address, or 200,000 with a few free-text
	// answers each. The lean reader holds 4 bytes beside each string's
	// text (which past 16 MB is a mapped file); excelize, which reads the
	// workbooks the lean reader hands it, reads them from a temporary
	// file above 100,000 strings, at some 50 bytes each.
	MaxSharedStringsBytes: 64 << 20,
	MaxSharedStrings:      2_000_000,
}

// OrDefaults returns l with its zero fields set from [DefaultLimits].
func (l Limits) OrDefaults() Limits {
	d := DefaultLimits
	return Limits{
		MaxRecordBytes: cmp.Or(l.MaxRecordBytes, d.MaxRecordBytes),
		MaxColumns:     cmp.Or(l.MaxColumns, d.MaxColumns),
		MaxUnzipBytes:  cmp.Or(l.MaxUnzipBytes, d.MaxUnzipBytes),
		MaxUnzipRatio:  cmp.Or(l.MaxUnzipRatio, d.MaxUnzipRatio),
		MaxXMLInMemory: cmp.Or(l.MaxXMLInMemory, d.MaxXMLInMemory),

		MaxSharedStringsBytes: cmp.Or(l.MaxSharedStringsBytes, d.MaxSharedStringsBytes),
		MaxSharedStrings:      cmp.Or(l.MaxSharedStrings, d.MaxSharedStrings),
	}
}
