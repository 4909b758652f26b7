package schedules

import (
	"strings"
	"testing"
	"time"
)

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestParseScheduleErrors(t *testing.T) {
	tests := []struct {
		spec, wantErr string
	}{
		{"", "empty spec"},
		{"   ", "empty spec"},
		{"61 * * * *", "above maximum"},
		{"* * *", "expected 5 to 6 fields"},
		{"* * * * * * *", "expected 5 to 6 fields"},
		{"@reboot", "unrecognized descriptor"},
		{"@every soon", "failed to parse duration"},
		{"0 0 30 2 *", "never fires"},
		{"TZ=", "empty time zone"},
		{"TZ=0", "time zone \"0\""},
		{"CRON_TZ=Nowhere/City 0 2 * * *", "time zone \"Nowhere/City\""},
		{"CRON_TZ=UTC", "empty spec"},
		{"CRON_TZ=UTC @every nope", "failed to parse duration"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			_, err := ParseSchedule(tt.spec, time.UTC)
			if err == nil {
				t.Fatalf("ParseSchedule(%q): got nil error, want %q", tt.spec, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseSchedule(%q): got %q, want it to contain %q", tt.spec, err, tt.wantErr)
			}
		})
	}
}

func TestLoadLocation(t *testing.T) {
	loc, err := LoadLocation("")
	if err != nil || loc.String() != DefaultZone {
		t.Errorf("LoadLocation(\"\"): got %v, %v; want %s", loc, err, DefaultZone)
	}
	if _, err := LoadLocation("Mars/Olympus"); err == nil {
		t.Error("LoadLocation(Mars/Olympus): got nil error")
	}
}

func TestNext(t *testing.T) {
	london := mustZone(t, "Europe/London")
	ny := mustZone(t, "America/New_York")
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name  string
		spec  string
		loc   *time.Location
		after string
		want  []string // successive firings, in UTC
	}{
		{"default in summer", DefaultSpec, nil, "2026-06-01T10:00:00Z",
			[]string{"2026-06-02T01:00:00Z", "2026-06-03T01:00:00Z"}},
		{"default in winter", DefaultSpec, london, "2026-01-05T03:00:00Z",
			[]string{"2026-01-06T02:00:00Z"}},
		{"seconds field", "*/5 * * * * *", london, "2026-06-01T10:00:03Z",
			[]string{"2026-06-01T10:00:05Z", "2026-06-01T10:00:10Z"}},
		{"six fields fixed", "30 0 2 * * *", london, "2026-01-05T03:00:00Z",
			[]string{"2026-01-06T02:00:30Z"}},
		{"daily descriptor", "@daily", london, "2026-06-01T10:00:00Z",
			[]string{"2026-06-01T23:00:00Z"}},
		{"every descriptor", "@every 30s", london, "2026-06-01T10:00:00Z",
			[]string{"2026-06-01T10:00:30Z", "2026-06-01T10:01:00Z"}},
		{"zone prefix overrides", "CRON_TZ=America/New_York 0 9 * * *", london, "2026-06-01T00:00:00Z",
			[]string{"2026-06-01T13:00:00Z"}},
		{"TZ prefix with descriptor", "TZ=America/New_York @daily", london, "2026-06-01T00:00:00Z",
			[]string{"2026-06-01T04:00:00Z"}},
		{"default on spring-forward day", DefaultSpec, london, "2026-03-28T12:00:00Z",
			[]string{"2026-03-29T01:00:00Z", "2026-03-30T01:00:00Z"}},
		// 01:30 does not exist in London on 2026-03-29: the slot runs when the
		// clocks reach 02:00 BST (01:00 UTC), then the next day at 01:30 BST.
		{"slot in spring gap runs at gap end", "30 1 * * *", london, "2026-03-28T12:00:00Z",
			[]string{"2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"}},
		{"several slots in spring gap run once", "*/15 1 * * *", london, "2026-03-29T00:50:00Z",
			[]string{"2026-03-29T01:00:00Z", "2026-03-30T00:00:00Z"}},
		{"slot in autumn repeat runs once", "30 1 * * *", london, "2026-10-24T12:00:00Z",
			[]string{"2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"}},
		{"second pass of autumn repeat is passed over", "30 1 * * *", london, "2026-10-25T01:10:00Z",
			[]string{"2026-10-26T01:30:00Z"}},
		{"default on fall-back day", DefaultSpec, london, "2026-10-24T12:00:00Z",
			[]string{"2026-10-25T02:00:00Z"}},
		{"hourly keeps real hours in autumn", "0 * * * *", london, "2026-10-24T23:30:00Z",
			[]string{"2026-10-25T00:00:00Z", "2026-10-25T01:00:00Z", "2026-10-25T02:00:00Z"}},
		{"New York spring gap", "30 2 * * *", ny, "2026-03-08T05:00:00Z",
			[]string{"2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseSchedule(tt.spec, tt.loc)
			if err != nil {
				t.Fatal(err)
			}
			at := utc(tt.after)
			for i, w := range tt.want {
				got := s.Next(at)
				if !got.Equal(utc(w)) {
					t.Fatalf("firing %d after %s: got %s, want %s", i+1, at.UTC(), got.UTC(), w)
				}
				at = got
			}
		})
	}
}

func TestScheduleString(t *testing.T) {
	s, err := ParseSchedule("CRON_TZ=UTC 0 2 * * *", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.String(), "0 2 * * * (UTC)"; got != want {
		t.Errorf("String: got %q, want %q", got, want)
	}
	if got := s.Next(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)).Location(); got != s.Location() {
		t.Errorf("Next location: got %v, want %v", got, s.Location())
	}
}
