package web

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/surveyworker/surveyworker/ingest"
	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/store/storetest"
	"github.com/surveyworker/surveyworker/survey"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// testUsers are the users of every test site.
var testUsers = []User{
	{Name: "jo", Email: "jo@example.nhs.uk", Role: RoleUploader, Federation: "Oxford City"},
	{Name: "sam", Email: "sam@example.nhs.uk", Role: RoleUploader, Federation: "North Oxfordshire"},
	{Name: "kim", Email: "kim@example.nhs.uk", Role: RoleViewer, Federation: "Oxford City"},
	{Name: "una", Email: "una@example.nhs.uk", Role: RoleUploader},
	{Name: "vic", Email: "vic@example.nhs.uk", Role: RoleViewer},
	{Name: "ada", Email: "ada@example.nhs.uk", Role: RoleAdmin},
}

// site is a web server on a real database and inbox, on an httptest
// server, with a clock the test moves.
type site struct {
	t     testing.TB
	st    *store.Store
	srv   *Server
	ts    *httptest.Server
	inbox string
	out   string
	users string
	clock *fakeClock
	in    *ingest.Ingester
}

// newSite starts a site; edit changes its configuration first.
func newSite(t testing.TB, edit func(*Config)) *site {
	t.Helper()
	dir := t.TempDir()
	s := &site{t: t, st: storetest.NewStore(t), inbox: filepath.Join(dir, "inbox"), out: filepath.Join(dir, "out"),
		users: filepath.Join(dir, "users.csv"), clock: &fakeClock{now: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)}}
	for _, d := range []string{s.inbox, s.out} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	s.writeUsers(testUsers)
	s.st.Now = s.clock.Now
	s.in = ingest.New(s.st, ingest.Options{Catalogue: survey.DefaultCatalogue(), HMACKey: []byte("test-key-0123456789"),
		Now: s.clock.Now, Logger: slog.New(slog.DiscardHandler)})
	cfg := Config{Store: s.st, UsersFile: s.users, SessionKey: bytes.Repeat([]byte("k"), 32), InboxDir: s.inbox,
		OutDir: s.out, Inspector: s.in, Now: s.clock.Now, Location: time.UTC}
	if edit != nil {
		edit(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s.srv = srv
	s.ts = httptest.NewServer(srv.Handler())
	t.Cleanup(s.ts.Close)
	return s
}

// writeUsers writes the users file with every user's password
// testPassword.
func (s *site) writeUsers(users []User) {
	s.t.Helper()
	var b bytes.Buffer
	users = slices.Clone(users)
	for i := range users {
		if users[i].PasswordHash == "" {
			users[i].PasswordHash = testHash()
		}
	}
	if err := WriteUsers(&b, users); err != nil {
		s.t.Fatal(err)
	}
	if err := os.WriteFile(s.users, b.Bytes(), 0o600); err != nil {
		s.t.Fatal(err)
	}
}

// importPractices loads the example practice registry.
func (s *site) importPractices() {
	s.t.Helper()
	f, err := os.Open("../examples/practices.csv")
	if err != nil {
		s.t.Fatal(err)
	}
	defer f.Close()
	reg, err := ingest.ReadRegistry(f)
	if err != nil {
		s.t.Fatal(err)
	}
	if _, err := s.st.UpsertPractices(context.Background(), reg.Practices); err != nil {
		s.t.Fatal(err)
	}
}

// work handles every file of the inbox as the worker does.
func (s *site) work() {
	s.t.Helper()
	if _, err := s.in.ProcessInbox(context.Background(), s.inbox); err != nil {
		s.t.Fatal(err)
	}
}

// inboxNames returns the names of the entries directly in the inbox.
func (s *site) inboxNames() []string {
	s.t.Helper()
	entries, err := os.ReadDir(s.inbox)
	if err != nil {
		s.t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// uploading returns the names of the temporary upload files.
func (s *site) uploading() []string {
	s.t.Helper()
	entries, _ := os.ReadDir(filepath.Join(s.inbox, uploadingDir))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// browser is one client of a site, with its own cookies; redirects are
// not followed, so that tests see them.
type browser struct {
	s *site
	c *http.Client
}

func (s *site) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{s: s, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// response is what a request got.
type response struct {
	code     int
	body     string
	location string
	header   http.Header
}

func (b *browser) do(req *http.Request) response {
	b.s.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.s.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return response{code: resp.StatusCode, body: string(body), location: resp.Header.Get("Location"), header: resp.Header}
}

func (b *browser) get(path string) response {
	b.s.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.s.ts.URL+path, nil)
	return b.do(req)
}

func (b *browser) post(path string, form url.Values) response {
	b.s.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.s.ts.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf returns the CSRF token of the page at path.
func (b *browser) csrf(path string) string {
	b.s.t.Helper()
	r := b.get(path)
	m := csrfField.FindStringSubmatch(r.body)
	if m == nil {
		b.s.t.Fatalf("GET %s: %d, no CSRF field in\n%s", path, r.code, r.body)
	}
	return m[1]
}

// tryLogin posts the sign-in form.
func (b *browser) tryLogin(name, password string) response {
	b.s.t.Helper()
	return b.post("/login", url.Values{"csrf": {b.csrf("/login")}, "name": {name}, "password": {password}, "next": {"/files"}})
}

// login signs in as name and returns the browser.
func (b *browser) login(name string) *browser {
	b.s.t.Helper()
	if r := b.tryLogin(name, testPassword); r.code != http.StatusSeeOther {
		b.s.t.Fatalf("sign in as %s: %d\n%s", name, r.code, r.body)
	}
	return b
}

// as returns a browser signed in as name.
func (s *site) as(name string) *browser { return s.browser().login(name) }

// file is one file of an upload form.
type file struct {
	name string
	body io.Reader
}

// uploadBody writes the multipart body of an upload form with the given
// token (none when empty) and files.
func uploadBody(token string, files ...file) (io.Reader, string) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		if token != "" {
			mw.WriteField("csrf", token)
		}
		for _, f := range files {
			w, err := mw.CreateFormFile("file", f.name)
			if err == nil {
				_, err = io.Copy(w, f.body)
			}
			if err != nil {
				pw.CloseWithError(err)
				return
			}
		}
		pw.CloseWithError(mw.Close())
	}()
	return pr, mw.FormDataContentType()
}

// upload posts the files with the upload form's token.
func (b *browser) upload(files ...file) response {
	b.s.t.Helper()
	body, ctype := uploadBody(b.csrf("/upload"), files...)
	req, _ := http.NewRequest(http.MethodPost, b.s.ts.URL+"/upload", body)
	req.Header.Set("Content-Type", ctype)
	return b.do(req)
}

// exampleFile returns the demo's export called name.
func exampleFile(t *testing.T, name string) file {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("../examples/inbox", name))
	if err != nil {
		t.Fatal(err)
	}
	return file{name: name, body: bytes.NewReader(b)}
}

// googleForms is the demo's Google Forms export.
const googleForms = "practice-it-priorities-google-forms.csv"

// brokenCSV is an export the worker quarantines: a quote is never closed.
const brokenCSV = "Timestamp,Which practice are you from?,Priority [Cyber Security]\n" +
	"25/11/2026 09:00:00,Banbury,Very high priority\n" +
	"25/11/2026 09:05:00,\"unterminated\n"
