package ingest

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// DateOrder says how to read a numeric date such as 03/04/2026 whose day
// and month could be either way round.
type DateOrder int

const (
	// DateOrderAuto decides per file from the dates read ahead: a first
	// number above 12 means day first, a second number above 12 means month
	// first. When the file does not tell, dates are read day first (the UK
	// order) and the file gets a "date_order_assumed" warning.
	DateOrderAuto DateOrder = iota
	// DayFirst reads 03/04/2026 as 3 April 2026 (UK sheets).
	DayFirst
	// MonthFirst reads 03/04/2026 as 4 March 2026 (US sheets, Microsoft
	// Forms dates re-saved as CSV).
	MonthFirst
)

// String returns "auto", "day-first" or "month-first".
func (o DateOrder) String() string {
	switch o {
	case DayFirst:
		return "day-first"
	case MonthFirst:
		return "month-first"
	}
	return "auto"
}

// ParseDateOrder parses the names [DateOrder.String] returns.
func ParseDateOrder(s string) (DateOrder, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "auto":
		return DateOrderAuto, nil
	case "day-first", "dmy", "uk":
		return DayFirst, nil
	case "month-first", "mdy", "us":
		return MonthFirst, nil
	}
	return DateOrderAuto, fmt.Errorf("unknown date order %q (want auto, day-first or month-first)", s)
}

// dateParser reads timestamps in the formats survey platforms write.
type dateParser struct {
	order    DateOrder // DayFirst or MonthFirst once decided
	loc      *time.Location
	excel    bool // serial numbers are Excel dates
	date1904 bool
}

// datePattern matches a date with numbers separated by / . or -, an
// optional time with optional seconds and AM/PM, and an optional zone.
var datePattern = regexp.MustCompile(`^(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})` + timeSuffix)

// timeSuffix is the optional time and zone after a date, as six groups:
// hour, minute, second, fraction, AM/PM and zone.
const timeSuffix = `(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*([AaPp]\.?[Mm]\.?)?)?` +
	`\s*(Z|UTC|GMT(?:[+-]\d{1,2}(?::?\d{2})?)?|[+-]\d{2}:?\d{2})?$`

// monthNamePattern matches a date whose month is a name, day first ("3 Nov
// 2026", "03-Nov-26") or month first ("Nov 3, 2026"), with the optional
// time and zone of [datePattern]. Its order is unambiguous.
var monthNamePattern = regexp.MustCompile(`^(?:(\d{1,2})[ \-]([A-Za-z]{3,9})\.?[ \-](\d{4}|\d{2})` +
	`|([A-Za-z]{3,9})\.? (\d{1,2}),? (\d{4}))` + timeSuffix)

// monthNames are the months, to read a month name or its abbreviation.
var monthNames = []string{"january", "february", "march", "april", "may", "june", "july",
	"august", "september", "october", "november", "december"}

// monthNumber returns the month a name or an abbreviation of three or more
// letters names ("Nov", "Sept", "November"), or 0.
func monthNumber(name string) int {
	name = strings.ToLower(name)
	for i, m := range monthNames {
		if len(name) >= 3 && strings.HasPrefix(m, name) {
			return i + 1
		}
	}
	return 0
}

// parse returns s as a UTC time. Times without a zone are in p.loc.
func (p *dateParser) parse(s string) (time.Time, error) {
	return p.parseIn(s, p.loc)
}

// parseIn returns s as a UTC time, reading times without a zone (and Excel
// serial dates) in loc: p.loc, or UTC for a column whose header says its
// times are UTC ("Submit Date (UTC)").
func (p *dateParser) parseIn(s string, loc *time.Location) (time.Time, error) {
	if p.excel {
		if v, err := strconv.ParseFloat(s, 64); err == nil {
			return p.serial(v, loc)
		}
	}
	var y, mo, d int
	var err error
	m := datePattern.FindStringSubmatch(s)
	switch {
	case m != nil:
		if y, mo, d, err = p.ymd(m[1], m[2], m[3]); err != nil {
			return time.Time{}, fmt.Errorf("%q: %w", s, err)
		}
		m = m[3:]
	default:
		if m = monthNamePattern.FindStringSubmatch(s); m == nil {
			return time.Time{}, fmt.Errorf("%q is not a date and time", s)
		}
		if y, mo, d = namedYMD(m[1:7]); mo == 0 {
			return time.Time{}, fmt.Errorf("%q: no month is named", s)
		}
		m = m[6:]
	}
	// m[1:7] are now the groups of timeSuffix.
	h, mi, sec, ns, err := clock(m[1], m[2], m[3], m[4], m[5])
	if err != nil {
		return time.Time{}, fmt.Errorf("%q: %w", s, err)
	}
	z, err := zone(m[6], loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q: %w", s, err)
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, ns, z)
	if t.Day() != d || int(t.Month()) != mo {
		return time.Time{}, fmt.Errorf("%q is not a calendar date", s)
	}
	return t.UTC(), nil
}

// serial converts an Excel serial date, a wall-clock time in loc.
func (p *dateParser) serial(v float64, loc *time.Location) (time.Time, error) {
	if v <= 0 || v > 2958465 {
		return time.Time{}, fmt.Errorf("%v is not an Excel date", v)
	}
	w, err := excelize.ExcelDateToTime(v, p.date1904)
	if err != nil {
		return time.Time{}, err
	}
	w = w.Round(time.Second)
	return time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), 0, loc).UTC(), nil
}

// ymd orders the three numbers of a date: year first when the first has
// four digits, otherwise day and month in p.order, then the year.
func (p *dateParser) ymd(a, b, c string) (y, m, d int, err error) {
	n1, _ := strconv.Atoi(a)
	n2, _ := strconv.Atoi(b)
	n3, _ := strconv.Atoi(c)
	switch {
	case len(a) == 4:
		y, m, d = n1, n2, n3
	case len(c) != 4 && len(c) != 2:
		return 0, 0, 0, fmt.Errorf("no year")
	case p.order == MonthFirst:
		y, m, d = n3, n1, n2
	default:
		y, m, d = n3, n2, n1
	}
	if len(c) == 2 && len(a) != 4 {
		y += 2000
	}
	if m < 1 || m > 12 {
		return 0, 0, 0, fmt.Errorf("month %d is out of range (dates read %s)", m, p.order)
	}
	return y, m, d, nil
}

// namedYMD returns the date of the six date groups of [monthNamePattern]:
// day, month and year, or month, day and year. A two-digit year is in
// this century. The month is 0 when its name is not one.
func namedYMD(g []string) (y, m, d int) {
	day, month, year := g[0], g[1], g[2]
	if month == "" {
		month, day, year = g[3], g[4], g[5]
	}
	d, _ = strconv.Atoi(day)
	y, _ = strconv.Atoi(year)
	if len(year) == 2 {
		y += 2000
	}
	return y, monthNumber(month), d
}

// clock parses the time of day; all parts may be empty (midnight).
func clock(h, mi, s, frac, ampm string) (hour, minute, sec, ns int, err error) {
	hour, _ = strconv.Atoi(h)
	minute, _ = strconv.Atoi(mi)
	sec, _ = strconv.Atoi(s)
	if frac != "" {
		ns, _ = strconv.Atoi((frac + "000000000")[:9])
	}
	switch strings.ToLower(strings.ReplaceAll(ampm, ".", "")) {
	case "am":
		if hour < 1 || hour > 12 {
			return 0, 0, 0, 0, fmt.Errorf("hour %d with AM", hour)
		}
		hour %= 12
	case "pm":
		if hour < 1 || hour > 12 {
			return 0, 0, 0, 0, fmt.Errorf("hour %d with PM", hour)
		}
		hour = hour%12 + 12
	}
	if hour > 23 || minute > 59 || sec > 60 {
		return 0, 0, 0, 0, fmt.Errorf("time %02d:%02d:%02d is out of range", hour, minute, sec)
	}
	return hour, minute, sec, ns, nil
}

// zone returns the location named by a zone suffix, or def when empty.
func zone(z string, def *time.Location) (*time.Location, error) {
	switch {
	case z == "":
		return def, nil
	case z == "Z" || z == "UTC" || z == "GMT":
		return time.UTC, nil
	}
	off := strings.TrimPrefix(z, "GMT")
	sign := 1
	if off[0] == '-' {
		sign = -1
	}
	off = strings.ReplaceAll(off[1:], ":", "")
	h, m := off, "0"
	if len(off) > 2 {
		h, m = off[:len(off)-2], off[len(off)-2:]
	}
	hh, _ := strconv.Atoi(h)
	mm, _ := strconv.Atoi(m)
	if hh > 14 || mm > 59 {
		return nil, fmt.Errorf("zone %s is out of range", z)
	}
	return time.FixedZone(z, sign*(hh*3600+mm*60)), nil
}

// dateEvidence tallies what the dates read ahead say about the order of
// day and month.
type dateEvidence struct {
	dayFirst, monthFirst, ambiguous int
}

// observe records one date's evidence. Dates that start with a four-digit
// year and Excel serial numbers say nothing.
func (e *dateEvidence) observe(s string) {
	m := datePattern.FindStringSubmatch(s)
	if m == nil || len(m[1]) == 4 {
		return
	}
	a, _ := strconv.Atoi(m[1])
	b, _ := strconv.Atoi(m[2])
	switch {
	case a > 12 && b <= 12:
		e.dayFirst++
	case b > 12 && a <= 12:
		e.monthFirst++
	case a != b:
		e.ambiguous++
	}
}
