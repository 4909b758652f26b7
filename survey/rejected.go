package survey

import "time"

// RejectedFile is a survey export that could not be loaded. Rejected files
// are not recorded in the database; each waits in the inbox's quarantine
// folder with a reason beside it, until it is fixed and dropped in again.
type RejectedFile struct {
	// File is the export's name as it arrived.
	File string
	// RejectedAt is when it was rejected; zero when unknown.
	RejectedAt time.Time
	// Row is the row in which the problem was found (the header is row 1),
	// 0 when it concerns the whole file or is unknown.
	Row int
	// Column names the column of the problem, e.g. `C "Which practice?"`;
	// empty when it concerns no one column or is unknown.
	Column string
	// Reason says what is wrong, for a person.
	Reason string
}
