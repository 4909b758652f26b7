package ingest

import (
	"encoding/csv"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"surveyworker/store"
	"surveyworker/survey"
)

func TestDetectMultiRowShapes(t *testing.T) {
	tags := []string{"StartDate", "EndDate", "Status", "IPAddress", "ResponseId", "Q1"}
	texts := []string{"Anfangsdatum", "Enddatum", "Antworttyp", "IP-Adresse", "Antwort-ID", "Frage"}
	ids := []string{`{"ImportId":"startDate"}`, `{"ImportId":"endDate"}`, `{"ImportId":"status"}`,
		`{"ImportId":"ipAddress"}`, `{"ImportId":"_recordId"}`, `{"ImportId":"QID1"}`}
	data := []string{"2026-11-03 09:12:40", "2026-11-03 09:15:02", "0", "", "R_1", "2"}
	tests := []struct {
		name       string
		top        [][]string
		platform   string
		headerRows int
	}{
		{"surveymonkey", [][]string{{"Respondent ID", "Collector ID", "Start Date"}, {"", "", ""}},
			"surveymonkey", 2},
		{"surveymonkey 2017 spelling", [][]string{{"RespondentID", "CollectorID"}, {"\x00", "\x00"}},
			"surveymonkey", 2},
		{"surveymonkey needs its second row", [][]string{{"RespondentID", "CollectorID"}}, "", 0},
		{"qualtrics, three rows", [][]string{tags, texts, ids, data}, "qualtrics", 3},
		{"qualtrics, no ImportId row", [][]string{tags, texts, data}, "qualtrics", 2},
		{"qualtrics legacy", [][]string{{"V1", "V2", "Q1"}, {"ResponseID", "ResponseSet", "Question"}},
			"qualtrics", 2},
		{"V1 without ResponseID", [][]string{{"V1", "V2"}, {"a", "b"}}, "", 0},
	}
	for _, tt := range tests {
		d, ok := detectShape(tt.top)
		got := ""
		if ok {
			got = d.shape.platform
		}
		if got != tt.platform || d.headerRows != tt.headerRows {
			t.Errorf("%s: got %q with %d header rows, want %q with %d", tt.name, got, d.headerRows, tt.platform, tt.headerRows)
		}
	}
}

func TestSurveyMonkeyHeaders(t *testing.T) {
	rows := [][]string{
		{"RespondentID", "Email Address", "Priority?", "", "", "Comments", ""},
		{"\x00", "\x00", "Cyber<br />Security", "Patient&nbsp;WiFi", "Other (please specify)", "Open-Ended Response", "Response"},
	}
	want := []string{"RespondentID", "Email Address", "Priority? [Cyber Security]", "Priority? [Patient WiFi]",
		"Priority? [Other (please specify)]", "Comments", "Comments"}
	if diff := cmp.Diff(want, surveyMonkeyHeaders(rows)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestQualtricsHeaders(t *testing.T) {
	tests := []struct {
		name string
		rows [][]string
		want []string
	}{
		{"current: metadata by tag, questions by text",
			[][]string{{"StartDate", "RecipientEmail", "Q5_1", "Q6"}, {"Anfangsdatum", "E-Mail", "Priorität - Telephony", ""}},
			[]string{"StartDate", "RecipientEmail", "Priorität - Telephony", "Q6"}},
		{"legacy: everything from the second row",
			[][]string{{"V1", "V8", "Q1", ""}, {"ResponseID", "StartDate", "Which practice?", ""}},
			[]string{"ResponseID", "StartDate", "Which practice?", ""}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, qualtricsHeaders(tt.rows)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestReversedScale(t *testing.T) {
	tests := []struct {
		header string
		want   bool
	}{
		{"Priority (1 = highest priority, 5 = not a priority) - Telephony", true},
		{"Rate each, where 1 is the most important [Cyber Security]", true},
		{"Priority, 5 being the lowest", true},
		{"Priority (1 = lowest, 5 = highest) - Telephony", false},
		{"How high a priority is each IT workstream? - Telephony", false},
		{"Priority (10 = highest) - Telephony", false},
		{"Rate each (1 = highest, 10 = lowest) [Wifi]", true},
		{"Rate each (0 = highest priority) [Wifi]", true},
		{"Rate each (1 = lowest, 10 = highest) [Wifi]", false},
		{"On a scale of 0 to 10 [Wifi]", false},
	}
	for _, tt := range tests {
		if got := reversedScale(tt.header); got != tt.want {
			t.Errorf("reversedScale(%q) = %v, want %v", tt.header, got, tt.want)
		}
	}
}

func TestPlatformOrder(t *testing.T) {
	assumed := &store.Warning{Code: "date_order_assumed"}
	conflict := &store.Warning{Code: "date_order_conflict"}
	tests := []struct {
		name     string
		sh       *shape
		order    DateOrder
		warn     *store.Warning
		want     DateOrder
		wantCode string
	}{
		{"surveymonkey dates that do not tell", surveyMonkey, DayFirst, assumed, MonthFirst, "date_order_platform"},
		{"surveymonkey dates that do tell", surveyMonkey, DayFirst, nil, DayFirst, ""},
		{"conflicts are kept", surveyMonkey, DayFirst, conflict, DayFirst, "date_order_conflict"},
		{"google forms has no platform order", googleForms, DayFirst, assumed, DayFirst, "date_order_assumed"},
	}
	for _, tt := range tests {
		got, w := platformOrder(tt.sh, tt.order, tt.warn)
		code := ""
		if w != nil {
			code = w.Code
		}
		if got != tt.want || code != tt.wantCode {
			t.Errorf("%s: got %v, %q; want %v, %q", tt.name, got, code, tt.want, tt.wantCode)
		}
	}
}

// TestRealMultiRowExports checks that the real SurveyMonkey and Qualtrics
// exports, which are not about workstreams, are recognised as their
// platform and rejected for having no workstream column.
func TestRealMultiRowExports(t *testing.T) {
	in, ps := testIngester(t), testPractices(t)
	for _, platform := range []string{"surveymonkey", "qualtrics"} {
		files, _ := filepath.Glob(filepath.Join(realExports, platform, "*.csv"))
		if len(files) == 0 {
			t.Logf("no real %s exports in %s; skipping them", platform, realExports)
		}
		for _, f := range files {
			l, err := in.inspect(f)
			if err != nil || l.Platform != platform {
				t.Errorf("%s: detected %q (%v), want %q", f, l.Platform, err, platform)
			}
			_, _, err = parseRows(in, f, ps)
			var rej *RejectError
			if !errors.As(err, &rej) || !strings.Contains(rej.Reason, "no column matches a workstream") {
				t.Errorf("%s: got %v, want a rejection for having no workstream column", f, err)
			}
		}
	}
}

// normalised is what a respondent's row means, independent of the
// platform: the fields that differ by platform (the key, the raw answer
// text, row numbers) are left out.
type normalised struct {
	PracticeODS, PracticeText, Role, EmailHMAC string
	SubmittedAt                                time.Time
	Scores                                     map[string]*float64
	Comments                                   []string
}

// normalise reads a fixture and returns its respondents' normalised rows.
func normalise(t *testing.T, in *Ingester, path string) []normalised {
	t.Helper()
	rows, p, err := parseRows(in, path, testPractices(t))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out []normalised
	for _, r := range rows {
		n := normalised{PracticeODS: r.PracticeODS, PracticeText: r.PracticeText, Role: r.Role,
			EmailHMAC: r.EmailHMAC, SubmittedAt: r.SubmittedAt, Scores: map[string]*float64{}}
		for j, a := range r.Answers {
			if a.Scored {
				n.Scores[p.file.Workstreams[j]] = &a.Score
			} else {
				n.Scores[p.file.Workstreams[j]] = nil
			}
		}
		for _, c := range r.Comments {
			if c != "" {
				n.Comments = append(n.Comments, c)
			}
		}
		out = append(out, n)
	}
	return out
}

// TestSameAnswersEveryShape exports the same three responses as Google
// Forms, SurveyMonkey (CSV and XLSX), Qualtrics choice text (CSV and UTF-16
// TSV) and Qualtrics legacy numeric values on a reversed "1 = highest"
// scale: every shape must give the same normalised rows.
func TestSameAnswersEveryShape(t *testing.T) {
	in := testIngester(t)
	want := normalise(t, in, "testdata/equivalence_google_forms.csv")
	if len(want) != 3 {
		t.Fatalf("reference has %d respondents, want 3", len(want))
	}
	shapes := []string{"surveymonkey_priorities.csv", "surveymonkey_priorities.xlsx", "qualtrics_choice_text.csv",
		"qualtrics_choice_text_utf16.tsv", "qualtrics_legacy_numeric.csv"}
	for _, f := range shapes {
		if diff := cmp.Diff(want, normalise(t, in, filepath.Join("testdata", f))); diff != "" {
			t.Errorf("%s differs from the Google Forms export (-want +got):\n%s", f, diff)
		}
	}
}

// FuzzDetectHeaders feeds arbitrary header rows to detection, the header
// merge of the detected shape and column classification, which must never
// panic and must give one column per merged header.
func FuzzDetectHeaders(f *testing.F) {
	f.Add("RespondentID,CollectorID,Q\n\x00,\x00,A<br>B\n1,2,3\n")
	f.Add("StartDate,ResponseId,Q1\nStart,Response,Q - Telephony\n{\"ImportId\":\"x\"},y,z\n")
	f.Add("V1,V2\nResponseID,Name\n")
	cat := survey.DefaultCatalogue()
	f.Fuzz(func(t *testing.T, text string) {
		r := csv.NewReader(strings.NewReader(text))
		r.FieldsPerRecord, r.LazyQuotes = -1, true
		top, _ := r.ReadAll()
		if len(top) > detectTop {
			top = top[:detectTop]
		}
		d, ok := detectShape(top)
		if !ok {
			return
		}
		headers := d.shape.headerCells(top[d.titleRows : d.titleRows+d.headerRows])
		if cols := classify(d.shape, headers, cat); len(cols) != len(headers) {
			t.Errorf("%d columns for %d headers", len(cols), len(headers))
		}
	})
}
