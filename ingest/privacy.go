package ingest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
	"unicode"

	"github.com/surveyworker/surveyworker/survey"
)

// Personal data is found two ways: by the words of a header, in English
// and the other languages exports come in, and by what a column holds
// ([personalContents]), whatever its header says. Names, addresses, IP
// addresses, phone and NHS numbers are never stored; e-mail addresses are
// stored only as a keyed hash, to recognise repeat submissions.

// Personal-data headers, folded with survey.NormalizeName, that are
// personal data as a whole.
var (
	nameHeaders = map[string]bool{"name": true, "full name": true, "first name": true, "last name": true,
		"lastname": true, "firstname": true, "surname": true, "your name": true, "respondent name": true,
		"recipientfirstname": true, "recipientlastname": true, "recipient first name": true, "recipient last name": true,
		"submittername": true, "submitted by": true, "username": true, "user name": true, "redcap survey identifier": true,
		// People who collect the answers, named in field surveys' exports.
		"reporter": true, "recorder": true, "collector": true, "enumerator": true, "interviewer": true, "surveyor": true}
	ipHeaders = map[string]bool{"ip": true, "ip address": true, "ipaddress": true, "ipaddr": true, "network id": true}
)

// Words and phrases of headers that name personal data, folded; and the
// words of other languages, as written in lower case, since folding drops
// the vowel signs of scripts such as Devanagari.
var (
	phonePhrases = []string{"phone", "telephone", "phone number", "mobile number", "contact number", "mobile no",
		"mobile phone", "phone no", "tel no", "contact no", "cell phone", "cellphone", "mobile tel"}
	birthPhrases = []string{"dob", "date of birth", "birth date", "birthdate", "birthday"}
	nhsPhrases   = []string{"nhs number", "nhs no", "nhs num"}
	idPhrases    = []string{"pers no", "personnel number", "personnel no", "employee number", "employee no",
		"staff number", "staff no", "payroll number", "national insurance", "ni number", "passport",
		"hospital number", "patient number", "mrn"}
	// nameWords are "name" in the languages of the exports seen and those
	// of the NHS's largest communities.
	nameWords = wordSet("name names jina नाव नाम nom prénom nombre apellido apellidos nome sobrenome cognome " +
		"vorname nachname naam voornaam achternaam imię imie nazwisko enw isim soyad اسم نام নাম નામ ਨਾਮ பெயர் numele prenume")
	phoneWords   = wordSet("दूरध्वनी मोबाईल फोन simu téléphone teléfono telefon telefone telefono móvil handy")
	addressWords = wordSet("address anwani पत्ता adresse dirección endereço indirizzo cyfeiriad adres")
	// addressBefore are the words before "address" that make it a person's
	// address, not a verb ("does the notebook address…?").
	addressBefore = wordSet("your home postal mailing contact street physical residential current permanent " +
		"correspondence billing delivery full")
	// thingWords are the words of a header that make its "name" or
	// "address" one of a thing, not a person: "practice name", "name of
	// the organisation", "Jina la kituo" (of the facility).
	thingWords = wordSet("practice surgery organisation organization company employer school team department site " +
		"facility clinic hospital trust pcn federation ccg icb file product course event project topic workstream " +
		"system software app place location area town city village country region district ward unit service " +
		"program programme training module sheet form survey question web website url street road building " +
		"kituo kijiji shule hospitali zahanati wilaya mkoa kata établissement entreprise société école empresa escuela centro")
	// personWords in a header make its "name" a person's even beside a
	// thing's word: "names of the course instructors", "Jina la Msimamizi wa
	// kituo" (of the facility's in-charge).
	personWords = wordSet("instructor lecturer teacher tutor trainer manager supervisor employee staff contact kin " +
		"partner spouse doctor nurse respondent person people patient child children parent carer guardian student " +
		"member owner applicant user lead officer msimamizi mwalimu mhudumu")
)

// wordSet returns the words of s as a set.
func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// personalRole reports whether folded header f, as a whole, names
// personal data, and which.
func personalRole(f string) (role, personalData, bool) {
	switch {
	case hasAnyPhrase(f, []string{"email", "email address", "emailaddress", "recipientemail"}):
		return roleEmail, dataEmail, true
	case nameHeaders[f]:
		return rolePersonal, dataName, true
	case ipHeaders[f]:
		return rolePersonal, dataIP, true
	case hasAnyPhrase(f, phonePhrases):
		return rolePersonal, dataPhone, true
	}
	return 0, 0, false
}

// personalHeader reports whether the cleaned header h names personal
// data, and which: as [personalRole] does, or by its words (a person's
// name, phone, address, date of birth or number), in English or another
// language: "कर्मचाऱ्याचे नाव (Employee Name)", "Jina la Msimamizi wa
// kituo", "next_of_kin_contact_address". A name or address of a thing
// ("Practice name", "Jina la kituo") is not personal.
func personalHeader(h string) (role, personalData, bool) {
	f := survey.NormalizeName(h)
	if r, d, ok := personalRole(f); ok {
		return r, d, true
	}
	words := headerWords(h)
	switch {
	case hasAnyPhrase(f, nhsPhrases):
		return rolePersonal, dataNHSNumber, true
	case hasAnyPhrase(f, idPhrases):
		return rolePersonal, dataIdentifier, true
	case hasAnyPhrase(f, birthPhrases):
		return rolePersonal, dataBirthDate, true
	case anyWord(words, phoneWords):
		return rolePersonal, dataPhone, true
	case personsWord(words, addressWords, true):
		return rolePersonal, dataAddress, true
	case personsWord(words, nameWords, false):
		return rolePersonal, dataName, true
	}
	return 0, 0, false
}

// anyWord reports whether one of words is in set.
func anyWord(words []string, set map[string]bool) bool {
	for _, w := range words {
		if set[w] {
			return true
		}
	}
	return false
}

// personsWord reports whether a word of set among words is of a person.
// The other words of the header decide: a person's word among them makes
// it a person's ("names of the course instructors"), else a thing's word
// makes it a thing's ("Which practice do you work at? (name or ODS
// code)"); a plural ("names") needs a person's word. An address must also
// be one, not a verb: the header is a few words, or a word such as "home"
// comes before it.
func personsWord(words []string, set map[string]bool, address bool) bool {
	person, thing := false, false
	for _, w := range words {
		person = person || inSet(personWords, w)
		thing = thing || inSet(thingWords, w)
	}
	for i, w := range words {
		if !set[w] {
			continue
		}
		switch {
		case person:
			return true
		case thing, w == "names":
			continue
		case address && len(words) > 4 && (i == 0 || !addressBefore[words[i-1]]):
			continue
		}
		return true
	}
	return false
}

// inSet reports whether w, or w without a plural or possessive "s", is
// in set.
func inSet(set map[string]bool, w string) bool {
	return set[w] || set[strings.TrimSuffix(w, "s")]
}

// headerWords returns the words of h in lower case: runs of letters,
// marks and digits, so that words of scripts with vowel signs stay whole.
func headerWords(h string) []string {
	return strings.FieldsFunc(strings.ToLower(h), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsMark(r) && !unicode.IsDigit(r)
	})
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
	nhsMask   = "[NHS number removed]"
)

var (
	emailPattern = regexp.MustCompile(`[A-Za-z0-9._%+'\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`)
	// phoneCandidate finds UK-looking numbers: +44 (optionally with "(0)"),
	// 0044 or a leading 0, an area code and two groups of digits, spaced or
	// hyphenated as people write them. ukPhone checks the digit count.
	phoneCandidate = regexp.MustCompile(`(?:\+\s?44\s?(?:\(0\)\s?)?|\b0044\s?|\(?\b0)\d{2,4}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}\b`)
	// nhsCandidate finds ten digits, together or grouped 3-3-4 with spaces
	// or hyphens, as NHS numbers are written; [validNHSNumber] checks them.
	nhsCandidate = regexp.MustCompile(`\b\d{3}[ -]?\d{3}[ -]?\d{4}\b`)
)

// maskPersonal replaces e-mail addresses, NHS numbers and UK phone numbers
// in free text with [emailMask], [nhsMask] and [phoneMask].
func maskPersonal(s string) string {
	if strings.IndexByte(s, '@') >= 0 {
		s = emailPattern.ReplaceAllString(s, emailMask)
	}
	if countDigits(s) < 10 {
		return s
	}
	s = nhsCandidate.ReplaceAllStringFunc(s, func(m string) string {
		if validNHSNumber(m) {
			return nhsMask
		}
		return m
	})
	return phoneCandidate.ReplaceAllStringFunc(s, func(m string) string {
		if ukPhone(m) {
			return phoneMask
		}
		return m
	})
}

// validNHSNumber reports whether s holds ten digits (and spaces or
// hyphens) whose last is the modulus 11 check digit of the nine before:
// 11 minus the sum of each digit times 10, 9, … 2, modulo 11, where 11 is
// 0 and 10 makes no number valid.
func validNHSNumber(s string) bool {
	var d []int
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			d = append(d, int(r-'0'))
		case r == ' ' || r == '-':
		default:
			return false
		}
	}
	if len(d) != 10 {
		return false
	}
	sum := 0
	for i := 0; i < 9; i++ {
		sum += d[i] * (10 - i)
	}
	check := 11 - sum%11
	if check == 11 {
		check = 0
	}
	return check != 10 && check == d[9]
}

// ukPhone reports whether m, a phone candidate, has the digits of a UK
// number: 0 then 9 or 10 digits, the second digit not 0 or 4/6 (which are
// not allocated to phones).
func ukPhone(m string) bool {
	s := digitsOf(m)
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

// digitsOf returns the decimal digits of s.
func digitsOf(s string) string {
	var d []byte
	for _, r := range s {
		if unicode.IsDigit(r) && r < 0x80 {
			d = append(d, byte(r))
		}
	}
	return string(d)
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
