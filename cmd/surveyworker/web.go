package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/surveyworker/surveyworker/ingest"
	"github.com/surveyworker/surveyworker/web"
)

// ByteSize is a size in bytes, written with a unit: 100MB, 512KB, 1GB
// (units of 1024), or a plain number of bytes.
type ByteSize int64

// Byte size units.
const (
	KB ByteSize = 1 << 10
	MB ByteSize = 1 << 20
	GB ByteSize = 1 << 30
)

// String writes the size in the largest unit that divides it exactly.
func (b ByteSize) String() string {
	for _, u := range []struct {
		size ByteSize
		name string
	}{{GB, "GB"}, {MB, "MB"}, {KB, "KB"}} {
		if b != 0 && b%u.size == 0 {
			return strconv.FormatInt(int64(b/u.size), 10) + u.name
		}
	}
	return strconv.FormatInt(int64(b), 10)
}

// UnmarshalText reads a size such as 100MB, 100 mb, 1GB or 4096.
func (b *ByteSize) UnmarshalText(text []byte) error {
	s := strings.ToUpper(strings.TrimSpace(string(text)))
	unit := ByteSize(1)
	for _, u := range []struct {
		suffix string
		size   ByteSize
	}{{"GB", GB}, {"MB", MB}, {"KB", KB}, {"B", 1}} {
		if rest, ok := strings.CutSuffix(s, u.suffix); ok {
			s, unit = strings.TrimSpace(rest), u.size
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > int64(1<<62)/int64(unit) {
		return errors.New("want a size such as 100MB, 512KB or 1GB")
	}
	*b = ByteSize(n) * unit
	return nil
}

// Set sets the size from a flag's value.
func (b *ByteSize) Set(s string) error { return b.UnmarshalText([]byte(s)) }

// webFlags registers the flags of the web interface on serve.
func webFlags(fs *flag.FlagSet, a *app) {
	fs.StringVar(&a.cfg.Users, "users", a.cfg.Users, "users `file` of the web interface on --http; none turns it off (SURVEYWORKER_USERS)")
	fs.Var(&a.cfg.UploadLimit, "upload-limit", "largest web upload, e.g. 100MB (SURVEYWORKER_UPLOAD_LIMIT)")
}

// checkWeb checks, before anything starts, what the web interface needs:
// an HTTP address to be served on and a users file that reads.
func (a *app) checkWeb() error {
	if a.cfg.Users == "" {
		return nil
	}
	if a.cfg.HTTP == "" {
		return usageError{"the web interface (--users) is served on --http: give an address such as 127.0.0.1:8080"}
	}
	f, err := os.Open(a.cfg.Users)
	if err == nil {
		_, err = web.ReadUsers(f)
		f.Close()
	}
	if err != nil {
		return a.configError(&FieldError{Key: "users", Value: a.cfg.Users, Err: err})
	}
	return nil
}

// mountWeb serves the web interface on mux at "/" when a users file is
// configured; next gives the schedule's next times. Without a users file
// it does nothing: serve is then what it was before the web interface.
func (a *app) mountWeb(mux *http.ServeMux, next func(time.Time) time.Time) error {
	if a.cfg.Users == "" {
		return nil
	}
	key, err := a.sessionKey()
	if err != nil {
		return err
	}
	opts, err := a.ingestOptions(a.cat, readFlags{})
	if err != nil {
		return err
	}
	opts.HMACKey = []byte("inspect") // inspecting stores nothing: the key only has to exist
	w, err := web.New(web.Config{Store: a.st, UsersFile: a.cfg.Users, SessionKey: key, InboxDir: a.cfg.Inbox,
		OutDir: a.cfg.Out, Inspector: ingest.New(nil, opts), UploadLimit: int64(a.cfg.UploadLimit),
		Next: next, Location: a.cfg.Location(), Logger: a.log.With(slog.String("component", "web"))})
	if err != nil {
		return err
	}
	mux.Handle("/", w.Handler())
	if !loopback(a.cfg.HTTP) {
		a.log.Warn("web interface served over plain HTTP on an address other machines can reach; "+
			"put a TLS-terminating proxy in front of it (cookies are marked Secure when it sends X-Forwarded-Proto: https)",
			slog.String("addr", a.cfg.HTTP))
	}
	a.log.Info("web interface on", slog.String("addr", a.cfg.HTTP), slog.String("users", a.cfg.Users),
		slog.String("upload_limit", a.cfg.UploadLimit.String()))
	return nil
}

// loopback reports whether the listen address addr only takes
// connections from this machine.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil || host == "" {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// sessionKey returns the configured session key, or a random one
// generated once and kept (mode 0600) in the data directory, so that
// sessions outlive a restart.
func (a *app) sessionKey() ([]byte, error) {
	if a.cfg.SessionKey != "" {
		return []byte(a.cfg.SessionKey), nil
	}
	path := filepath.Join(a.cfg.DataDir, "session.key")
	if b, err := os.ReadFile(path); err == nil && len(b) >= web.MinSessionKey {
		return b, nil
	}
	if err := os.MkdirAll(a.cfg.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("session key: %w", err)
	}
	raw := make([]byte, 32)
	rand.Read(raw) // never fails (crypto/rand)
	key := []byte(hex.EncodeToString(raw))
	if err := os.WriteFile(path, key, 0o600); err != nil {
		return nil, fmt.Errorf("session key: %w", err)
	}
	a.log.Info("SURVEYWORKER_SESSION_KEY not set; generated a session key", slog.String("path", path))
	return key, nil
}
