package ingest

import (
	"io"

	"github.com/surveyworker/surveyworker/ingest/practices"
	"github.com/surveyworker/surveyworker/survey"
)

// Registry is a practice registry; see [practices.Registry].
type Registry = practices.Registry

// Registry formats; see [practices.Read].
const (
	// RegistryCSV is the project's registry CSV, with a header.
	RegistryCSV = practices.FormatCSV
	// RegistryEpraccur is the NHS ODS GP practice file epraccur.csv.
	RegistryEpraccur = practices.FormatEpraccur
)

// ReadRegistry reads a practice registry in either of its formats; see
// [practices.Read].
func ReadRegistry(r io.Reader) (Registry, error) { return practices.Read(r) }

// ReadPractices reads a practice registry and returns its practices; see
// [practices.ReadList].
func ReadPractices(r io.Reader) ([]survey.Practice, error) { return practices.ReadList(r) }
