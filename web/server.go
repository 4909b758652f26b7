package web

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/surveyworker/surveyworker/ingest"
	"github.com/surveyworker/surveyworker/store"
)

// Defaults for [Config].
const (
	// DefaultUploadLimit is the largest upload accepted: 100 MB.
	DefaultUploadLimit = 100 << 20
	// DefaultSessionTTL is how long a session lasts after signing in.
	DefaultSessionTTL = 12 * time.Hour
	// MinSessionKey is the shortest session key accepted, in bytes.
	MinSessionKey = 32
	// maxConcurrentUploads bounds the uploads streamed at once, and so
	// the disk their temporary files can take.
	maxConcurrentUploads = 4
)

// Inspector describes an export without loading it; *ingest.Ingester is
// one.
type Inspector interface {
	Inspect(path string) (ingest.Inspection, error)
}

// Config configures a [Server]. Zero values take the defaults given for
// each field.
type Config struct {
	// Store is the database the pages read. Required.
	Store *store.Store
	// UsersFile is the users file (see [ReadUsers]); it is read again
	// whenever it changes. Required.
	UsersFile string
	// SessionKey signs session cookies and CSRF tokens; at least
	// [MinSessionKey] bytes. Required.
	SessionKey []byte
	// InboxDir is the watched inbox uploads are put into. Required.
	InboxDir string
	// OutDir is where the worker writes workbooks; the latest is offered
	// for download only from there. Empty offers none.
	OutDir string
	// Inspector describes an upload before it enters the inbox. Required.
	Inspector Inspector
	// UploadLimit is the largest upload accepted, in bytes, for all the
	// files of one upload together; zero means [DefaultUploadLimit].
	UploadLimit int64
	// SessionTTL is how long a session lasts; zero means
	// [DefaultSessionTTL].
	SessionTTL time.Duration
	// Next returns the first time after t at which the cycle is
	// scheduled, or the zero time; nil shows no schedule.
	Next func(t time.Time) time.Time
	// Location is the time zone times are shown in; nil means UTC.
	Location *time.Location
	// Logger receives the server's logs; nil discards them.
	Logger *slog.Logger
	// Now returns the current time for sessions, rate limits and upload
	// times; nil means time.Now.
	Now func() time.Time
}

// Server serves the web interface. Create one with [New] and serve
// [Server.Handler].
type Server struct {
	cfg      Config
	log      *slog.Logger
	users    *userSource
	sessions *sessions
	limiter  *limiter
	pages    *pages
	uploads  chan struct{} // a token per upload in progress
	handler  http.Handler
	// compareFunc checks a password against its bcrypt hash:
	// bcrypt.CompareHashAndPassword, which tests replace to count the
	// checks and hold them.
	compareFunc func(hash, password []byte) error
	// renameFunc moves a complete upload into the inbox: os.Rename,
	// which tests replace to make it fail.
	renameFunc func(from, to string) error
}

// New checks cfg, reads the users file and returns a server. It returns
// an error when a required field is missing, the session key is too
// short, the inbox is not a directory or the users file does not read.
func New(cfg Config) (*Server, error) {
	switch {
	case cfg.Store == nil:
		return nil, errors.New("web: no store")
	case cfg.UsersFile == "":
		return nil, errors.New("web: no users file")
	case len(cfg.SessionKey) < MinSessionKey:
		return nil, fmt.Errorf("web: session key of %d bytes; want at least %d", len(cfg.SessionKey), MinSessionKey)
	case cfg.Inspector == nil:
		return nil, errors.New("web: no inspector")
	case cfg.UploadLimit < 0 || cfg.SessionTTL < 0:
		return nil, errors.New("web: negative upload limit or session lifetime")
	}
	if fi, err := os.Stat(cfg.InboxDir); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("web: inbox %q is not a directory", cfg.InboxDir)
	}
	cfg.UploadLimit = cmp.Or(cfg.UploadLimit, DefaultUploadLimit)
	cfg.SessionTTL = cmp.Or(cfg.SessionTTL, DefaultSessionTTL)
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	users, err := loadUserSource(cfg.UsersFile, cfg.Logger)
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	pg, err := loadPages(cfg.Location)
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	s := &Server{cfg: cfg, log: cfg.Logger, users: users, pages: pg,
		sessions:    newSessions(cfg.SessionKey, cfg.SessionTTL, cfg.Now),
		limiter:     newLimiter(cfg.Now, loginRefill),
		uploads:     make(chan struct{}, maxConcurrentUploads),
		compareFunc: bcrypt.CompareHashAndPassword,
		renameFunc:  os.Rename}
	s.removeStaleUploads()
	s.handler = s.routes()
	return s, nil
}

// Handler returns the handler of every page, for the service's mux at
// "/": more specific patterns registered there (/healthz) keep their own
// handlers.
func (s *Server) Handler() http.Handler {
	return s.handler
}

// visit is who is asking: the user of a valid session.
type visit struct {
	User User
	sess session
	// CSRF is the token the session's forms carry.
	CSRF string
}

// Scoped reports whether the user sees one federation only.
func (v *visit) Scoped() bool { return v != nil && v.User.Federation != "" }

// federations are the federations the user's view is limited to: theirs,
// or none when they see every federation.
func (v *visit) federations() []string {
	if !v.Scoped() {
		return nil
	}
	return []string{v.User.Federation}
}

// Can reports whether the user's role allows what need allows.
func (v *visit) Can(need Role) bool { return v != nil && v.User.Role.allows(need) }

// allows reports whether r may do what need requires.
func (r Role) allows(need Role) bool {
	return slices.Index(Roles, r) >= slices.Index(Roles, need) && slices.Contains(Roles, need)
}

// pageFunc handles a request of a signed-in user.
type pageFunc func(w http.ResponseWriter, r *http.Request, v *visit)

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login", s.loginPage)
	mux.HandleFunc("POST /login", s.login)
	mux.Handle("POST /logout", s.auth(RoleViewer, s.logout))
	mux.Handle("GET /{$}", s.auth(RoleViewer, s.home))
	mux.Handle("GET /upload", s.auth(RoleUploader, s.uploadPage))
	mux.Handle("POST /upload", s.authUpload(s.upload))
	mux.Handle("GET /uploads", s.auth(RoleViewer, s.uploadsPage))
	mux.Handle("GET /uploads/{token}", s.auth(RoleViewer, s.uploadsPage))
	mux.Handle("GET /uploads/{token}/status", s.auth(RoleViewer, s.uploadStatus))
	mux.Handle("GET /uploads/{token}/rejects.csv", s.auth(RoleViewer, s.uploadRejects))
	mux.Handle("GET /files", s.auth(RoleViewer, s.filesPage))
	mux.Handle("GET /files/{id}", s.auth(RoleViewer, s.filePage))
	mux.Handle("GET /files/{id}/rejects.csv", s.auth(RoleViewer, s.fileRejects))
	mux.Handle("GET /quarantine/{name}/rejects.csv", s.auth(RoleViewer, s.quarantineRejects))
	mux.Handle("GET /ranking", s.auth(RoleViewer, s.rankingPage))
	mux.Handle("GET /ranking/workbook", s.auth(RoleViewer, s.workbook))
	mux.Handle("GET /runs", s.auth(RoleViewer, s.runsPage))
	mux.Handle("GET /static/", staticHandler())
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.problem(w, r, s.visitor(r), http.StatusNotFound, "Page not found", "There is no page at this address.")
	})
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.problem(w, r, nil, http.StatusForbidden, "Request refused", "The form was not sent from this site.")
	}))
	return securityHeaders(cop.Handler(mux))
}

// securityHeaders sets the headers every response carries: no framing,
// no inline script or style, no content-type sniffing, no caching of
// pages (static files set their own).
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; object-src 'none'; "+
			"base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
}

// visitor returns the visit of r's session, or nil.
func (s *Server) visitor(r *http.Request) *visit {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	sess, err := s.sessions.verify(c.Value)
	if err != nil {
		return nil
	}
	u, ok := s.users.find(sess.User)
	if !ok || s.sessions.fingerprint(u.PasswordHash) != sess.Pass {
		return nil // removed, or the password changed
	}
	return &visit{User: u, sess: sess, CSRF: s.sessions.csrfToken(sess.ID)}
}

// auth runs h for a signed-in user whose role allows need. Without a
// session, a GET goes to the sign-in page and coming back after; other
// methods are refused. A POST must carry the session's CSRF token.
func (s *Server) auth(need Role, h pageFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, ok := s.allowed(w, r, need)
		if !ok {
			return
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		}
		if r.Method == http.MethodPost && !s.sessions.checkCSRF(v.sess.ID, r.PostFormValue("csrf")) {
			s.csrfRefused(w, r, v)
			return
		}
		h(w, r, v)
	})
}

// authUpload is auth for the upload form, whose body is read as a
// stream: the handler checks the CSRF token, the form's first field.
func (s *Server) authUpload(h pageFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if v, ok := s.allowed(w, r, RoleUploader); ok {
			h(w, r, v)
		}
	})
}

// allowed returns the visit when r has a session whose user may do what
// need allows, and otherwise answers r.
func (s *Server) allowed(w http.ResponseWriter, r *http.Request, need Role) (*visit, bool) {
	v := s.visitor(r)
	switch {
	case v == nil && r.Method == http.MethodGet:
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return nil, false
	case v == nil:
		s.problem(w, r, nil, http.StatusUnauthorized, "Signed out", "Your session has ended. Sign in again and repeat what you were doing.")
		return nil, false
	case !v.Can(need):
		s.problem(w, r, v, http.StatusForbidden, "Not allowed", "Your account may not use this page. Ask the administrator if you need to.")
		return nil, false
	}
	return v, true
}

func (s *Server) csrfRefused(w http.ResponseWriter, r *http.Request, v *visit) {
	s.log.WarnContext(r.Context(), "form refused: missing or wrong CSRF token", slog.String("path", r.URL.Path),
		slog.String("remote_addr", r.RemoteAddr))
	s.problem(w, r, v, http.StatusForbidden, "Form refused",
		"The form had expired or did not come from this site. Go back, reload the page and try again.")
}

// home sends uploaders to the upload page and everyone else to the
// ranking.
func (s *Server) home(w http.ResponseWriter, r *http.Request, v *visit) {
	if v.Can(RoleUploader) {
		http.Redirect(w, r, "/upload", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/ranking", http.StatusSeeOther)
}

// internal logs err and shows a page that says no more than that
// something went wrong.
func (s *Server) internal(w http.ResponseWriter, r *http.Request, v *visit, err error) {
	s.log.ErrorContext(r.Context(), "web page failed", slog.String("path", r.URL.Path), slog.String("error", err.Error()))
	s.problem(w, r, v, http.StatusInternalServerError, "Something went wrong",
		"The page could not be shown. Try again in a moment; if it keeps happening, tell the administrator.")
}

// localPath returns next when it is a path on this site, else "/". A
// browser reads some paths as another host's address: "//host" and
// `/\host` are, and so is "/<tab>/host", since browsers strip tabs and line
// breaks from an address before reading it. So a path with a second
// leading slash, any backslash, a control character or DEL, or one that
// does not parse as a URL without scheme and host is refused.
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsRune(next, '\\') {
		return "/"
	}
	for i := 0; i < len(next); i++ {
		if next[i] < 0x20 || next[i] == 0x7f {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "/"
	}
	return next
}
