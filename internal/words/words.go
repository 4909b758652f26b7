// Package words writes counts in the plain English that the workbook, the
// e-mail, the web pages and the command line share.
package words

import "strconv"

// Count returns n and the noun: "1 practice", "3 practices". plural is
// the noun's plural, or empty for the noun with an s.
func Count(n int, noun, plural string) string {
	if n == 1 {
		return "1 " + noun
	}
	if plural == "" {
		plural = noun + "s"
	}
	return strconv.Itoa(n) + " " + plural
}
