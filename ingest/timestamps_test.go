package ingest

import (
	"testing"
	"time"

	"github.com/surveyworker/surveyworker/ingest/tabular"
)

func TestDateParser(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		in    string
		order DateOrder
		excel bool
		want  string // RFC 3339 UTC, or "" for an error
	}{
		{"7/1/2024 22:05:36", MonthFirst, false, "2024-07-01T21:05:36Z"}, // BST
		{"7/1/2024 22:05:36", DayFirst, false, "2024-01-07T22:05:36Z"},
		{"25/11/2026 10:03:12", DayFirst, false, "2026-11-25T10:03:12Z"},
		{"25/11/2026 10:03:12", MonthFirst, false, ""},
		{"4/15/2026 22:38", MonthFirst, false, "2026-04-15T21:38:00Z"},
		{"2026/09/20 10:00:00 PM", DayFirst, false, "2026-09-20T21:00:00Z"},
		{"2026-09-20 3:00:00 PM GMT+3", DayFirst, false, "2026-09-20T12:00:00Z"},
		{"2017-07-18 08:28:09", DayFirst, false, "2017-07-18T07:28:09Z"},
		{"2018-04-03T09:05:14Z", DayFirst, false, "2018-04-03T09:05:14Z"},
		{"03.11.26 09:15", DayFirst, false, "2026-11-03T09:15:00Z"},
		{"31/02/2026 10:00", DayFirst, false, ""},
		{"13:00 yesterday", DayFirst, false, ""},
		{"46350.4375", DayFirst, true, "2026-11-24T10:30:00Z"},
		{"46350.4375", DayFirst, false, ""},
		{"3 Nov 2026", MonthFirst, false, "2026-11-03T00:00:00Z"},
		{"03-Nov-26 09:15", DayFirst, false, "2026-11-03T09:15:00Z"},
		{"3 November 2026 09:15:02", DayFirst, false, "2026-11-03T09:15:02Z"},
		{"Nov 3, 2026 9:15 AM", DayFirst, false, "2026-11-03T09:15:00Z"},
		{"Sept 30 2026 10:00", DayFirst, false, "2026-09-30T09:00:00Z"}, // BST
		{"31 Feb 2026", DayFirst, false, ""},
		{"3 Nob 2026", DayFirst, false, ""},
		{"3 Ma 2026", DayFirst, false, ""},
	}
	for _, tt := range tests {
		p := &dateParser{order: tt.order, loc: london, excel: tt.excel}
		got, err := p.parse(tt.in)
		switch {
		case tt.want == "" && err == nil:
			t.Errorf("parse(%q, %v) = %v, want an error", tt.in, tt.order, got)
		case tt.want != "" && err != nil:
			t.Errorf("parse(%q, %v): %v", tt.in, tt.order, err)
		case tt.want != "" && got.Format(time.RFC3339) != tt.want:
			t.Errorf("parse(%q, %v) = %s, want %s", tt.in, tt.order, got.Format(time.RFC3339), tt.want)
		}
	}
}

func TestDecideOrder(t *testing.T) {
	rows := func(dates ...string) []tabular.Row {
		var out []tabular.Row
		for i, d := range dates {
			out = append(out, tabular.Row{Num: i + 2, Cells: []string{d}})
		}
		return out
	}
	tests := []struct {
		name  string
		opt   DateOrder
		dates []string
		want  DateOrder
		warn  string
	}{
		{"day above 12", DateOrderAuto, []string{"03/11/2026 10:00", "14/11/2026 10:00"}, DayFirst, ""},
		{"month-first evidence", DateOrderAuto, []string{"7/1/2024 10:00", "7/13/2024 10:00"}, MonthFirst, ""},
		{"undecided", DateOrderAuto, []string{"7/1/2024 10:00", "7/8/2024 10:00"}, DayFirst, "date_order_assumed"},
		{"conflict", DateOrderAuto, []string{"13/1/2024 10:00", "1/13/2024 10:00"}, DayFirst, "date_order_conflict"},
		{"ISO says nothing", DateOrderAuto, []string{"2024-07-01 10:00:00"}, DayFirst, ""},
		{"configured", MonthFirst, []string{"13/1/2024 10:00"}, MonthFirst, ""},
	}
	for _, tt := range tests {
		got, w := decideOrder(tt.opt, rows(tt.dates...), []int{0})
		code := ""
		if w != nil {
			code = w.Code
		}
		if got != tt.want || code != tt.warn {
			t.Errorf("%s: got %v, %q; want %v, %q", tt.name, got, code, tt.want, tt.warn)
		}
	}
}
