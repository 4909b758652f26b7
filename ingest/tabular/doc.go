// Package tabular reads the bytes of a survey export as rows of text
// cells, in bounded memory, and knows nothing of what the cells mean.
//
// A file is read in two steps:
//
//   - [Fingerprint] reads the bytes once: SHA-256, size, container (CSV
//     text or an XLSX workbook) and, for text, the encoding (encoding.go:
//     UTF-8 with or without BOM, UTF-16 with BOM, Windows-1252). Empty,
//     binary and legacy files are refused here, with the reason.
//   - [Open] returns the file as a [Source]: a [Table] of rows with what
//     opening it told (delimiter, worksheet, date system). csv.go sniffs
//     the delimiter and streams records; xlsx.go chooses the worksheet and
//     streams its rows. Before a workbook is read, ziplimit.go checks every
//     zip entry against the [Limits] (declared size, inflation ratio, the
//     shared strings' size, number and length) and xlsx.go the size of its
//     rows, so a decompression bomb is refused before it is inflated.
//
// A file that cannot be read is an [*Error] with the row, if any, and a
// reason for a person. Callers add the file's name.
package tabular
