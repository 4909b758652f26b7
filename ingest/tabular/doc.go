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
//     the delimiter and streams records. A workbook is read by the lean
//     reader (xlsxfast.go): a streaming tokenizer of its own (xmlscan.go)
//     over archive/zip, the shared strings held as one byte slice
//     (sst.go), the rows read as excelize's row iterator reads them
//     (xlsxrows.go); excelize lists the sheets and reads what the lean
//     reader does not handle exactly as it would (xlsx.go). Before a
//     workbook is read, ziplimit.go checks every zip entry against the
//     [Limits] (declared size, inflation ratio, the shared strings' size,
//     number and length), and each row is checked as it is read, so a
//     decompression bomb is refused before it is inflated.
//
// A file that cannot be read is an [*Error] with the row, if any, and a
// reason for a person. Callers add the file's name.
package tabular
