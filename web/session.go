package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"
)

// Cookie names.
const (
	sessionCookie = "sw_session"
	// loginCookie holds the random value the sign-in form's CSRF token is
	// made from, before there is a session.
	loginCookie = "sw_login"
)

// errBadSession is any session cookie that is not one this server
// signed, or has expired.
var errBadSession = errors.New("web: no valid session")

// sessions signs session cookies and checks them. A session cookie holds
// the user's name, a random ID, its expiry and a fingerprint of the
// user's password hash, signed with HMAC-SHA256: a changed password ends
// every session of the user, and a changed key every session.
type sessions struct {
	signKey []byte
	csrfKey []byte
	ttl     time.Duration
	now     func() time.Time
}

// session is the content of a session cookie.
type session struct {
	User    string `json:"u"`
	ID      string `json:"i"`
	Expires int64  `json:"e"`
	Pass    string `json:"p"`
}

// newSessions derives the signing and CSRF keys from key.
func newSessions(key []byte, ttl time.Duration, now func() time.Time) *sessions {
	derive := func(label string) []byte {
		m := hmac.New(sha256.New, key)
		m.Write([]byte("surveyworker web " + label))
		return m.Sum(nil)
	}
	return &sessions{signKey: derive("session"), csrfKey: derive("csrf"), ttl: ttl, now: now}
}

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}

// issue returns the cookie value of a new session for u.
func (s *sessions) issue(u User) string {
	sess := session{User: u.Name, ID: randomHex(16), Expires: s.now().Add(s.ttl).Unix(), Pass: s.fingerprint(u.PasswordHash)}
	payload, _ := json.Marshal(sess) // plain strings and a number
	p := base64.RawURLEncoding.EncodeToString(payload)
	return p + "." + base64.RawURLEncoding.EncodeToString(s.mac(p))
}

func (s *sessions) mac(payload string) []byte {
	m := hmac.New(sha256.New, s.signKey)
	m.Write([]byte(payload))
	return m.Sum(nil)
}

// verify returns the session in value, or errBadSession when the
// signature does not hold or it has expired.
func (s *sessions) verify(value string) (session, error) {
	p, sig, ok := strings.Cut(value, ".")
	if !ok {
		return session{}, errBadSession
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, s.mac(p)) {
		return session{}, errBadSession
	}
	raw, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil {
		return session{}, errBadSession
	}
	var sess session
	if err := json.Unmarshal(raw, &sess); err != nil || sess.ID == "" {
		return session{}, errBadSession
	}
	if !s.now().Before(time.Unix(sess.Expires, 0)) {
		return session{}, errBadSession
	}
	return sess, nil
}

// fingerprint is a short keyed digest of a password hash: it changes when
// the password does, without putting the hash in a cookie.
func (s *sessions) fingerprint(hash string) string {
	m := hmac.New(sha256.New, s.signKey)
	m.Write([]byte("password " + hash))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:12])
}

// csrfToken returns the token the forms of the session (or the sign-in
// form's value) id must carry.
func (s *sessions) csrfToken(id string) string {
	m := hmac.New(sha256.New, s.csrfKey)
	m.Write([]byte(id))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// checkCSRF reports whether token is the CSRF token of id.
func (s *sessions) checkCSRF(id, token string) bool {
	return id != "" && hmac.Equal([]byte(token), []byte(s.csrfToken(id)))
}

// secure reports whether r reached the server over TLS, directly or
// through a proxy that says so. A client that claims it falsely only
// makes its own cookies unusable over plain HTTP.
func secure(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

// cookie returns a cookie for the whole site: HttpOnly, SameSite=Lax,
// Secure when the request came over TLS; maxAge < 0 deletes it.
func cookie(r *http.Request, name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: secure(r), SameSite: http.SameSiteLaxMode}
}
