package ingest

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/surveyworker/surveyworker/ingest/practices"
	"github.com/surveyworker/surveyworker/survey"
)

// A header says what a column is meant to hold; the answers read ahead say
// what it holds. The checks here refuse a column whose answers contradict
// its header (a "practice" slider, a yes/no "role", option labels taken
// for comments, status codes taken for priorities) and find personal data
// under any header. A refused column is ignored, with the reason shown by
// inspect; a column a mapping names is never second-guessed.

// Shares of the answers read ahead that decide.
const (
	// mentionShare is the least share of priorities among the answers of a
	// question that names a workstream inside a sentence.
	mentionShare = 0.8
	// headerShare is the least share for a header that is a workstream's
	// name: such a column is refused only when most answers are not.
	headerShare = 0.5
	// practiceShare, roleShare and personalShare are the least shares of
	// practice-like answers, of yes/no answers that refuse a role, and of
	// personal data that makes a column personal.
	practiceShare = 0.5
	roleShare     = 0.8
	personalShare = 0.8
)

// share reports whether fit of all is at least the share s, all being
// more than zero.
func share(fit, all int, s float64) bool {
	return all > 0 && float64(fit) >= s*float64(all)
}

// priorityAnswers counts the answers vals that are priorities on the
// scale of a question with header h: labels, or whole numbers on the
// scale it states, else 1–5, or 0–10 when a number above 5 is among them.
func priorityAnswers(vals []string, h string) int {
	lo, hi, ok := statedScale(h)
	if !ok {
		lo, hi = 1, defaultScaleMax
		for _, v := range vals {
			if n, err := atoi(v); err == nil && n > defaultScaleMax {
				lo, hi = 0, wideScaleMax
				break
			}
		}
	}
	fit := 0
	for _, v := range vals {
		if _, _, label := survey.ParsePriority(v); label {
			fit++
		} else if n, err := atoi(v); err == nil && n >= lo && n <= hi {
			fit++
		}
	}
	return fit
}

// checkPriorities refuses a priority column, not named by a mapping, most
// of whose answers are not priorities on its scale.
func checkPriorities(c *column, vals []string, cat *survey.Catalogue) {
	if c.Role != roleWorkstream || c.Kind != kindPriority || c.mapped || c.scale.mapping != nil || len(vals) == 0 {
		return
	}
	if fit := priorityAnswers(vals, c.Header); !share(fit, len(vals), headerShare) {
		c.ignore(reason{why: whyNotPriorities, ws: workstreamName(cat, c.Workstream), fit: fit, all: len(vals)})
	}
}

// workstreamName returns the name of the workstream id.
func workstreamName(cat *survey.Catalogue, id string) string {
	if w, ok := cat.ByID(id); ok {
		return w.Name
	}
	return id
}

// yesNo are answers of a yes/no question, folded.
var yesNo = map[string]bool{"yes": true, "no": true, "y": true, "n": true, "true": true, "false": true,
	"0": true, "1": true, "maybe": true, "not sure": true, "i dont know": true, "dont know": true, "not applicable": true}

// isYesNo reports whether an answer is yes, no or one like them.
func isYesNo(v string) bool { return yesNo[survey.NormalizeName(v)] }

// scaleWords are words of the labels of rating scales ("A little", "None
// at all", "Strongly agree"), folded.
var scaleWords = wordSet("little lot most least none moderate amount somewhat strongly agree disagree neither " +
	"neutral satisfied dissatisfied likely unlikely extremely slightly fairly quite rarely sometimes often always " +
	"never easy difficult good poor excellent average fair important unimportant")

// practiceLike reports whether an answer can name a practice: one the
// registry matches, an ODS code, or words with letters that are not a
// number, a priority, yes or no, or the label of a rating scale.
func practiceLike(v string, pm *practices.Matcher) bool {
	switch {
	case survey.FindODSCode(v) != "":
		return true
	case pm != nil && pm.Match(v).Code != "":
		return true
	case isYesNo(v), strings.IndexFunc(v, unicode.IsLetter) < 0:
		return false
	}
	if _, _, label := survey.ParsePriority(v); label {
		return false
	}
	words := strings.Fields(survey.NormalizeName(v))
	return len(words) > 3 || !anyWord(words, scaleWords)
}

// checkPractice refuses a practice column, not named by a mapping, whose
// answers are not practices.
func checkPractice(c *column, vals []string, pm *practices.Matcher) {
	if c.Role != rolePractice || c.mapped || len(vals) == 0 {
		return
	}
	fit := 0
	for _, v := range vals {
		if practiceLike(v, pm) {
			fit++
		}
	}
	if !share(fit, len(vals), practiceShare) {
		c.ignore(reason{why: whyNotPractices, fit: fit, all: len(vals)})
	}
}

// checkRole refuses a role column, not named by a mapping, whose answers
// are yes or no: "Is your primary role related to IT?".
func checkRole(c *column, vals []string) {
	if c.Role != roleRole || c.mapped || len(vals) == 0 {
		return
	}
	fit := 0
	for _, v := range vals {
		if isYesNo(v) {
			fit++
		}
	}
	if share(fit, len(vals), roleShare) {
		c.ignore(reason{why: whyYesNoRole, fit: fit, all: len(vals)})
	}
}

// checkFreeText refuses a comment column, not named by a mapping, whose
// answers are not free text: all 0 and 1 (or yes and no), or the one text
// of an option, as a checkbox exported one column per option holds
// ("Please mark any means of transportation… [Bicycle]").
func checkFreeText(c *column, vals []string) {
	if c.Role != roleComment || c.mapped || len(vals) == 0 {
		return
	}
	distinct := map[string]bool{}
	yes := 0
	for _, v := range vals {
		distinct[survey.NormalizeName(v)] = true
		if isYesNo(v) {
			yes++
		}
	}
	item := survey.NormalizeName(bracketedItem(c.Header))
	switch {
	case yes == len(vals):
		c.ignore(reason{why: whyNotFreeText, what: "yes/no or 0/1"})
	case len(distinct) == 1 && (len(vals) >= 3 || item != "" && (distinct[item] || strings.HasPrefix(item, firstKey(distinct)))):
		c.ignore(reason{why: whyNotFreeText, what: "one option's label"})
	}
}

// firstKey returns a key of a set of one.
func firstKey(m map[string]bool) string {
	for k := range m {
		return k
	}
	return ""
}

// Patterns of personal data a whole answer may be.
var (
	wholeEmail = regexp.MustCompile(`^` + emailPattern.String() + `$`)
	// phoneShape is a number as phones are written: digits with spaces,
	// dots, hyphens and brackets, an optional leading "+".
	phoneShape = regexp.MustCompile(`^\+?[\d\s().\-]{9,20}$`)
	// ukPostcode is a UK postcode; houseNumber a number before a street's
	// name, or a flat.
	ukPostcode  = regexp.MustCompile(`(?i)\b[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}\b`)
	houseNumber = regexp.MustCompile(`(?i)(?:^|[\s,])(?:flat\s+)?\d{1,4}[A-Z]?,?\s+[A-Z]`)
)

// phoneLike reports whether a whole answer is a phone number: a UK one, an
// international one ("+254 712 345678") or one written as North America
// writes them ("(555) 010-4477"). A plain run of ten digits is not, unless
// it is a UK number: platforms' IDs are such runs.
func phoneLike(v string) bool {
	if !phoneShape.MatchString(v) || strings.HasPrefix(v, "-") {
		return false
	}
	if _, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && strings.Contains(v, ".") {
		return false // a decimal: a latitude, a measure
	}
	d := digitsOf(v)
	switch {
	case len(d) < 9 || len(d) > 15:
		return false
	case ukPhone(v):
		return true
	case strings.HasPrefix(v, "+"):
		return len(d) >= 10
	}
	return d != v && len(d) == 10 // grouped, as (555) 010-4477 or 555-010-4477
}

// addressLike reports whether an answer is a postal address: a UK postcode
// with a house number.
func addressLike(v string) bool {
	return ukPostcode.MatchString(v) && houseNumber.MatchString(v)
}

// notNameWords are words that make two or three capitalised words an
// answer, a role or a place, not a person's name.
var notNameWords = wordSet("gp dr practice surgery medical centre center health clinic group partnership nurse " +
	"manager partner receptionist doctor pharmacist administrator admin lead clerk secretary director officer " +
	"assistant practitioner physician paramedic coordinator supervisor technician therapist midwife visitor care " +
	"worker salaried locum trainee registrar student other none all not very high low medium strongly agree " +
	"disagree neither somewhat satisfied dissatisfied likely unlikely important priority yes no maybe never " +
	"always often sometimes rarely daily weekly monthly good poor excellent fair average male female married " +
	"single white black asian mixed british irish north south east west road street lane avenue close " +
	"team department hospital trust council service services support desk")

// nameLike reports whether an answer is a person's name: two or three
// words, each a capital then lower-case letters ("O'Brien", "Smith-Jones"
// and "McDonald" included, or an initial), none a word of roles, places
// or answer labels.
func nameLike(v string) bool {
	words := strings.Fields(v)
	if len(words) < 2 || len(words) > 3 {
		return false
	}
	for _, w := range words {
		if notNameWords[strings.ToLower(strings.Trim(w, ".,"))] || !nameWord(w) {
			return false
		}
	}
	return true
}

// nameWord reports whether w is written as a name or an initial.
func nameWord(w string) bool {
	w = strings.TrimSuffix(w, ".")
	rs := []rune(w)
	if len(rs) == 0 || !unicode.IsUpper(rs[0]) {
		return false
	}
	lower := 0
	for _, r := range rs[1:] {
		switch {
		case unicode.IsLower(r):
			lower++
		case unicode.IsUpper(r), r == '\'' || r == '’' || r == '-':
		default:
			return false
		}
	}
	return len(rs) == 1 || lower > 0
}

// personalContents reports what personal data the answers vals hold, if
// personalShare of them are one kind: NHS numbers, e-mail addresses,
// phone numbers, postal addresses, or, for a column that may hold names,
// people's names. Names must be several and mostly different (answer
// labels repeat), and neither practices the registry knows, workstreams,
// nor option, the label of the option a column stands for. It returns the
// kind and how many answers are of it.
func personalContents(vals []string, names bool, option string, pm *practices.Matcher, cat *survey.Catalogue) (personalData, int, bool) {
	if len(vals) == 0 {
		return 0, 0, false
	}
	kinds := []struct {
		d  personalData
		is func(string) bool
	}{
		{dataNHSNumber, validNHSNumber},
		{dataEmail, wholeEmail.MatchString},
		{dataPhone, phoneLike},
		{dataAddress, addressLike},
	}
	for _, k := range kinds {
		fit := 0
		for _, v := range vals {
			if k.is(v) {
				fit++
			}
		}
		if share(fit, len(vals), personalShare) {
			return k.d, fit, true
		}
	}
	if !names || len(vals) < minNames {
		return 0, 0, false
	}
	fit := 0
	distinct := map[string]bool{}
	for _, v := range vals {
		if !nameLike(v) || strings.EqualFold(v, option) || pm != nil && pm.Match(v).Code != "" {
			continue
		}
		if _, ok := matchCatalogue(cat, v); ok {
			continue
		}
		fit++
		distinct[v] = true
	}
	if share(fit, len(vals), personalShare) && 2*len(distinct) >= fit {
		return dataName, fit, true
	}
	return 0, 0, false
}

// minNames is the fewest answers that can show a column of names.
const minNames = 3

// checkPersonal makes a column that a mapping does not name personal when
// its answers are personal data. Columns of free text, role and practice
// answers, and those not recognised, are checked; people's names only in
// the last two kinds, where a role or a practice is not expected.
func checkPersonal(c *column, vals []string, pm *practices.Matcher, cat *survey.Catalogue) {
	if c.mapped {
		return
	}
	switch c.Role {
	case roleIgnored, roleComment, roleRole, rolePractice:
	default:
		return
	}
	names := c.Role == roleIgnored || c.Role == roleComment
	if d, fit, ok := personalContents(vals, names, bracketedItem(c.Header), pm, cat); ok {
		c.Role, c.Workstream, c.Kind = rolePersonal, "", kindPriority
		c.reason = reason{why: whyPersonalContents, data: d, fit: fit, all: len(vals)}
	}
}
