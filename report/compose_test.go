package report

import (
	"context"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/surveyworker/surveyworker/internal/smtptest"
	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/survey"
)

// Names a workstream and a federation could have that would break an HTML
// part that did not escape them.
const (
	hostileWorkstream = `<script>alert("x")</script> & <b>Co</b>`
	hostileFederation = `North & <i>East</i> "Fed"`
)

// hostileInput is a federation view of a small ranking whose top
// workstream and federation have hostile names, compared with an earlier
// run.
func hostileInput() WorkbookInput {
	in := sampleInput()
	r := &in.Ranking
	r.Rows[0].Workstream = hostileWorkstream
	up, down, same := 2, -1, 0
	r.Rows[0].RankChange, r.Rows[0].PreviousTier = &up, survey.TierHigh
	r.Rows[1].RankChange, r.Rows[1].PreviousTier = &down, survey.TierMandated
	r.Rows[2].RankChange, r.Rows[2].PreviousTier = &same, survey.TierHigh
	r.Previous = &survey.RunRef{RunID: 6, CreatedAt: r.CreatedAt.AddDate(0, 0, -7), Respondents: 120}
	r.NewResponses = 23
	in.Previous = &survey.Ranking{RunID: 6, Practices: 33}
	r.Segments = []survey.Segment{{Kind: survey.SegmentFederation, Name: hostileFederation, Cells: []survey.SegmentCell{
		{WorkstreamID: "online-consultation", PracticePriority: 0.95, Practices: 5},
		{WorkstreamID: "neg", PracticePriority: 0.6, Practices: 4},
		{WorkstreamID: "wifi", Practices: 2, Withheld: true}}}}
	in.Coverage = []store.FederationCoverage{{Federation: hostileFederation, Practices: 6, Responding: 5, Respondents: 11}}
	in.Quality.Files = []store.FileQuality{{File: "a.csv", Warnings: map[string]int{"practice_unmatched": 2, "practice_ambiguous": 1, "answer_off_scale": 4}}}
	in.Federations = []string{hostileFederation}
	return in
}

// textSections splits the plain-text part into its sections, by heading,
// each a list of lines with paragraphs unwrapped and table cells split.
func textSections(text string) map[string][]string {
	out := map[string][]string{}
	head := ""
	for _, para := range strings.Split(text, "\n\n") {
		lines := strings.Split(strings.TrimRight(para, "\n"), "\n")
		if len(lines) > 0 && lines[0] == strings.ToUpper(lines[0]) && strings.ContainsAny(lines[0], "ABCDEFGHIJKLMNOPQRSTUVWXYZ") {
			head, lines = lines[0], lines[1:]
		}
		var prose []string
		for i, l := range lines {
			if !strings.HasPrefix(l, "  ") {
				prose = append(prose, l)
			}
			if (i == len(lines)-1 || strings.HasPrefix(l, "  ")) && len(prose) > 0 {
				out[head] = append(out[head], strings.Join(prose, " "))
				prose = nil
			}
			if strings.HasPrefix(l, "  ") {
				out[head] = append(out[head], strings.Join(regexp.MustCompile(`\s{2,}`).Split(strings.TrimSpace(l), -1), " | "))
			}
		}
	}
	return out
}

// htmlCells returns the text of every table cell of an HTML part, row by
// row, unescaped.
func htmlCells(h string) [][]string {
	var out [][]string
	for _, row := range regexp.MustCompile(`(?s)<tr>(.*?)</tr>`).FindAllStringSubmatch(h, -1) {
		var cells []string
		for _, c := range regexp.MustCompile(`(?s)<t[hd][^>]*>(.*?)</t[hd]>`).FindAllStringSubmatch(row[1], -1) {
			cells = append(cells, html.UnescapeString(c[1]))
		}
		out = append(out, cells)
	}
	return out
}

func TestComposeMessage(t *testing.T) {
	m, err := ComposeMessage(hostileInput(), "roadmap-2026-11-25-north-east-fed.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	if want := "Primary care IT roadmap ranking – 25 Nov 2026 (" + hostileFederation + ")"; m.Subject != want {
		t.Errorf("subject %q, want %q", m.Subject, want)
	}
	fed := strings.ToUpper(hostileFederation)
	want := map[string][]string{
		"": {"Primary care IT roadmap ranking Ranking of 25 November 2026, the view for " + hostileFederation},
		fed: {"In " + hostileFederation + ", 5 of its 6 practices answered (11 responses). Its practices put " + hostileWorkstream +
			" (0.95) and -5 (0.60) first, by practice priority; across all practices they rank 1st and 3rd.",
			"Workstream | " + hostileFederation + " | All practices | Rank",
			hostileWorkstream + " | 0.95 | 0.90 | 1",
			"-5 | 0.60 | 0.40 | 3"},
		"SINCE THE LAST REPORT": {"23 new responses and 4 more practices since the last report (run 6, 18 November 2026). " +
			"The ranking of 4 workstreams rests on 143 responses from 37 practices (4 files loaded)."},
		"TOP TIER: VERY HIGH": {"Rank | Workstream | Score | Practices", "1 | " + hostileWorkstream + " | 0.82 | 36"},
		"BIGGEST MOVEMENTS": {"Workstream | Rank now | Change | Tier",
			hostileWorkstream + " | 1 | up 2 | High → Very high",
			`=HYPERLINK("x") | 2 | down 1 | High - Centrally Mandated`},
		"DATA QUALITY": {"3 practice answers matched no single practice of the registry, so they count for no practice: " +
			"the Data quality sheet lists them with the closest practices.",
			"The attached workbook, roadmap-2026-11-25-north-east-fed.xlsx, has the whole ranking with its intervals, the tiers, " +
				"the What-if sheet to try other weights, the priorities by federation and role, the suggested delivery order, " +
				"and the comments of respondents from the practices of " + hostileFederation + ".",
			"Tiers are advisory; the decision stays with the commissioning committee. " +
				"This message was sent automatically by surveyworker."},
	}
	if diff := cmp.Diff(want, textSections(m.Text)); diff != "" {
		t.Errorf("text part (-want +got):\n%s\n%s", diff, m.Text)
	}
	for _, l := range strings.Split(m.Text, "\n") {
		if len([]rune(l)) > textWidth && !strings.HasPrefix(l, "  ") {
			t.Errorf("text line of %d characters: %q", len([]rune(l)), l)
		}
	}

	// The HTML part has the same content, every name escaped.
	wantCells := [][]string{
		{"Workstream", hostileFederation, "All practices", "Rank"},
		{hostileWorkstream, "0.95", "0.90", "1"},
		{"-5", "0.60", "0.40", "3"},
		{"Rank", "Workstream", "Score", "Practices"},
		{"1", hostileWorkstream, "0.82", "36"},
		{"Workstream", "Rank now", "Change", "Tier"},
		{hostileWorkstream, "1", "up 2", "High → Very high"},
		{`=HYPERLINK("x")`, "2", "down 1", "High - Centrally Mandated"},
	}
	if diff := cmp.Diff(wantCells, htmlCells(m.HTML)); diff != "" {
		t.Errorf("HTML tables (-want +got):\n%s", diff)
	}
	checkEscaped(t, m.HTML)
	for _, s := range []string{`<html lang="en-GB">`, `<th scope="col"`, "<caption", "23 new responses and 4 more practices",
		"3 practice answers matched no single practice"} {
		if !strings.Contains(m.HTML, s) {
			t.Errorf("HTML part lacks %q", s)
		}
	}
}

// checkEscaped checks that no hostile name reached the HTML part as
// markup.
func checkEscaped(t *testing.T, h string) {
	t.Helper()
	for _, raw := range []string{"<script", "<b>Co", "<i>East"} {
		if strings.Contains(h, raw) {
			t.Errorf("HTML part holds the markup %q unescaped", raw)
		}
	}
	for _, esc := range []string{"&lt;script&gt;", "&lt;i&gt;East&lt;/i&gt;"} {
		if !strings.Contains(h, esc) {
			t.Errorf("HTML part lacks the escaped %q", esc)
		}
	}
}

func TestComposeMessageFirstReport(t *testing.T) {
	m, err := ComposeMessage(sampleInput(), "")
	if err != nil {
		t.Fatal(err)
	}
	got := textSections(m.Text)
	for head, want := range map[string]string{
		"SINCE THE LAST REPORT": "This is the first report, so there is no earlier ranking to compare with.",
		"BIGGEST MOVEMENTS":     "None: this is the first report.",
	} {
		if len(got[head]) == 0 || !strings.HasPrefix(got[head][0], want) {
			t.Errorf("%s = %q, want %q", head, got[head], want)
		}
	}
	if strings.Contains(m.Subject, "(") {
		t.Errorf("full report's subject %q names a view", m.Subject)
	}
	empty, err := ComposeMessage(WorkbookInput{}, "")
	if err != nil || !strings.Contains(empty.Text, "No workstreams were ranked") {
		t.Errorf("empty ranking: %v\n%s", err, empty.Text)
	}
}

// TestSendHTMLAndText sends a composed report through the real SMTP
// server and reads back a multipart/mixed message holding the text and
// HTML parts as multipart/alternative, then the workbook.
func TestSendHTMLAndText(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, smtptest.Options{})
	b := setupDeliver(t, plainSMTP(srv))
	in := hostileInput()
	msg, err := ComposeMessage(in, "roadmap-2026-11-25-north-east-fed.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	b.queue.Subject, b.queue.Body, b.queue.HTMLBody = msg.Subject, msg.Text, msg.HTML
	b.queue.AttachmentName, b.queue.Federations = "roadmap-2026-11-25-north-east-fed.xlsx", in.Federations
	b.queue.Leads = testLeads[:1]
	b.queueAndDeliver(t)
	msgs := srv.Messages()
	if len(msgs) != 1 {
		t.Fatalf("server got %d messages, want 1", len(msgs))
	}
	p, err := msgs[0].Parse()
	if err != nil {
		t.Fatal(err)
	}
	wantStructure := []string{
		"multipart/mixed",
		"multipart/mixed > multipart/alternative",
		"multipart/mixed > multipart/alternative > text/plain",
		"multipart/mixed > multipart/alternative > text/html",
		"multipart/mixed > " + XLSXContentType,
	}
	if diff := cmp.Diff(wantStructure, p.Structure); diff != "" {
		t.Errorf("MIME structure (-want +got):\n%s", diff)
	}
	crlf := strings.NewReplacer("\r\n", "\n")
	if diff := cmp.Diff(textSections(msg.Text), textSections(crlf.Replace(p.Text))); diff != "" {
		t.Errorf("received text part (-sent +received):\n%s", diff)
	}
	if diff := cmp.Diff(htmlCells(msg.HTML), htmlCells(crlf.Replace(p.HTML))); diff != "" {
		t.Errorf("received HTML tables (-sent +received):\n%s", diff)
	}
	checkEscaped(t, p.HTML)
	if p.Subject != msg.Subject {
		t.Errorf("subject %q, want %q", p.Subject, msg.Subject)
	}
	if len(p.Attachments) != 1 || p.Attachments[0].Filename != "roadmap-2026-11-25-north-east-fed.xlsx" {
		t.Errorf("attachments %+v, want the view's workbook", p.Attachments)
	}
	ds, err := Deliveries(context.Background(), b.st, b.queue.ReportKey)
	if err != nil || len(ds) != 1 || ds[0].Status != StatusSent {
		t.Errorf("deliveries %+v, %v; want one sent", ds, err)
	}
}
