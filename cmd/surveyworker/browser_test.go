package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"golang.org/x/crypto/bcrypt"

	"github.com/surveyworker/surveyworker/web"
)

// screenshotsEnv names a folder to save a screenshot of each page to,
// at a laptop's and a phone's width: make web-screenshots sets it to
// docs/screenshots.
const screenshotsEnv = "SURVEYWORKER_SCREENSHOTS"

// browserHangGuard bounds the whole browser session, so that a page that
// never shows what a step waits for fails the test instead of hanging it.
// It is no measure of speed: every step waits for a condition in the page.
const browserHangGuard = 4 * time.Minute

// chromium returns the path of Debian's Chromium. Without it the test is
// skipped, naming what is missing, except under CI=true, where it fails.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	const msg = "no Chromium (Debian package chromium; 'make browser' installs it as root)"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + "; CI=true makes this a failure")
	}
	t.Skip(msg)
	return ""
}

// webPassword is the password of the browser test's users.
const webPassword = "browser test password"

// writeWebUsers writes a users file of a Oxford City uploader (jo), a
// North Oxfordshire uploader (sam) and a viewer of every federation
// (vic). The hashes are made at bcrypt's lowest cost, so that signing in
// is quick under the race detector; 'users add' uses the default cost.
func writeWebUsers(t *testing.T, path string) {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(webPassword), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	err = web.WriteUsers(&b, []web.User{
		{Name: "jo", Email: "jo@example.nhs.uk", Role: web.RoleUploader, Federation: "Oxford City", PasswordHash: string(h)},
		{Name: "sam", Email: "sam@example.nhs.uk", Role: web.RoleUploader, Federation: "North Oxfordshire", PasswordHash: string(h)},
		{Name: "vic", Email: "vic@example.nhs.uk", Role: web.RoleViewer, PasswordHash: string(h)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// tab is one browser tab on the web interface.
type tab struct {
	t    *testing.T
	ctx  context.Context
	base string
	shot string // folder for screenshots; empty takes none
}

// do runs steps, failing the test at the first error.
func (b *tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// text returns the text of the first element matching css.
func (b *tab) text(css string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", css, err)
	}
	return s
}

// eval evaluates a JavaScript expression in the page, awaiting a promise.
func eval[T any](b *tab, js string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// open goes to path and waits for css to be visible.
func (b *tab) open(path, css string) {
	b.t.Helper()
	b.do("open "+path, chromedp.Navigate(b.base+path), chromedp.WaitVisible(chromedp.CSS(css)))
}

// until opens path again and again until the JavaScript condition holds
// in it: for pages that show the worker's progress only when reloaded.
func (b *tab) until(path, css, cond string) {
	b.t.Helper()
	for {
		b.open(path, css)
		if eval[bool](b, cond) {
			return
		}
		select {
		case <-b.ctx.Done():
			b.t.Fatalf("%s never showed %s", path, cond)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// signIn fills in the sign-in form.
func (b *tab) signIn(name, password string) {
	b.t.Helper()
	b.do("sign in as "+name, chromedp.WaitVisible(chromedp.ID("name")),
		chromedp.SetValue(chromedp.ID("name"), name), chromedp.SetValue(chromedp.ID("password"), password),
		chromedp.Submit(chromedp.ID("password")))
}

// screenshot saves the page as NAME.png and, at a phone's width,
// NAME-phone.png, when screenshots are asked for.
func (b *tab) screenshot(name, css string) {
	b.t.Helper()
	if b.shot == "" {
		return
	}
	for _, size := range []struct {
		suffix string
		w, h   int64
	}{{"", 1366, 768}, {"-phone", 390, 844}} {
		b.do("viewport", chromedp.EmulateViewport(size.w, size.h), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(css)))
		png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
		if err != nil {
			b.t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(b.shot, "web-"+name+size.suffix+".png"), png, 0o644); err != nil {
			b.t.Fatal(err)
		}
	}
	b.do("viewport", chromedp.EmulateViewport(1366, 768))
}

// TestWebInterfaceInBrowser drives Chromium against a real serve on
// loopback and a real PostgreSQL, with the demo's Microsoft Forms export
// already loaded by a cycle: sign in after a wrong password, upload the
// Google Forms export and see its columns, then its archive; upload a
// broken file and see the quarantine's reason; see the ranking, the
// files and the runs; a form posted without its CSRF token is refused;
// an uploader of another federation gets "not found" for the first
// upload's address; and the tenth quick wrong password is slowed.
func TestWebInterfaceInBrowser(t *testing.T) {
	t.Parallel() // mostly waiting on processes and the database
	chrome := chromium(t)
	h := newHarness(t)
	h.env["SURVEYWORKER_PRACTICES"] = "../../examples/practices.csv"
	h.copyFile("../../examples/inbox/practice-it-priorities-microsoft-forms.xlsx",
		filepath.Join(h.inbox, "practice-it-priorities-microsoft-forms.xlsx"))
	h.mustRun("run")
	users := filepath.Join(h.dir, "users.csv")
	writeWebUsers(t, users)
	h.env["SURVEYWORKER_USERS"] = users
	addr := h.startServe("--http", "127.0.0.1:0", "--settle", "200ms")

	shots := os.Getenv(screenshotsEnv)
	if shots != "" {
		if err := os.MkdirAll(shots, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), browserHangGuard)
	defer cancel()
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, chromedp.ExecPath(chrome), chromedp.Headless,
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.UserDataDir(t.TempDir()))
	defer cancelAlloc()
	tabCtx, cancelTab := chromedp.NewContext(alloc)
	defer cancelTab()
	jo := &tab{t: t, ctx: tabCtx, base: "http://" + addr, shot: shots}
	jo.do("viewport", chromedp.EmulateViewport(1366, 768))

	// Signed out, any page leads to the sign-in form; a wrong password is
	// refused with the message an unknown name gets.
	jo.open("/", "#name")
	jo.screenshot("login", "#name")
	jo.signIn("jo", "not the password")
	jo.do("refused", chromedp.WaitVisible(chromedp.ID("login-error")))
	if got := jo.text("#login-error"); !strings.Contains(got, "The name or password is not right.") {
		t.Errorf("wrong password: %q", got)
	}
	jo.signIn("jo", webPassword)
	jo.do("signed in", chromedp.WaitVisible(chromedp.ID("upload-form")))
	jo.screenshot("upload", "#upload-form")

	// The Google Forms export: read at once, then archived.
	forms, err := filepath.Abs("../../examples/inbox/practice-it-priorities-google-forms.csv")
	if err != nil {
		t.Fatal(err)
	}
	jo.do("upload", chromedp.SetUploadFiles(chromedp.ID("file"), []string{forms}),
		chromedp.Click(chromedp.ID("upload-button")), chromedp.WaitVisible(chromedp.CSS(".columns-table")))
	columns := jo.text(".columns-table")
	for _, want := range []string{"cyber-security", "Which practice do you work at?", "personal data"} {
		if !strings.Contains(columns, want) {
			t.Errorf("the upload's columns lack %q:\n%s", want, columns)
		}
	}
	jo.do("archived", chromedp.WaitVisible(chromedp.CSS(`.outcome[data-state="loaded"]`)))
	uploadURL, err := chromedp.Run(jo.ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	jo.screenshot("upload-loaded", `.outcome[data-state="loaded"]`)

	// A broken export: quarantined, with the reason.
	broken := filepath.Join(t.TempDir(), "autumn-broken.csv")
	if err := os.WriteFile(broken, []byte("Timestamp,Which practice are you from?,Priority [Cyber Security]\n"+
		"25/11/2026 09:00:00,Banbury,Very high priority\n25/11/2026 09:05:00,\"unterminated\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	jo.open("/upload", "#upload-form")
	jo.do("upload broken", chromedp.SetUploadFiles(chromedp.ID("file"), []string{broken}),
		chromedp.Click(chromedp.ID("upload-button")), chromedp.WaitVisible(chromedp.CSS(`.outcome[data-state="quarantined"]`)))
	if got := jo.text(".reason"); !strings.Contains(got, "quoted-field") {
		t.Errorf("quarantine reason %q, want the CSV's unclosed quote", got)
	}
	jo.screenshot("upload-quarantined", ".reason")

	// The ranking, once the worker has ranked the new answers too.
	jo.until("/ranking", "#ranking", `document.querySelector(".lede").textContent.includes("2 files")`)
	if n := eval[int](jo, `document.querySelectorAll("#ranking tbody tr").length`); n != 21 {
		t.Errorf("ranking table has %d rows, want the 21 workstreams", n)
	}
	jo.screenshot("ranking", "#ranking")
	jo.open("/files", "#files")
	if got := jo.text("#files"); !strings.Contains(got, "practice-it-priorities-google-forms.csv") || !strings.Contains(got, "autumn-broken.csv") {
		t.Errorf("files page lacks the uploads:\n%s", got)
	}
	jo.screenshot("files", "#files")
	jo.open("/runs", "#runs")
	jo.screenshot("runs", "#runs")

	// Posts without the CSRF token, from the page's own origin, are refused.
	if got := eval[int](jo, `fetch("/logout", {method: "POST", body: new URLSearchParams()}).then(r => r.status)`); got != 403 {
		t.Errorf("sign-out posted without its token: %d, want 403", got)
	}
	if got := eval[int](jo, `(() => { const f = new FormData(); f.append("file", new Blob(["a,b\n1,2\n"]), "x.csv");
		return fetch("/upload", {method: "POST", body: f}).then(r => r.status); })()`); got != 403 {
		t.Errorf("upload posted without its token: %d, want 403", got)
	}

	// Another federation's uploader, in a browser context of its own.
	samCtx, cancelSam := chromedp.NewContext(tabCtx, chromedp.WithNewBrowserContext())
	defer cancelSam()
	sam := &tab{t: t, ctx: samCtx, base: jo.base}
	sam.do("viewport", chromedp.EmulateViewport(1366, 768))
	sam.open("/login", "#name")
	sam.signIn("sam", webPassword)
	sam.do("signed in", chromedp.WaitVisible(chromedp.ID("upload-form")))
	sam.do("open jo's upload", chromedp.Navigate(uploadURL), chromedp.WaitVisible(chromedp.ID("problem")))
	if got := sam.text("h1"); got != "Not found" {
		t.Errorf("another federation's upload shows %q, want Not found", got)
	}
	sam.open("/files", "h1")
	if got := sam.text("main"); strings.Contains(got, "practice-it-priorities-google-forms.csv") {
		t.Errorf("another federation's files page lists jo's upload:\n%s", got)
	}

	// Signed out, ten quick wrong passwords for one name: nine are
	// answered, the tenth has to wait.
	sam.do("sign out", chromedp.Click(chromedp.CSS(".who button")), chromedp.WaitVisible(chromedp.ID("name")))
	got := eval[[]string](sam, `(async () => {
		const out = [];
		const read = html => new DOMParser().parseFromString(html, "text/html");
		for (let i = 0; i < 10; i++) {
			const form = read(await (await fetch("/login")).text());
			const body = new URLSearchParams({csrf: form.querySelector("input[name=csrf]").value, name: "vic", password: "wrong " + i});
			const r = await fetch("/login", {method: "POST", body});
			const err = read(await r.text()).querySelector("#login-error");
			out.push(r.status + " " + (err ? err.textContent.trim() : ""));
		}
		return out;
	})()`)
	for i, line := range got {
		want := "401 The name or password is not right."
		if i == 9 {
			want = "429 Too many attempts to sign in. Try again in "
		}
		if !strings.HasPrefix(line, want) {
			t.Errorf("attempt %d: %q, want %q", i+1, line, want)
		}
	}
}
