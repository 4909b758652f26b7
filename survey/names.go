package survey

import (
	"strings"
	"unicode"
)

// NormalizeName folds a name for matching: lower case, "&" read as "and",
// punctuation and repeated spaces dropped. "Patient WiFi" and
// "patient  wi-fi" fold alike; so do "Smith & Jones" and "Smith and Jones".
func NormalizeName(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r == '&' || r == '+':
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString("and")
			space = true
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		case r == '-' || r == '\'' || r == '’' || r == '.':
			// joined: "wi-fi" == "wifi", "St. Mary's" == "st marys"
		default:
			space = true
		}
	}
	return b.String()
}
