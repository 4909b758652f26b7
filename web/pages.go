package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"math"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/surveyworker/surveyworker/internal/words"
	"github.com/surveyworker/surveyworker/survey"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// staticVersion changes whenever a static file does; it is added to their
// addresses so that browsers may cache them for long.
var staticVersion = func() string {
	h := sha256.New()
	fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := staticFS.ReadFile(p)
			h.Write([]byte(p))
			h.Write(b)
		}
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:12]
}()

// staticHandler serves the embedded stylesheet and script.
func staticHandler() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	files := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		files.ServeHTTP(w, r)
	})
}

// pages holds each page's template, parsed with the layout.
type pages struct {
	byName map[string]*template.Template
}

// pageData is what every page's template gets.
type pageData struct {
	// Title is the page's heading and the start of its <title>.
	Title string
	// Active is the navigation item to mark as current.
	Active string
	// Visit is the signed-in user, nil on the sign-in page.
	Visit *visit
	// Data is the page's own data.
	Data any
}

// loadPages parses every page template with the layout and the
// partials the pages share; times are shown in loc.
func loadPages(loc *time.Location) (*pages, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{byName: map[string]*template.Template{}}
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.html" || base == "partials.html" {
			continue
		}
		t, err := template.New("layout.html").Funcs(templateFuncs(loc)).
			ParseFS(templateFS, "templates/layout.html", "templates/partials.html", n)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", base, err)
		}
		p.byName[strings.TrimSuffix(base, ".html")] = t
	}
	return p, nil
}

// render writes the page name with status. The page is written to a
// buffer first, so a template error becomes a clean failure.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, d pageData) {
	t, ok := s.pages.byName[name]
	if !ok {
		s.internal(w, r, d.Visit, fmt.Errorf("no page template %q", name))
		return
	}
	var b bytes.Buffer
	if err := t.Execute(&b, d); err != nil {
		if name == "problem" {
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		s.internal(w, r, d.Visit, fmt.Errorf("page %s: %w", name, err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

// problemData is the data of the problem page.
type problemData struct {
	Message string
}

// problem shows a page that explains, in a sentence, why the request
// was not done.
func (s *Server) problem(w http.ResponseWriter, r *http.Request, v *visit, status int, title, message string) {
	s.render(w, r, status, "problem", pageData{Title: title, Visit: v, Data: problemData{Message: message}})
}

// templateFuncs are the functions the templates use.
func templateFuncs(loc *time.Location) template.FuncMap {
	return template.FuncMap{
		"static": func(name string) string { return "/static/" + name + "?v=" + staticVersion },
		"when": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(loc).Format("2 Jan 2006 15:04")
		},
		"iso":       func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"pct":       func(f float64) string { return fmt.Sprintf("%.0f%%", 100*f) },
		"score":     func(f float64) string { return fmt.Sprintf("%.2f", f) },
		"tierClass": tierClass,
		"heat": func(f float64) string {
			return "heat-" + strconv.Itoa(min(9, max(0, int(math.Floor(f*10)))))
		},
		"move":  movement,
		"size":  humanSize,
		"join":  func(s []string) string { return strings.Join(s, ", ") },
		"count": func(n int, noun string) string { return words.Count(n, noun, "") },
		"add":   func(a, b int) int { return a + b },
		"took":  took,
	}
}

// took is how long a job run took: "running" while it runs, tenths of a
// second under a minute, whole seconds beyond.
func took(start time.Time, end *time.Time) string {
	if end == nil {
		return "running"
	}
	switch d := end.Sub(start); {
	case d < 100*time.Millisecond:
		return "under 0.1 s"
	case d < time.Minute:
		return fmt.Sprintf("%.1f s", d.Seconds())
	default:
		return d.Round(time.Second).String()
	}
}

// tierClass is the CSS class of a tier's colour.
func tierClass(t survey.Tier) string {
	switch t {
	case survey.TierVeryHigh:
		return "tier-very-high"
	case survey.TierMandated:
		return "tier-mandated"
	case survey.TierHigh:
		return "tier-high"
	case survey.TierMedium:
		return "tier-medium"
	}
	return "tier-low"
}

// movement describes a rank change: "▲ 2", "▼ 1", "no change", or "new"
// when there is nothing to compare with.
func movement(change *int) string {
	switch {
	case change == nil:
		return "new"
	case *change > 0:
		return fmt.Sprintf("▲ %d", *change)
	case *change < 0:
		return fmt.Sprintf("▼ %d", -*change)
	}
	return "no change"
}

// humanSize writes a size in bytes as people read it: "512 bytes",
// "1.5 MB", "100 MB".
func humanSize(n int64) string {
	if n < 1<<10 {
		return words.Count(int(n), "byte", "")
	}
	unit, div := "GB", float64(1<<30)
	switch {
	case n < 1<<20:
		unit, div = "KB", 1<<10
	case n < 1<<30:
		unit, div = "MB", 1<<20
	}
	v := float64(n) / div
	if v == math.Trunc(v) || v >= 100 {
		return fmt.Sprintf("%.0f %s", v, unit)
	}
	return fmt.Sprintf("%.1f %s", v, unit)
}
