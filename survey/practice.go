package survey

import "regexp"

// Practice is a GP practice in the registry.
type Practice struct {
	// ODSCode is the practice's NHS Organisation Data Service code, e.g. "K84001".
	ODSCode string `json:"ods_code" db:"ods_code"`
	// Name is the practice's registered name.
	Name string `json:"name" db:"name"`
	// Federation is the name of the federation (or PCN) the practice belongs to.
	Federation string `json:"federation" db:"federation"`
	// ListSize is the registered patient list size, 0 when unknown.
	ListSize int `json:"list_size,omitempty" db:"list_size"`
	// Postcode is the practice's postcode, empty when unknown.
	Postcode string `json:"postcode,omitempty" db:"postcode"`
	// Aliases are other names respondents use for the practice.
	Aliases []string `json:"aliases,omitempty" db:"-"`
}

// odsPattern matches a GP practice ODS code: one letter and five digits.
var odsPattern = regexp.MustCompile(`(?i)\b([A-Z][0-9]{5})\b`)

// FindODSCode returns the first GP practice ODS code in s, upper-cased, or "".
func FindODSCode(s string) string {
	m := odsPattern.FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	b := []byte(m[1])
	if b[0] >= 'a' && b[0] <= 'z' {
		b[0] -= 'a' - 'A'
	}
	return string(b)
}

// ValidODSCode reports whether s is exactly a GP practice ODS code.
func ValidODSCode(s string) bool {
	return len(s) == 6 && FindODSCode(s) == s
}
