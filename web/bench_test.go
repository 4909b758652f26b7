package web

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/surveyworker/surveyworker/internal/memwatch"
)

// BenchmarkRankingPage renders the Ranking page of a stored ranking of 21
// workstreams with 50 federations, through the whole handler: session,
// the store's queries and the template. The target is under 50 ms.
func BenchmarkRankingPage(b *testing.B) {
	s := newSite(b, nil)
	r := makeRanking(21, 50, s.clock.Now())
	if _, err := s.st.SaveRanking(context.Background(), r); err != nil {
		b.Fatal(err)
	}
	cookie := sessionCookieOf(b, s.browser().tryLogin("vic", testPassword))
	h := s.srv.Handler()
	size := 0
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, "/ranking", nil)
		req.AddCookie(cookie)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `id="federations"`) {
			b.Fatalf("GET /ranking: %d", rec.Code)
		}
		size = rec.Body.Len()
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/page")
	b.ReportMetric(float64(size)/1024, "page-KB")
}

// exportOf returns a reader of a Google Forms export of about size bytes:
// the demo's header and its rows, repeated.
func exportOf(b *testing.B, size int64) (io.Reader, int64) {
	data, err := os.ReadFile(filepath.Join("../examples/inbox", googleForms))
	if err != nil {
		b.Fatal(err)
	}
	// The demo's rows end at the first line break outside quotes; its
	// rows hold none, so lines are rows.
	head, rows, _ := bytes.Cut(data, []byte("\n"))
	var buf bytes.Buffer
	buf.Write(head)
	buf.WriteByte('\n')
	for buf.Len() < 1<<20 {
		buf.Write(rows)
	}
	block := buf.Bytes()[len(head)+1:]
	n := (size - int64(len(head)) - 1) / int64(len(block))
	total := int64(len(head)) + 1 + n*int64(len(block))
	parts := []io.Reader{strings.NewReader(string(head) + "\n")}
	for range n {
		parts = append(parts, bytes.NewReader(block))
	}
	return io.MultiReader(parts...), total
}

// BenchmarkUpload100MB uploads a 100 MB Google Forms export over HTTP,
// streamed from a generator, and reports how far the process's resident
// memory rose above where it started while the server received,
// hashed, wrote and inspected it (the client's side is in the same
// process, so the figure bounds the server's). The target is under 20 MB.
func BenchmarkUpload100MB(b *testing.B) {
	s := newSite(b, nil)
	una := s.as("una")
	var growth, heap float64
	var size int64
	for b.Loop() {
		body, n := exportOf(b, DefaultUploadLimit-64<<10)
		size = n
		mem := memwatch.Start()
		before := memwatch.RSS()
		r := una.upload(file{name: "big.csv", body: body})
		h, rss := mem.Stop()
		if r.code != http.StatusSeeOther {
			b.Fatalf("upload: %d\n%s", r.code, r.body)
		}
		growth, heap = max(growth, rss-before), max(heap, h)
		for _, name := range s.inboxNames() {
			if name != uploadingDir {
				os.Remove(filepath.Join(s.inbox, name))
			}
		}
	}
	b.ReportMetric(growth, "rss-growth-MB")
	b.ReportMetric(heap, "peak-heap-MB")
	b.ReportMetric(float64(size)/(1<<20)/(b.Elapsed().Seconds()/float64(b.N)), "MB/s")
}
