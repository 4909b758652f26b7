package web

import (
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"
)

// userSource is the users file, read again whenever it changes, so that
// users added or changed with 'surveyworker users add' take effect
// without a restart.
type userSource struct {
	path   string
	logger *slog.Logger

	mu      sync.Mutex
	size    int64
	mtime   time.Time
	users   []User
	lastErr string // the last error logged, so it is logged once
}

// loadUserSource reads the users file at path; an error reading it is
// returned, so that a server does not start with no users by mistake.
func loadUserSource(path string, logger *slog.Logger) (*userSource, error) {
	s := &userSource{path: path, logger: logger}
	if err := s.reload(); err != nil {
		return nil, err
	}
	return s, nil
}

// reload reads the file when its size or modification time changed.
func (s *userSource) reload() error {
	fi, err := os.Stat(s.path)
	if err != nil {
		return fmt.Errorf("users file: %w", err)
	}
	if fi.Size() == s.size && fi.ModTime().Equal(s.mtime) && s.users != nil {
		return nil
	}
	f, err := os.Open(s.path)
	if err != nil {
		return fmt.Errorf("users file: %w", err)
	}
	defer f.Close()
	users, err := ReadUsers(f)
	if err != nil {
		return fmt.Errorf("%s: %w", s.path, err)
	}
	s.size, s.mtime, s.users = fi.Size(), fi.ModTime(), append(users[:0:0], users...)
	if s.users == nil {
		s.users = []User{}
	}
	return nil
}

// find returns the user whose name or e-mail address is login, in any
// case. A users file that changed but no longer reads is logged and the
// users read before are kept.
func (s *userSource) find(login string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.reload(); err != nil && err.Error() != s.lastErr {
		s.lastErr = err.Error()
		s.logger.Error("users file not read again; keeping the users read before", slog.String("error", err.Error()))
	} else if err == nil {
		s.lastErr = ""
	}
	for _, u := range s.users {
		if strings.EqualFold(u.Name, login) || strings.EqualFold(u.Email, login) {
			return u, true
		}
	}
	return User{}, false
}
