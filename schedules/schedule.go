package schedules

import (
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // zones must load in minimal container images too

	"github.com/robfig/cron/v3"
)

const (
	// DefaultSpec runs the cycle nightly at 02:00.
	DefaultSpec = "0 2 * * *"
	// DefaultZone is the time zone schedules are read in unless told otherwise.
	DefaultZone = "Europe/London"
)

// cronStarBit marks a cron field written as "*" (robfig/cron's starBit).
const cronStarBit = 1 << 63

// maxWallSteps bounds the search for the next wall-clock slot; the longest
// search crosses a repeated autumn hour of a seconds-level schedule.
const maxWallSteps = 1 << 14

var parser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour |
	cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Schedule is a parsed cron schedule in a time zone.
type Schedule struct {
	spec string
	loc  *time.Location
	// zoned evaluates @every and wildcard-hour specs in loc.
	zoned cron.Schedule
	// wall evaluates fixed-hour specs on wall-clock readings (in UTC, which
	// has no daylight saving); nil for other specs.
	wall *cron.SpecSchedule
}

// LoadLocation returns the time zone called name, or the one called
// [DefaultZone] when name is empty.
func LoadLocation(name string) (*time.Location, error) {
	if name == "" {
		name = DefaultZone
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("schedules: time zone %q: %w", name, err)
	}
	return loc, nil
}

// ParseSchedule parses spec in the time zone loc ([DefaultZone] when nil).
// spec is a five-field cron spec ("0 2 * * *"), a six-field one whose
// first field is seconds ("*/5 * * * * *"), or a descriptor ("@daily",
// "@every 30s"). A leading CRON_TZ=Zone or TZ=Zone overrides loc. It
// returns an error naming the spec when it does not parse or never fires.
func ParseSchedule(spec string, loc *time.Location) (*Schedule, error) {
	body, zone, err := splitZone(strings.TrimSpace(spec))
	if err != nil {
		return nil, fmt.Errorf("schedules: schedule %q: %w", spec, err)
	}
	if zone != nil {
		loc = zone
	} else if loc == nil {
		if loc, err = LoadLocation(""); err != nil {
			return nil, err
		}
	}
	s, err := newSchedule(body, loc)
	if err != nil {
		return nil, fmt.Errorf("schedules: schedule %q: %w", spec, err)
	}
	if s.Next(time.Now()).IsZero() {
		return nil, fmt.Errorf("schedules: schedule %q never fires", spec)
	}
	return s, nil
}

// splitZone removes a leading CRON_TZ= or TZ= field from spec and loads
// the zone it names. robfig/cron's own handling panics on some inputs.
func splitZone(spec string) (body string, loc *time.Location, err error) {
	first, rest, _ := strings.Cut(spec, " ")
	name, ok := strings.CutPrefix(first, "CRON_TZ=")
	if !ok {
		name, ok = strings.CutPrefix(first, "TZ=")
	}
	if !ok {
		return spec, nil, nil
	}
	if name == "" {
		return "", nil, fmt.Errorf("empty time zone")
	}
	if loc, err = time.LoadLocation(name); err != nil {
		return "", nil, fmt.Errorf("time zone %q: %w", name, err)
	}
	return strings.TrimSpace(rest), loc, nil
}

func newSchedule(body string, loc *time.Location) (s *Schedule, err error) {
	if body == "" {
		return nil, fmt.Errorf("empty spec")
	}
	defer func() {
		if v := recover(); v != nil {
			s, err = nil, fmt.Errorf("invalid spec: %v", v)
		}
	}()
	parsed, err := parser.Parse(body)
	if err != nil {
		return nil, err
	}
	s = &Schedule{spec: body, loc: loc, zoned: parsed}
	if spec, ok := parsed.(*cron.SpecSchedule); ok {
		zoned, wall := *spec, *spec
		zoned.Location, wall.Location = loc, time.UTC
		s.zoned = &zoned
		if spec.Hour&cronStarBit == 0 {
			s.wall = &wall
		}
	}
	return s, nil
}

// String returns the spec and its zone, as in "0 2 * * * (Europe/London)".
func (s *Schedule) String() string {
	return fmt.Sprintf("%s (%s)", s.spec, s.loc)
}

// Location returns the time zone the schedule is read in.
func (s *Schedule) Location() *time.Location {
	return s.loc
}

// Next returns the first time after t at which the schedule fires, in the
// schedule's zone, or the zero time if it never fires again. For
// fixed-hour specs each wall-clock slot fires once: a slot skipped by the
// spring-forward gap fires at the end of the gap, and a slot in the
// repeated autumn hour fires the first time only.
func (s *Schedule) Next(t time.Time) time.Time {
	if s.wall == nil {
		return s.zoned.Next(t.In(s.loc))
	}
	w := wallClock(t.In(s.loc))
	for range maxWallSteps {
		w = s.wall.Next(w)
		if w.IsZero() {
			return w
		}
		if at := s.firstInstant(w); at.After(t) {
			return at
		}
	}
	return time.Time{}
}

// maxPrevSteps bounds the slots [Schedule.Prev] walks through.
const maxPrevSteps = 100_000

// Prev returns the last time at or before t, and after t-within, at which
// the schedule fires, or the zero time if there is none.
func (s *Schedule) Prev(t time.Time, within time.Duration) time.Time {
	var last time.Time
	at := s.Next(t.Add(-within))
	for n := 0; !at.IsZero() && !at.After(t) && n < maxPrevSteps; n++ {
		last = at
		at = s.Next(at)
	}
	return last
}

// firstInstant returns the earliest instant whose reading in the
// schedule's zone is the wall-clock time w, or, when the spring-forward
// gap skips w, the end of the gap.
func (s *Schedule) firstInstant(w time.Time) time.Time {
	var first time.Time
	before := s.offsetNear(w, -26*time.Hour)
	for _, off := range []time.Duration{before, s.offsetNear(w, 26*time.Hour)} {
		at := w.Add(-off).In(s.loc)
		if wallClock(at).Equal(w) && (first.IsZero() || at.Before(first)) {
			first = at
		}
	}
	if !first.IsZero() {
		return first
	}
	gapEnd, _ := w.Add(-before).In(s.loc).ZoneBounds()
	if gapEnd.IsZero() {
		return w.Add(-before).In(s.loc)
	}
	return gapEnd.In(s.loc)
}

// offsetNear returns the zone's UTC offset at the instant d away from the
// wall-clock time w read as UTC.
func (s *Schedule) offsetNear(w time.Time, d time.Duration) time.Duration {
	_, off := w.Add(d).In(s.loc).Zone()
	return time.Duration(off) * time.Second
}

// wallClock returns t's calendar and clock reading as a UTC time.
func wallClock(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}
