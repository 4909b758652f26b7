package ingest

import (
	"github.com/surveyworker/surveyworker/internal/realworld"

	"bytes"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"

	"github.com/google/go-cmp/cmp"

	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/survey"
)

// detectionCase is the top rows of a table and the platform and header
// rows detection must find in them ("" for none).
type detectionCase struct {
	name       string
	top        [][]string
	platform   string
	headerRows int
}

// checkDetection runs detection on each case.
func checkDetection(t *testing.T, tests []detectionCase) {
	t.Helper()
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

func TestDetectMultiRowShapes(t *testing.T) {
	tags := []string{"StartDate", "EndDate", "Status", "IPAddress", "ResponseId", "Q1"}
	texts := []string{"Anfangsdatum", "Enddatum", "Antworttyp", "IP-Adresse", "Antwort-ID", "Frage"}
	ids := []string{`{"ImportId":"startDate"}`, `{"ImportId":"endDate"}`, `{"ImportId":"status"}`,
		`{"ImportId":"ipAddress"}`, `{"ImportId":"_recordId"}`, `{"ImportId":"QID1"}`}
	data := []string{"2026-11-03 09:12:40", "2026-11-03 09:15:02", "0", "", "R_1", "2"}
	tests := []detectionCase{
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
	checkDetection(t, tests)
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
		{"On a scale of 0-10 (0 = very important, 10 = not important) [Wifi]", true},
		{"Rate from 0 to 10 where 10 = not important at all [Wifi]", true},
		{"Rate from 0 (not important) to 10 (very important) [Wifi]", false},
		{"Rate each (1 = not important, 5 = very important) [Wifi]", false},
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
		for _, f := range realworld.Glob(t, "exports/"+platform+"/*.csv") {
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
		if r.Excluded {
			continue // a partial response, counted and left out
		}
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
// Forms (CSV and the sheet as XLSX), SurveyMonkey (CSV and XLSX, and CSV
// expanded with one column per scale level and role option), Qualtrics
// choice text (CSV and UTF-16 TSV), Qualtrics legacy numeric values on a
// reversed "1 = highest" scale, SmartSurvey (CSV and XLSX), Jisc Online
// Surveys, LimeSurvey (full-text and code headings) and Typeform: every
// shape must give the same normalised rows.
func TestSameAnswersEveryShape(t *testing.T) {
	in := testIngester(t)
	want := normalise(t, in, "testdata/equivalence_google_forms.csv")
	if len(want) != 3 {
		t.Fatalf("reference has %d respondents, want 3", len(want))
	}
	shapes := []string{"surveymonkey_priorities.csv", "surveymonkey_priorities.xlsx", "surveymonkey_expanded.csv", "qualtrics_choice_text.csv",
		"qualtrics_choice_text_utf16.tsv", "qualtrics_legacy_numeric.csv", "google_forms_sheet.xlsx",
		"smartsurvey_priorities.csv", "smartsurvey_priorities.xlsx", "jisc_priorities.csv",
		"limesurvey_full_headings.csv", "limesurvey_code_headings.csv", "typeform_priorities.csv",
		"surveygizmo_priorities.csv", "kobotoolbox_priorities.csv"}
	for _, f := range shapes {
		if diff := cmp.Diff(want, normalise(t, in, filepath.Join("testdata", f))); diff != "" {
			t.Errorf("%s differs from the Google Forms export (-want +got):\n%s", f, diff)
		}
	}
	// REDCap writes a row per record and event, the answers as codes 1 to
	// 5, and no submit time of the record as a whole.
	for i := range want {
		want[i].SubmittedAt = time.Time{}
	}
	if diff := cmp.Diff(want, normalise(t, in, "testdata/redcap_longitudinal_priorities.csv")); diff != "" {
		t.Errorf("redcap_longitudinal_priorities.csv differs from the Google Forms export (-want +got):\n%s", diff)
	}
}

// FuzzDetectHeaders feeds arbitrary header rows to detection, the header
// merge of the detected shape and column classification, which must never
// panic and must give one column per merged header.
func FuzzDetectHeaders(f *testing.F) {
	f.Add("RespondentID,CollectorID,Q\n\x00,\x00,A<br>B\n1,2,3\n")
	f.Add("StartDate,ResponseId,Q1\nStart,Response,Q - Telephony\n{\"ImportId\":\"x\"},y,z\n")
	f.Add("V1,V2\nResponseID,Name\n")
	f.Add("UserID,IP Address,Q1. Q,\n,,A@SQ@s,B\n,,C,D\n1,2,3,4\n")
	f.Add("#,Thanks {{answer_1}},Other,Other,Submit Date (UTC)\n")
	f.Add("Q [Rank 1],Q [Rank 2],R &amp; S [T]\n")
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

func TestDetectMoreShapes(t *testing.T) {
	smart := []string{"UserID", "Name", "Email", "IP Address", "Started", "Q1. Priority?", ""}
	items := []string{"", "", "", "", "", "Cyber Security", "Telephony"}
	data := []string{"48213301", "", "", "", "03/11/2026 09:15:02", "High", "Low"}
	rank := "Order these [Rank 1]"
	tests := []detectionCase{
		{"smartsurvey, one header row", [][]string{smart, data}, "smartsurvey", 1},
		{"smartsurvey, item row", [][]string{smart, items, data}, "smartsurvey", 2},
		{"smartsurvey, two item rows", [][]string{smart, items, items, data}, "smartsurvey", 3},
		{"user ID without IP address", [][]string{{"UserID", "Q1"}, data}, "", 0},
		{"jisc", [][]string{{"Unique response number", "Started", "Submitted", "1. Q"}}, "jisc", 1},
		{"typeform", [][]string{{"#", "Q", "Start Date (UTC)", "Submit Date (UTC)", "Network ID"}}, "typeform", 1},
		{"# without Typeform's columns", [][]string{{"#", "Q", "Date"}}, "", 0},
		{"limesurvey codes", [][]string{{"id", "submitdate", "lastpage", "startlanguage", "Q1[SQ001]"}}, "limesurvey", 1},
		{"limesurvey full text", [][]string{{"Response ID", "Date submitted", "Last page", "Q [Item]"}}, "limesurvey", 1},
		{"limesurvey ranking only", [][]string{{"Q [Item]", rank, "Order these [Rank 2]"}}, "limesurvey", 1},
		{"rank 2 of another question", [][]string{{rank, "Other [Rank 2]"}}, "", 0},
		{"id alone", [][]string{{"id", "submitdate", "Q1"}}, "", 0},
		{"kobotoolbox", [][]string{{"start", "end", "Q1", "_id", "_uuid", "_submission_time", "_index"}}, "kobotoolbox", 1},
		{"uuid without a submission time", [][]string{{"start", "Q1", "_uuid"}}, "", 0},
		{"odk central", [][]string{{"SubmissionDate", "q1", "meta-instanceID", "KEY", "SubmitterID"}}, "odk-central", 1},
		{"submission date alone", [][]string{{"SubmissionDate", "Q1"}}, "", 0},
		{"redcap longitudinal", [][]string{{"study_id", "redcap_event_name", "q1", "form_1_complete"}}, "redcap", 1},
		{"redcap classic", [][]string{{"record_id", "q1", "form_1_complete"}}, "redcap", 1},
		{"record_id alone", [][]string{{"record_id", "q1"}}, "", 0},
		{"surveygizmo", [][]string{{"Response ID", "Time Started", "Date Submitted", "Status", "Q1"}}, "surveygizmo", 1},
		{"surveygizmo without the ID", [][]string{{"Time Started", "Date Submitted", "Status", "Q1"}}, "surveygizmo", 1},
	}
	checkDetection(t, tests)
}

func TestShapeHeaders(t *testing.T) {
	tests := []struct {
		name string
		sh   *shape
		rows [][]string
		want []string
	}{
		{"smartsurvey items and @SQ@", smartSurvey,
			[][]string{{"UserID", "Q3. Practice@SQ@s priorities?", "", "Q4. Comments"}, {"", "Cyber Security", "Patient&nbsp;WiFi", ""}},
			[]string{"UserID", "Q3. Practice's priorities? [Cyber Security]", "Q3. Practice's priorities? [Patient WiFi]", "Q4. Comments"}},
		{"typeform recall placeholder", typeform,
			[][]string{{"#", "Thanks {{answer_42471732}}, any comments?", "Other", "Other"}},
			[]string{"#", "Thanks …, any comments?", "Other", "Other"}},
		{"limesurvey entities and tags", limeSurvey,
			[][]string{{"id", "Priority? [Telephony (VOIP &amp; Unified Communications)]", "<b>Any</b> comments?"}},
			[]string{"id", "Priority? [Telephony (VOIP & Unified Communications)]", "Any comments?"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, tt.sh.headerCells(tt.rows)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

// TestUTCColumns reads the same responses with the zone set to Paris: the
// Typeform times, headed "(UTC)", stay as written, while Jisc's, which
// carry no zone, are read as Paris time.
func TestUTCColumns(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	in := New(nil, Options{HMACKey: testKey, Location: paris})
	tests := []struct {
		file string
		want string
	}{
		{"testdata/typeform_priorities.csv", "2026-11-03T09:15:02Z"},
		{"testdata/jisc_priorities.csv", "2026-11-03T08:15:02Z"},
	}
	for _, tt := range tests {
		rows, _, err := parseRows(in, tt.file, testPractices(t))
		if err != nil {
			t.Fatalf("%s: %v", tt.file, err)
		}
		if got := rows[0].SubmittedAt.Format(time.RFC3339); got != tt.want {
			t.Errorf("%s: submitted at %s, want %s", tt.file, got, tt.want)
		}
	}
}

// TestRealTypeformExport checks the real Typeform export, which is
// rejected for its bytes (neither UTF-8 nor Windows-1252, see
// [textEncoding]), names the offsets, and that its header, read as
// Windows-1252, is recognised with its metadata and repeated "Other"
// columns.
func TestRealTypeformExport(t *testing.T) {
	path := realworld.Path(t, "exports/typeform/typeform_wakefield_spring_2017_redacted.csv")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = fingerprint(path)
	var rej *RejectError
	if !errors.As(err, &rej) || !strings.Contains(rej.Reason, "invalid byte at offset") ||
		!strings.Contains(rej.Reason, "undefined byte at offset") {
		t.Errorf("got %v, want a rejection naming the offsets of the bad bytes", err)
	}
	line := b[:bytes.IndexByte(b, '\n')+1]
	text, err := charmap.Windows1252.NewDecoder().Bytes(line)
	if err != nil {
		t.Fatal(err)
	}
	header, err := csv.NewReader(bytes.NewReader(text)).Read()
	if err != nil {
		t.Fatal(err)
	}
	d, ok := detectShape([][]string{header})
	if !ok || d.shape != typeform {
		t.Fatalf("header detected as %v, want typeform", d.shape)
	}
	roles := map[role][]string{}
	others := 0
	for _, c := range classify(typeform, typeform.headerCells([][]string{header}), survey.DefaultCatalogue()) {
		roles[c.Role] = append(roles[c.Role], c.Letter)
		if c.Header == "Other" {
			others++
		}
	}
	want := map[role][]string{roleResponseID: {"A"}, roleStarted: {"AA"}, roleSubmitted: {"AB"}}
	for r, letters := range want {
		if !slices.Equal(roles[r], letters) {
			t.Errorf("%v columns %v, want %v", r, roles[r], letters)
		}
	}
	if !slices.Contains(roles[rolePersonal], "AC") || others != 2 {
		t.Errorf("personal columns %v, %d \"Other\" columns; want AC (Network ID) among them and 2", roles[rolePersonal], others)
	}
}

// TestResavedExportKeepsKeys re-saves exports as a spreadsheet does,
// dropping the seconds from timestamps and rewriting the date format, and
// checks every respondent keeps its key, so that loading the re-save
// after the original adds nobody twice. Google Forms keys are made from
// the row's content, the hardest case: platforms with a response ID key
// on it and on the times to the minute.
func TestResavedExportKeepsKeys(t *testing.T) {
	in := testIngester(t)
	dir := t.TempDir()
	tests := []struct {
		name, file string
		resave     func(string) string
	}{
		{"Google Forms, seconds dropped", "testdata/equivalence_google_forms.csv", func(s string) string {
			return regexp.MustCompile(`(\d\d/\d\d/\d{4} \d\d:\d\d):\d\d`).ReplaceAllString(s, "$1")
		}},
		{"Google Forms, ISO dates", "testdata/equivalence_google_forms.csv", func(s string) string {
			return regexp.MustCompile(`(\d\d)/(\d\d)/(\d{4}) (\d\d:\d\d:\d\d)`).ReplaceAllString(s, "$3-$2-$1 $4")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := os.ReadFile(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			resaved := filepath.Join(dir, "resaved.csv")
			changed := tt.resave(string(b))
			if changed == string(b) {
				t.Fatal("the re-save changed nothing")
			}
			if err := os.WriteFile(resaved, []byte(changed), 0o644); err != nil {
				t.Fatal(err)
			}
			keys := func(path string) []string {
				rows, _, err := parseRows(in, path, testPractices(t))
				if err != nil {
					t.Fatal(err)
				}
				var out []string
				for _, r := range rows {
					out = append(out, r.Key)
				}
				return out
			}
			if diff := cmp.Diff(keys(tt.file), keys(resaved)); diff != "" {
				t.Errorf("keys changed by the re-save (-original +re-saved):\n%s", diff)
			}
		})
	}
}
