package ingest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
	"unicode"
)

// Personal-data headers, folded with survey.NormalizeName. Names, IP
// addresses and phone numbers are never stored; e-mail addresses are stored
// only as a keyed hash, to recognise repeat submissions.
var (
	nameHeaders = map[string]bool{"name": true, "full name": true, "first name": true, "last name": true,
		"lastname": true, "firstname": true, "surname": true, "your name": true, "respondent name": true,
		"recipientfirstname": true, "recipientlastname": true, "recipient first name": true, "recipient last name": true,
		"submittername": true, "submitted by": true, "username": true, "redcap survey identifier": true}
	ipHeaders = map[string]bool{"ip": true, "ip address": true, "ipaddress": true, "ipaddr": true, "network id": true}
)

// personalRole reports whether folded header f names personal data, and
// which.
func personalRole(f string) (role, personalData, bool) {
	switch {
	case hasAnyPhrase(f, []string{"email", "email address", "emailaddress", "recipientemail"}):
		return roleEmail, dataEmail, true
	case nameHeaders[f]:
		return rolePersonal, dataName, true
	case ipHeaders[f]:
		return rolePersonal, dataIP, true
	case hasAnyPhrase(f, []string{"phone", "telephone", "phone number", "mobile number", "contact number"}):
		return rolePersonal, dataPhone, true
	}
	return 0, 0, false
}

// emailHMAC returns the hex HMAC-SHA256 of a normalised e-mail address, or
// "" when s is not an address (blank, "anonymous").
func emailHMAC(key []byte, s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if !strings.Contains(s, "@") {
		return ""
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(s))
	return hex.EncodeToString(m.Sum(nil))
}

// keyedHash returns the first 32 hex digits of the HMAC-SHA256 of parts
// joined by a unit separator.
func keyedHash(key []byte, parts ...string) string {
	m := hmac.New(sha256.New, key)
	for i, p := range parts {
		if i > 0 {
			m.Write([]byte{0x1f})
		}
		m.Write([]byte(p))
	}
	return hex.EncodeToString(m.Sum(nil))[:32]
}

// Masks written in place of personal data found in free text.
const (
	emailMask = "[email removed]"
	phoneMask = "[phone removed]"
)

var (
	emailPattern = regexp.MustCompile(`[A-Za-z0-9._%+'\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`)
	// phoneCandidate finds UK-looking numbers: +44 (optionally with "(0)"),
	// 0044 or a leading 0, an area code and two groups of digits, spaced or
	// hyphenated as people write them. ukPhone checks the digit count.
	phoneCandidate = regexp.MustCompile(`(?:\+\s?44\s?(?:\(0\)\s?)?|\b0044\s?|\(?\b0)\d{2,4}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}\b`)
)

// maskPersonal replaces e-mail addresses and UK phone numbers in free text
// with [emailMask] and [phoneMask].
func maskPersonal(s string) string {
	if strings.IndexByte(s, '@') >= 0 {
		s = emailPattern.ReplaceAllString(s, emailMask)
	}
	if countDigits(s) < 10 {
		return s
	}
	return phoneCandidate.ReplaceAllStringFunc(s, func(m string) string {
		if ukPhone(m) {
			return phoneMask
		}
		return m
	})
}

// ukPhone reports whether m, a phone candidate, has the digits of a UK
// number: 0 then 9 or 10 digits, the second digit not 0 or 4/6 (which are
// not allocated to phones).
func ukPhone(m string) bool {
	var d []byte
	for _, r := range m {
		if unicode.IsDigit(r) {
			d = append(d, byte(r))
		}
	}
	s := string(d)
	switch {
	case strings.HasPrefix(m, "+") || strings.HasPrefix(s, "0044"):
		s = strings.TrimPrefix(strings.TrimPrefix(s, "00"), "44")
		s = "0" + strings.TrimPrefix(s, "0")
	}
	if len(s) != 10 && len(s) != 11 || s[0] != '0' {
		return false
	}
	return strings.IndexByte("1235789", s[1]) >= 0
}

// countDigits returns the number of ASCII digits in s.
func countDigits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			n++
		}
	}
	return n
}
