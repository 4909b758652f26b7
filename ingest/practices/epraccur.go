package practices

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/surveyworker/surveyworker/ingest/tabular"
	"github.com/surveyworker/surveyworker/survey"
)

// epraccurColumns is the number of columns of every epraccur record.
const epraccurColumns = 27

// Columns of an epraccur record (0-based; the ODS documentation numbers
// them from 1).
const (
	epCode         = 0  // organisation code: the practice's ODS code
	epName         = 1  // practice name, in capitals
	epPostcode     = 9  // postcode
	epStatus       = 12 // A active, C closed, D dormant, P proposed
	epCommissioner = 14 // commissioner: the CCG or sub-ICB location code, e.g. "00K"
	epSetting      = 25 // prescribing setting: 4 is a GP practice
)

// epraccur values that make a record a practice to import.
const (
	epActive    = "A"
	epGPSetting = "4"
)

// isEpraccur reports whether the text in r starts with an epraccur record:
// no header, 27 fields, the first an ODS code. r is not advanced.
func isEpraccur(r *bufio.Reader) bool {
	head, _ := r.Peek(tabular.SniffSize)
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i+1]
	}
	rec, err := csv.NewReader(bytes.NewReader(head)).Read()
	return err == nil && len(rec) == epraccurColumns && survey.ValidODSCode(strings.ToUpper(strings.TrimSpace(rec[epCode])))
}

// readEpraccur reads an NHS ODS epraccur file. Only active GP practices are
// imported: records whose status is not "A" are counted in
// [Registry.Inactive] and those whose prescribing setting is not 4 in
// [Registry.NotGP]. The practice's code, name and postcode are taken as
// they are; epraccur has no federation, so the commissioner code (column
// 15: the CCG or sub-ICB location, the closest grouping the file has) is
// used as the federation. List sizes and aliases are not in the file.
func readEpraccur(r io.Reader) (Registry, error) {
	reg := Registry{Format: FormatEpraccur}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = epraccurColumns
	cr.ReuseRecord = true
	var v registryValidator
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return Registry{}, fmt.Errorf("practices: line %d: malformed epraccur record: %w", pe.StartLine, pe.Err)
			}
			return Registry{}, fmt.Errorf("practices: %w", err)
		}
		line, _ := cr.FieldPos(0)
		switch {
		case strings.TrimSpace(rec[epStatus]) != epActive:
			reg.Inactive++
			continue
		case strings.TrimSpace(rec[epSetting]) != epGPSetting:
			reg.NotGP++
			continue
		}
		if v.add(line, func() (survey.Practice, error) { return epraccurPractice(rec) }) {
			break
		}
	}
	ps, err := v.result()
	if err != nil {
		return Registry{}, err
	}
	reg.Practices = ps
	return reg, nil
}

// epraccurPractice validates one active GP practice record.
func epraccurPractice(rec []string) (survey.Practice, error) {
	p := survey.Practice{
		ODSCode:    strings.ToUpper(tabular.CleanCell(rec[epCode])),
		Name:       tabular.CleanHeader(rec[epName]),
		Federation: strings.ToUpper(tabular.CleanCell(rec[epCommissioner])),
		Postcode:   strings.ToUpper(tabular.CleanHeader(rec[epPostcode])),
	}
	return p, checkPractice(p, "organisation code", rec[epCode])
}
