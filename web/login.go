package web

import (
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/crypto/bcrypt"
)

// Messages of the sign-in page. A wrong password and an unknown name get
// the same one, so the page does not tell who has an account.
const (
	msgBadLogin     = "The name or password is not right."
	msgLoginExpired = "The sign-in form had expired. Try again."
)

// loginData is the data of the sign-in page.
type loginData struct {
	Next  string
	Name  string
	CSRF  string
	Error string
}

// maxFormBytes bounds the body of a form that is not an upload.
const maxFormBytes = 64 << 10

// loginPage shows the sign-in form, or goes on to next when signed in.
func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	next := localPath(r.URL.Query().Get("next"))
	if s.visitor(r) != nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	s.showLogin(w, r, http.StatusOK, loginData{Next: next})
}

// showLogin renders the sign-in form with a fresh CSRF value.
func (s *Server) showLogin(w http.ResponseWriter, r *http.Request, status int, d loginData) {
	id := randomHex(16)
	http.SetCookie(w, cookie(r, loginCookie, id, 3600))
	d.CSRF = s.sessions.csrfToken("login " + id)
	s.render(w, r, status, "login", pageData{Title: "Sign in", Data: d})
}

// login checks the name and password and starts a session.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	name := strings.TrimSpace(r.PostFormValue("name"))
	d := loginData{Next: localPath(r.PostFormValue("next")), Name: name}
	c, err := r.Cookie(loginCookie)
	if err != nil || !s.sessions.checkCSRF("login "+c.Value, r.PostFormValue("csrf")) {
		s.log.WarnContext(r.Context(), "sign-in refused: missing or wrong CSRF token", slog.String("remote_addr", r.RemoteAddr))
		d.Error = msgLoginExpired
		s.showLogin(w, r, http.StatusForbidden, d)
		return
	}
	keys := map[string]int{
		"name " + strings.ToLower(name): loginBurstPerName,
		"addr " + clientAddr(r):         loginBurstPerAddress,
	}
	if wait := s.limiter.reserve(keys); wait > 0 {
		secs := retrySeconds(wait)
		s.log.WarnContext(r.Context(), "sign-in slowed: too many failed attempts", slog.String("name", name),
			slog.String("remote_addr", r.RemoteAddr), slog.Int("retry_after_s", secs))
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		d.Error = "Too many attempts to sign in. Try again in " + strconv.Itoa(secs) + " s."
		s.showLogin(w, r, http.StatusTooManyRequests, d)
		return
	}
	u, ok := s.users.find(name)
	hash := u.PasswordHash
	if !ok {
		hash = dummyHash() // as long as a real check, so timing tells nothing
	}
	if err := s.compareFunc([]byte(hash), []byte(r.PostFormValue("password"))); err != nil || !ok {
		s.log.WarnContext(r.Context(), "sign-in failed", slog.String("name", name), slog.String("remote_addr", r.RemoteAddr))
		d.Error = msgBadLogin
		s.showLogin(w, r, http.StatusUnauthorized, d)
		return
	}
	s.limiter.refund(keys)
	http.SetCookie(w, cookie(r, sessionCookie, s.sessions.issue(u), int(s.cfg.SessionTTL.Seconds())))
	http.SetCookie(w, cookie(r, loginCookie, "", -1))
	s.log.InfoContext(r.Context(), "signed in", slog.String("user", u.Name), slog.String("role", string(u.Role)))
	http.Redirect(w, r, d.Next, http.StatusSeeOther)
}

// logout ends the session in this browser.
func (s *Server) logout(w http.ResponseWriter, r *http.Request, v *visit) {
	http.SetCookie(w, cookie(r, sessionCookie, "", -1))
	s.log.InfoContext(r.Context(), "signed out", slog.String("user", v.User.Name))
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// clientAddr is the host part of the peer's address. Headers such as
// X-Forwarded-For are not trusted: anyone can send them.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// dummyHash is a bcrypt hash, at the default cost, of a password no one
// knows.
var dummyHash = sync.OnceValue(func() string {
	h, _ := bcrypt.GenerateFromPassword([]byte(randomHex(16)), bcrypt.DefaultCost)
	return string(h)
})
