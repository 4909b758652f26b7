package web

import (
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
)

// TestSignIn checks that a wrong password and an unknown name get the
// same refusal, that the right one starts a session whose cookie is
// HttpOnly and SameSite=Lax, and that the session ends when it expires,
// when the password changes or when its cookie is altered.
func TestSignIn(t *testing.T) {
	s := newSite(t, nil)
	b := s.browser()
	if r := b.get("/files"); r.code != http.StatusSeeOther || r.location != "/login?next=%2Ffiles" {
		t.Fatalf("GET /files signed out: %d to %q, want 303 to the sign-in page", r.code, r.location)
	}
	wrong := b.tryLogin("jo", "not the password")
	unknown := b.tryLogin("nobody", testPassword)
	for name, r := range map[string]response{"wrong password": wrong, "unknown name": unknown} {
		if r.code != http.StatusUnauthorized || !strings.Contains(r.body, msgBadLogin) {
			t.Errorf("%s: %d, want 401 with %q", name, r.code, msgBadLogin)
		}
	}
	same := func(body string) string { return csrfField.ReplaceAllString(body, "") }
	if same(wrong.body) != strings.Replace(same(unknown.body), "nobody", "jo", 1) {
		t.Errorf("the pages of a wrong password and an unknown name differ")
	}

	r := b.tryLogin("JO@example.nhs.uk", testPassword)
	if r.code != http.StatusSeeOther || r.location != "/files" {
		t.Fatalf("sign in by e-mail: %d to %q, want 303 to /files", r.code, r.location)
	}
	c := sessionCookieOf(t, r)
	if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure {
		t.Errorf("session cookie %+v: want HttpOnly, SameSite=Lax, not Secure over plain HTTP", c)
	}
	if r := b.get("/files"); r.code != http.StatusOK {
		t.Fatalf("GET /files signed in: %d", r.code)
	}

	s.clock.Advance(DefaultSessionTTL)
	if r := b.get("/files"); r.code != http.StatusSeeOther {
		t.Errorf("after the session's lifetime: %d, want 303 to sign in", r.code)
	}

	b.login("jo")
	changed := append([]User(nil), testUsers...)
	changed[0].PasswordHash = "$2a$04$" + strings.Repeat("A", 53) // another password
	s.writeUsers(changed)
	if r := b.get("/files"); r.code != http.StatusSeeOther {
		t.Errorf("after a password change: %d, want 303 to sign in", r.code)
	}
}

// TestSecureCookieBehindTLS checks that a request that came over TLS
// gets a Secure session cookie.
func TestSecureCookieBehindTLS(t *testing.T) {
	s := newSite(t, nil)
	b := s.browser()
	token := b.csrf("/login")
	req, _ := http.NewRequest(http.MethodPost, s.ts.URL+"/login",
		strings.NewReader(url.Values{"csrf": {token}, "name": {"jo"}, "password": {testPassword}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-Proto", "https")
	r := b.do(req)
	if c := sessionCookieOf(t, r); !c.Secure {
		t.Errorf("session cookie over TLS is not Secure: %+v", c)
	}
}

func sessionCookieOf(t testing.TB, r response) *http.Cookie {
	t.Helper()
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == sessionCookie && c.Value != "" {
			return c
		}
	}
	t.Fatalf("no session cookie in %v", r.header)
	return nil
}

// TestTenthQuickTryIsSlowed makes nine wrong attempts at one name, all
// answered, and checks that the tenth, even with the right password, is
// refused with 429 and a time to wait, that another name from the same
// address still gets in, and that once that time has passed on the clock
// the name may try again.
func TestTenthQuickTryIsSlowed(t *testing.T) {
	s := newSite(t, nil)
	b := s.browser()
	for i := 1; i <= loginBurstPerName; i++ {
		if r := b.tryLogin("vic", "wrong password "); r.code != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d, want 401", i, r.code)
		}
	}
	r := b.tryLogin("vic", testPassword)
	if r.code != http.StatusTooManyRequests || r.header.Get("Retry-After") != "60" ||
		!strings.Contains(r.body, "Try again in 60 s.") {
		t.Fatalf("tenth attempt: %d, Retry-After %q; want 429, 60 and a time to wait in\n%s", r.code, r.header.Get("Retry-After"), r.body)
	}
	if r := s.browser().tryLogin("jo", testPassword); r.code != http.StatusSeeOther {
		t.Errorf("another name from the same address: %d, want 303", r.code)
	}
	s.clock.Advance(59 * time.Second)
	if r := b.tryLogin("vic", testPassword); r.code != http.StatusTooManyRequests || !strings.Contains(r.body, "Try again in 1 s.") {
		t.Errorf("a second too early: %d, want 429 and 1 s to wait", r.code)
	}
	s.clock.Advance(time.Second)
	if r := b.tryLogin("vic", testPassword); r.code != http.StatusSeeOther {
		t.Errorf("after waiting: %d, want 303", r.code)
	}
}

// TestFormsWithoutToken checks that every form posted without its CSRF
// token is refused, and an upload so refused writes nothing; and that a
// post from another site is refused whatever it carries.
func TestFormsWithoutToken(t *testing.T) {
	s := newSite(t, nil)
	b := s.as("jo")
	if r := b.post("/logout", url.Values{}); r.code != http.StatusForbidden {
		t.Errorf("sign out without token: %d, want 403", r.code)
	}
	if r := b.post("/login", url.Values{"name": {"jo"}, "password": {testPassword}}); r.code != http.StatusForbidden ||
		!strings.Contains(r.body, msgLoginExpired) {
		t.Errorf("sign in without token: %d, want 403", r.code)
	}
	body, ctype := uploadBody("", exampleFile(t, googleForms))
	req, _ := http.NewRequest(http.MethodPost, s.ts.URL+"/upload", body)
	req.Header.Set("Content-Type", ctype)
	if r := b.do(req); r.code != http.StatusForbidden {
		t.Errorf("upload without token: %d, want 403", r.code)
	}
	body, ctype = uploadBody("not-the-token", exampleFile(t, googleForms))
	req, _ = http.NewRequest(http.MethodPost, s.ts.URL+"/upload", body)
	req.Header.Set("Content-Type", ctype)
	if r := b.do(req); r.code != http.StatusForbidden {
		t.Errorf("upload with a wrong token: %d, want 403", r.code)
	}
	if got := s.inboxNames(); len(got) != 0 {
		t.Errorf("inbox after refused uploads: %q, want it empty", got)
	}

	token := b.csrf("/upload")
	req, _ = http.NewRequest(http.MethodPost, s.ts.URL+"/logout", strings.NewReader(url.Values{"csrf": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if r := b.do(req); r.code != http.StatusForbidden {
		t.Errorf("cross-site post with the token: %d, want 403", r.code)
	}
	if r := b.post("/logout", url.Values{"csrf": {token}}); r.code != http.StatusSeeOther {
		t.Errorf("sign out with the token: %d, want 303", r.code)
	}
}

// TestRoles checks that a viewer may not upload and that no one signed
// out may post.
func TestRoles(t *testing.T) {
	s := newSite(t, nil)
	vic := s.as("vic")
	if r := vic.get("/upload"); r.code != http.StatusForbidden {
		t.Errorf("viewer GET /upload: %d, want 403", r.code)
	}
	if r := vic.get("/"); r.location != "/ranking" {
		t.Errorf("viewer's home: %q, want /ranking", r.location)
	}
	if r := s.as("jo").get("/"); r.location != "/upload" {
		t.Errorf("uploader's home: %q, want /upload", r.location)
	}
	if r := s.browser().post("/upload", url.Values{}); r.code != http.StatusUnauthorized {
		t.Errorf("signed-out POST /upload: %d, want 401", r.code)
	}
}

// TestLocalPath checks that sign-in never sends anyone to another site:
// whatever a browser would read as another host (a second slash, a
// backslash, a tab or line break it strips, a scheme) becomes "/".
func TestLocalPath(t *testing.T) {
	decoded, err := url.QueryUnescape("/%09/evil.example")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ in, want string }{
		{"/files?status=loaded", "/files?status=loaded"},
		{"/ok?a=b", "/ok?a=b"},
		{"/uploads/0123abcd#outcome", "/uploads/0123abcd#outcome"},
		{"/", "/"},
		{"", "/"},
		{"files", "/"},
		{"https://evil.example", "/"},
		{"javascript:alert(1)", "/"},
		{"//evil.example/x", "/"},
		{"///evil.example", "/"},
		{`/\evil.example`, "/"},
		{`/x\y`, "/"},
		{"/\t/evil.example", "/"},
		{decoded, "/"},
		{"/\n/evil.example", "/"},
		{"/\r\nSet-Cookie:x=y", "/"},
		{"/\x00/evil.example", "/"},
		{"/\x7f/evil.example", "/"},
		{"/%zz", "/"},
	}
	for _, tt := range tests {
		if got := localPath(tt.in); got != tt.want {
			t.Errorf("localPath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestSignInNextStaysOnSite signs in with a next address whose tab,
// percent-encoded in the query, a browser would strip, and checks that
// the sign-in page and the sign-in itself both send the user home.
func TestSignInNextStaysOnSite(t *testing.T) {
	s := newSite(t, nil)
	b := s.browser()
	page := b.get("/login?next=/%09/evil.example")
	if strings.Contains(page.body, "evil.example") {
		t.Errorf("sign-in page carries the hostile next address:\n%s", page.body)
	}
	r := b.post("/login", url.Values{"csrf": {b.csrf("/login")}, "name": {"jo"}, "password": {testPassword},
		"next": {"/\t/evil.example"}})
	if r.code != http.StatusSeeOther || r.location != "/" {
		t.Errorf("sign in with a hostile next: %d to %q, want 303 to /", r.code, r.location)
	}
	if r := b.get("/login?next=/%09/evil.example"); r.code != http.StatusSeeOther || r.location != "/" {
		t.Errorf("sign-in page when signed in: %d to %q, want 303 to /", r.code, r.location)
	}
}

// TestUsersFileReread checks that a user added while the server runs
// can sign in, and that a users file broken while it runs leaves the
// users read before in place.
func TestUsersFileReread(t *testing.T) {
	s := newSite(t, nil)
	if r := s.browser().tryLogin("new", testPassword); r.code != 401 {
		t.Fatalf("unknown user: %d", r.code)
	}
	s.writeUsers(append(testUsers, User{Name: "new", Email: "new@nhs.net", Role: RoleViewer}))
	s.as("new")
	if err := os.WriteFile(s.users, []byte("not a users file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s.as("new")
}
