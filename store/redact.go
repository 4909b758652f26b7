package store

import (
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// masked replaces every password Redact finds.
const masked = "xxxxx"

// Redact returns dsn with every password replaced by "xxxxx", for logs,
// error messages and 'surveyworker config'. It reads dsn the way lib/pq
// does:
//
//   - a postgres:// or postgresql:// URL: the password of its user
//     information, found without parsing the URL, so that one with an
//     unescaped "%", "/" or "@" in the password (which the driver then
//     fails to parse, quoting it) is masked too, and a password= query
//     parameter;
//   - otherwise key=value pairs as libpq's conninfo_parse reads them:
//     spaces allowed around "=", a value in single quotes with backslash
//     escapes (password='a b', password = 'it\'s'), or up to the next
//     space.
//
// When a key=value string does not parse, everything after "password"
// is masked: too much rather than too little.
func Redact(dsn string) string {
	out, _ := redact(dsn)
	return out
}

// redact returns dsn masked and the passwords it masked, as written in dsn.
func redact(dsn string) (string, []string) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return redactURL(dsn)
	}
	return redactKeyValues(dsn)
}

// queryPassword finds a password parameter in a URL's query.
var queryPassword = regexp.MustCompile(`([?&]password=)([^&#]*)`)

func redactURL(dsn string) (string, []string) {
	var secrets []string
	i := strings.Index(dsn, "://") + 3
	// The user information ends at the last "@": a password may hold one
	// unescaped, a host and a path may not.
	if at := strings.LastIndexByte(dsn[i:], '@'); at >= 0 {
		userinfo := dsn[i : i+at]
		if colon := strings.IndexByte(userinfo, ':'); colon >= 0 && colon+1 < len(userinfo) {
			secrets = append(secrets, userinfo[colon+1:])
			dsn = dsn[:i+colon+1] + masked + dsn[i+at:]
		}
	}
	dsn = queryPassword.ReplaceAllStringFunc(dsn, func(m string) string {
		sub := queryPassword.FindStringSubmatch(m)
		if sub[2] == "" {
			return m
		}
		secrets = append(secrets, sub[2])
		return sub[1] + masked
	})
	return dsn, secrets
}

// span is the position of a value in a key=value string, in runes.
type span struct{ start, end int }

func redactKeyValues(dsn string) (string, []string) {
	s := []rune(dsn)
	spans, values, ok := passwordSpans(s)
	if !ok {
		// Unterminated quote or a key without "=": the driver refuses the
		// string, and where the password ends is anyone's guess.
		if i := strings.Index(dsn, "password"); i >= 0 {
			return dsn[:i+len("password")] + " " + masked, []string{dsn[i+len("password"):]}
		}
		return dsn, nil
	}
	var b strings.Builder
	last := 0
	var secrets []string
	for k, sp := range spans {
		b.WriteString(string(s[last:sp.start]))
		b.WriteString(masked)
		last = sp.end
		secrets = append(secrets, string(s[sp.start:sp.end]), values[k])
	}
	b.WriteString(string(s[last:]))
	return b.String(), secrets
}

// passwordSpans scans s as lib/pq's fromDSN does and returns where each
// password value is, quotes included, and the value it stands for. ok is
// false when s does not parse.
func passwordSpans(s []rune) (spans []span, values []string, ok bool) {
	i := 0
	skipSpaces := func() {
		for i < len(s) && unicode.IsSpace(s[i]) {
			i++
		}
	}
	for {
		skipSpaces()
		if i >= len(s) {
			return spans, values, true
		}
		keyStart := i
		for i < len(s) && !unicode.IsSpace(s[i]) && s[i] != '=' {
			i++
		}
		key := string(s[keyStart:i])
		skipSpaces()
		if i >= len(s) || s[i] != '=' {
			return nil, nil, false
		}
		i++
		skipSpaces()
		start := i
		value, end, ok := scanValue(s, i)
		if !ok {
			return nil, nil, false
		}
		i = end
		if key == "password" && end > start {
			spans = append(spans, span{start, end})
			values = append(values, value)
		}
	}
}

// scanValue reads the value starting at s[i]: quoted, with backslash
// escapes, or up to the next space. It returns the value, the index after
// it, and false for an unterminated quote or a trailing backslash.
func scanValue(s []rune, i int) (string, int, bool) {
	var v []rune
	if i < len(s) && s[i] == '\'' {
		for i++; i < len(s); i++ {
			switch s[i] {
			case '\'':
				return string(v), i + 1, true
			case '\\':
				i++
				if i >= len(s) {
					return "", i, false
				}
			}
			v = append(v, s[i])
		}
		return "", i, false
	}
	for ; i < len(s) && !unicode.IsSpace(s[i]); i++ {
		if s[i] == '\\' {
			i++
			if i >= len(s) {
				return "", i, false
			}
		}
		v = append(v, s[i])
	}
	return string(v), i, true
}

// redactedError is an error whose text has had passwords masked; it
// unwraps to the original, so errors.Is and errors.As still work.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// redactError masks in err's text every password of dsn, as written,
// decoded or quoted: the driver's errors may quote the connection string.
func redactError(dsn string, err error) error {
	_, secrets := redact(dsn)
	msg := err.Error()
	for _, s := range secrets {
		for _, form := range secretForms(s) {
			if form != "" {
				msg = strings.ReplaceAll(msg, form, masked)
			}
		}
	}
	// A quoted piece of a password, such as net/url's invalid URL escape
	// "%of" from the password 50%off, goes too.
	msg = quoted.ReplaceAllStringFunc(msg, func(q string) string {
		inner := q[1 : len(q)-1]
		for _, s := range secrets {
			if len(inner) >= 3 && strings.Contains(s, inner) {
				return `"` + masked + `"`
			}
		}
		return q
	})
	if msg == err.Error() {
		return err
	}
	return &redactedError{msg: msg, err: err}
}

// quoted matches a double-quoted piece of an error message.
var quoted = regexp.MustCompile(`"[^"]*"`)

// secretForms returns the ways s may appear in an error message: as it
// is, URL-decoded, and escaped inside a Go quoted string, longest first
// so that a shorter form never leaves part of a longer one.
func secretForms(s string) []string {
	forms := []string{s}
	if dec, err := url.PathUnescape(s); err == nil {
		forms = append(forms, dec)
	}
	for _, f := range forms[:len(forms):len(forms)] {
		q := strconv.Quote(f)
		forms = append(forms, q[1:len(q)-1])
	}
	sort.Slice(forms, func(i, j int) bool { return len(forms[i]) > len(forms[j]) })
	return forms
}
