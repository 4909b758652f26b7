package ingest

import (
	"errors"
	"io"

	"github.com/surveyworker/surveyworker/ingest/tabular"
	"github.com/surveyworker/surveyworker/internal/progress"
)

// FileSHA256 returns the lower-case hex SHA-256 of the file at path: the
// digest by which a loaded file is known (see [Result.SHA256]).
func FileSHA256(path string) (string, error) { return tabular.FileSHA256(path) }

// fingerprint is [tabular.Fingerprint], a file it cannot read being a
// *RejectError.
func fingerprint(path string) (tabular.Info, error) {
	info, err := tabular.Fingerprint(path)
	return info, rejectionOf(fileName(path), err)
}

// readInfo is [tabular.Fingerprint] with the encoding the options force,
// if any, for a text file without a byte order mark. Its errors are
// tabular's: an *tabular.EncodingError stays one, so that a file in no
// encoding can still be described.
func (in *Ingester) readInfo(path string) (tabular.Info, error) {
	info, err := tabular.Fingerprint(path)
	var bad *tabular.EncodingError
	force := in.opts.Encoding
	if force != "" && info.Format == tabular.FormatCSV && (errors.As(err, &bad) || err == nil && !tabular.HasBOM(info.Encoding)) {
		info.Encoding = force
		return info, nil
	}
	return info, err
}

// openTable opens a file as a table according to its format; a workbook
// is read at the sheet ch chooses. A file or row that cannot be read is a
// *RejectError. How far through the file reading has got is shown on
// task, when not nil: a CSV file's bytes, a workbook's rows against the
// last row its sheet records, if it records one.
func openTable(path string, info tabular.Info, lim Limits, ch tabular.SheetChoice, task *progress.Task) (*tabular.Source, error) {
	var read func(int64)
	if task != nil && info.Format != tabular.FormatXLSX {
		task.SetTotal(info.Size, "")
		read = task.SetDone
	}
	src, err := tabular.Open(path, info, lim.Limits, ch, read)
	if err != nil {
		return nil, rejectionOf(fileName(path), err)
	}
	src.Table = &fileTable{Table: src.Table, name: fileName(path)}
	if task != nil && info.Format == tabular.FormatXLSX {
		task.SetTotal(src.LastRow, "")
		src.Table = &rowProgress{Table: src.Table, task: task}
	}
	return src, nil
}

// fileTable is a table of the file called name, whose rows that cannot be
// read are *RejectErrors naming the file.
type fileTable struct {
	tabular.Table
	name string
}

func (t *fileTable) Next() (int, []string, error) {
	row, cells, err := t.Table.Next()
	if err != nil && err != io.EOF {
		err = rejectionOf(t.name, err)
	}
	return row, cells, err
}

// rejectionOf returns a *tabular.Error as the rejection of the file
// called name, and any other error as it is.
func rejectionOf(name string, err error) error {
	var te *tabular.Error
	var bad *tabular.EncodingError
	switch {
	case errors.As(err, &te):
		return &RejectError{File: name, Row: te.Row, Reason: te.Reason, Err: te.Err}
	case errors.As(err, &bad):
		return &RejectError{File: name, Reason: bad.Error() + ", or read it as one of them with --encoding utf-8 or windows-1252"}
	}
	return err
}

// rowProgress shows the number of each row read from its table as the
// task's progress.
type rowProgress struct {
	tabular.Table
	task *progress.Task
}

func (p *rowProgress) Next() (int, []string, error) {
	row, cells, err := p.Table.Next()
	if err == nil {
		p.task.SetDone(int64(row))
	}
	return row, cells, err
}
