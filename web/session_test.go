package web

import (
	"strings"
	"testing"
	"time"
)

// TestAlteredSessionCookie checks that a session cookie changed in any
// way, or signed with another key, is refused.
func TestAlteredSessionCookie(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ss := newSessions([]byte(strings.Repeat("k", 32)), time.Hour, func() time.Time { return now })
	value := ss.issue(User{Name: "jo", PasswordHash: "h"})
	if _, err := ss.verify(value); err != nil {
		t.Fatalf("verify(issue()): %v", err)
	}
	other := newSessions([]byte(strings.Repeat("x", 32)), time.Hour, func() time.Time { return now })
	payload, sig, _ := strings.Cut(value, ".")
	for name, v := range map[string]string{
		"other key":       other.issue(User{Name: "jo", PasswordHash: "h"}),
		"payload changed": payload + "x." + sig,
		"no signature":    payload,
		"empty":           "",
	} {
		if _, err := ss.verify(v); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
