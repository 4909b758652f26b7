package main

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
)

// csrfField finds a form's CSRF token in a page.
var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// webClient is a signed-in user of a real serve's web interface.
type webClient struct {
	t    *testing.T
	base string
	c    *http.Client
}

// signIn signs name in to the serve at addr with the test password.
func signIn(t *testing.T, addr, name string) *webClient {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	w := &webClient{t: t, base: "http://" + addr, c: &http.Client{Jar: jar}}
	resp, err := w.c.PostForm(w.base+"/login", url.Values{"csrf": {w.csrf("/login")}, "name": {name}, "password": {webPassword}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path == "/login" {
		t.Fatalf("sign in as %s: %s at %s", name, resp.Status, resp.Request.URL)
	}
	return w
}

// csrf returns the CSRF token of the form on the page at path.
func (w *webClient) csrf(path string) string {
	w.t.Helper()
	resp, err := w.c.Get(w.base + path)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	m := csrfField.FindSubmatch(page)
	if m == nil {
		w.t.Fatalf("GET %s: %s, no CSRF field in\n%s", path, resp.Status, page)
	}
	return string(m[1])
}

// countingZeros is an endless stream of zeros that counts what is read.
type countingZeros struct{ n atomic.Int64 }

func (z *countingZeros) Read(p []byte) (int, error) {
	clear(p)
	z.n.Add(int64(len(p)))
	return len(p), nil
}

// TestServeRefusesA200MBUpload posts a 200 MB export to a real serve's
// upload form, once declaring its length and once streamed without one:
// both are refused naming the 100 MB limit, the streamed one after the
// server has read about the limit and no more, and neither leaves a file
// in the inbox or its upload folder.
func TestServeRefusesA200MBUpload(t *testing.T) {
	t.Parallel() // mostly waiting on processes and the database
	const size = 200 << 20
	h := newHarness(t)
	users := filepath.Join(h.dir, "users.csv")
	writeWebUsers(t, users)
	h.env["SURVEYWORKER_USERS"] = users
	jo := signIn(t, h.startServe("--http", "127.0.0.1:0", "--settle", "200ms"), "jo")
	for _, declared := range []bool{true, false} {
		t.Run(fmt.Sprintf("declared=%v", declared), func(t *testing.T) {
			var head bytes.Buffer
			mw := multipart.NewWriter(&head)
			mw.WriteField("csrf", jo.csrf("/upload"))
			if _, err := mw.CreateFormFile("file", "huge.csv"); err != nil {
				t.Fatal(err)
			}
			tail := "\r\n--" + mw.Boundary() + "--\r\n"
			zeros := &countingZeros{}
			body := io.MultiReader(&head, io.LimitReader(zeros, size), strings.NewReader(tail))
			req, err := http.NewRequest(http.MethodPost, jo.base+"/upload", body)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", mw.FormDataContentType())
			if declared {
				req.ContentLength = int64(head.Len()) + size + int64(len(tail))
			}
			resp, err := jo.c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			page, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusRequestEntityTooLarge || !bytes.Contains(page, []byte("larger than the limit of 100 MB")) {
				t.Errorf("%s, want 413 naming the limit of 100 MB\n%s", resp.Status, page)
			}
			if sent := zeros.n.Load(); sent > 150<<20 {
				t.Errorf("the server read %d MB of the 200 MB before refusing it", sent>>20)
			}
			entries, err := os.ReadDir(h.inbox)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				if e.Name() != ".uploading" {
					t.Errorf("inbox holds %s", e.Name())
					continue
				}
				if left, _ := os.ReadDir(filepath.Join(h.inbox, e.Name())); len(left) != 0 {
					t.Errorf("upload folder holds %d files", len(left))
				}
			}
		})
	}
}
