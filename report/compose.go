package report

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/surveyworker/surveyworker/internal/words"
	"github.com/surveyworker/surveyworker/survey"
)

// Message is a report e-mail: its subject and the same content as plain
// text and as HTML.
type Message struct {
	Subject string
	// Text is the plain-text part; HTML the HTML alternative.
	Text, HTML string
}

// movesN is how many movements the e-mail lists.
const movesN = 5

// ComposeMessage returns the e-mail that carries the workbook of in,
// attached under the name attachment: the view's federations first (in a
// federation view), the responses and practices since the last report,
// the top tier, the biggest movements and the answers that matched no
// practice, so that a lead can tell whether to open the workbook. in is
// as for [WriteWorkbook], loaded; its sequences are not read.
func ComposeMessage(in WorkbookInput, attachment string) (Message, error) {
	c := newMailContent(in.withDefaults(), attachment)
	html, err := c.html()
	if err != nil {
		return Message{}, fmt.Errorf("report: compose: %w", err)
	}
	return Message{Subject: c.Subject, Text: c.text(), HTML: html}, nil
}

// mailContent is what a report e-mail says, before it is written as text
// or HTML. Strings are as the data has them; each form escapes them as it
// needs.
type mailContent struct {
	Subject, Title, Date string
	// View names the view's federations; empty for the full report.
	View        string
	Federations []mailFederation
	// Since says what arrived since the last report; Counts what the
	// ranking rests on.
	Since, Counts string
	// TopTier is the best tier and Top its workstreams.
	TopTier survey.Tier
	Top     []mailRow
	// Moves are the biggest movements; NoMoves says why there are none.
	Moves   []mailMove
	NoMoves string
	// Quality is the data-quality line: the answers that matched no
	// practice, and files not loaded.
	Quality string
	// Attachment says what the attached workbook holds.
	Attachment string
	Closing    []string
}

// mailFederation is one federation of a view.
type mailFederation struct {
	Name, Sentence string
	Tops           []federationTop
}

// mailRow is one workstream of the top tier.
type mailRow struct {
	Rank       string
	Workstream string
	Tier       string
	Score      string
	Practices  int
}

// mailMove is one workstream that moved.
type mailMove struct {
	Workstream string
	Rank       int
	// Change is "up 2", "down 1" or "same place"; Tier "High → Very high"
	// or the tier when it did not change.
	Change, Tier string
}

func newMailContent(in WorkbookInput, attachment string) mailContent {
	r := in.Ranking
	at := cmp.Or(r.CreatedAt, in.GeneratedAt)
	c := mailContent{Subject: Subject(in.Title, at, in.Location), Title: in.Title,
		Date: "Ranking of " + at.In(in.Location).Format(proseDate), View: viewName(in.Federations)}
	if c.View != "" {
		c.Subject += " (" + c.View + ")"
	}
	for _, name := range in.Federations {
		seg, _ := federationSegment(r, name)
		c.Federations = append(c.Federations, mailFederation{Name: name, Sentence: federationSentence(in, name),
			Tops: federationTops(r, seg, viewTopN)})
	}
	c.Since, c.Counts = sinceSentence(in), countsSentence(r)
	c.TopTier, c.Top = topTier(r)
	c.Moves, c.NoMoves = biggestMoves(r)
	c.Quality = mailQuality(in.Quality)
	c.Attachment = attachmentSentence(in, attachment)
	c.Closing = []string{advisoryNote, "This message was sent automatically by surveyworker."}
	return c
}

// sinceSentence says how many responses and practices arrived since the
// previous run, the numbers first.
func sinceSentence(in WorkbookInput) string {
	r := in.Ranking
	if len(r.Rows) == 0 {
		return "No workstreams were ranked: no survey responses have been loaded yet."
	}
	if r.Previous == nil {
		return "This is the first report, so there is no earlier ranking to compare with."
	}
	var s string
	switch {
	case r.NewResponses > 0:
		s = words.Count(r.NewResponses, "new response", "")
	case r.NewResponses < 0:
		s = words.Count(-r.NewResponses, "fewer response", "fewer responses") + " (files were removed)"
	default:
		s = "No new responses"
	}
	if in.Previous != nil {
		switch d := r.Practices - in.Previous.Practices; {
		case d > 0:
			s += " and " + words.Count(d, "more practice", "more practices")
		case d < 0:
			s += " and " + words.Count(-d, "practice", "") + " fewer"
		default:
			s += " and no new practice"
		}
	}
	return fmt.Sprintf("%s since the last report (run %d, %s).", s, r.Previous.RunID,
		r.Previous.CreatedAt.In(in.Location).Format(proseDate))
}

// countsSentence says what the ranking rests on.
func countsSentence(r survey.Ranking) string {
	if len(r.Rows) == 0 {
		return ""
	}
	return fmt.Sprintf("The ranking of %s rests on %s from %s (%s loaded).", words.Count(len(r.Rows), "workstream", ""),
		words.Count(r.Respondents, "response", ""), words.Count(r.Practices, "practice", ""), words.Count(r.Files, "file", ""))
}

// topTier returns the best tier of r and its workstreams, ties marked "=".
func topTier(r survey.Ranking) (survey.Tier, []mailRow) {
	if len(r.Rows) == 0 {
		return "", nil
	}
	tier := r.Rows[0].Tier
	var out []mailRow
	for i, w := range r.Rows {
		if w.Tier != tier {
			continue
		}
		rank := fmt.Sprint(w.Rank)
		if (i > 0 && r.Rows[i-1].Rank == w.Rank) || (i+1 < len(r.Rows) && r.Rows[i+1].Rank == w.Rank) {
			rank += "="
		}
		out = append(out, mailRow{Rank: rank, Workstream: w.Workstream, Tier: string(w.Tier),
			Score: fmt.Sprintf("%.2f", w.Score), Practices: w.Practices})
	}
	return tier, out
}

// biggestMoves returns the workstreams that changed tier, then those that
// moved furthest in rank, at most movesN; or, when none moved, why.
func biggestMoves(r survey.Ranking) ([]mailMove, string) {
	if r.Previous == nil {
		return nil, "None: this is the first report."
	}
	type moved struct {
		w    survey.RankedWorkstream
		tier bool
		by   int
	}
	var all []moved
	for _, w := range r.Rows {
		if w.RankChange == nil {
			continue
		}
		m := moved{w: w, tier: w.PreviousTier != "" && w.PreviousTier != w.Tier, by: abs(*w.RankChange)}
		if m.tier || m.by > 0 {
			all = append(all, m)
		}
	}
	if len(all) == 0 {
		return nil, "No workstream changed rank or tier since the last report."
	}
	slices.SortStableFunc(all, func(a, b moved) int {
		if a.tier != b.tier {
			if a.tier {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(b.by, a.by), cmp.Compare(a.w.Rank, b.w.Rank))
	})
	var out []mailMove
	for _, m := range all[:min(movesN, len(all))] {
		mv := mailMove{Workstream: m.w.Workstream, Rank: m.w.Rank, Change: "same place", Tier: string(m.w.Tier)}
		switch d := *m.w.RankChange; {
		case d > 0:
			mv.Change = "up " + fmt.Sprint(d)
		case d < 0:
			mv.Change = "down " + fmt.Sprint(-d)
		}
		if m.tier {
			mv.Tier = string(m.w.PreviousTier) + " → " + string(m.w.Tier)
		}
		out = append(out, mv)
	}
	return out, ""
}

// mailQuality counts the practice answers that matched no practice, and
// the files that could not be loaded.
func mailQuality(q DataQuality) string {
	unmatched := 0
	for _, f := range q.Files {
		for _, code := range practiceProblemCodes {
			unmatched += f.Warnings[code]
		}
	}
	s := "Every practice answer matched a practice of the registry."
	switch {
	case unmatched == 1:
		s = "1 practice answer matched no single practice of the registry, so it counts for no practice: " +
			"the Data quality sheet lists it with the closest practices."
	case unmatched > 1:
		s = fmt.Sprintf("%d practice answers matched no single practice of the registry, so they count for no practice: "+
			"the Data quality sheet lists them with the closest practices.", unmatched)
	}
	if n := len(q.Rejected); n > 0 {
		s += " " + capitalise(words.Count(n, "file", "")) + " could not be loaded."
	}
	return s
}

// attachmentSentence says what the attached workbook holds.
func attachmentSentence(in WorkbookInput, attachment string) string {
	s := "The attached workbook"
	if attachment != "" {
		s += ", " + attachment + ","
	}
	s += " has the whole ranking with its intervals, the tiers, the What-if sheet to try other weights, the priorities by federation and role, the suggested delivery order"
	if len(in.Federations) > 0 {
		return s + ", and the comments of respondents from the practices of " + viewName(in.Federations) + "."
	}
	return s + ", and every comment."
}

// text writes c as the plain-text part.
func (c mailContent) text() string {
	var b strings.Builder
	line := func(s string) { b.WriteString(wrapText(oneLine(s), textWidth) + "\n") }
	heading := func(s string) { b.WriteString("\n" + strings.ToUpper(oneLine(s)) + "\n") }
	line(c.Title)
	date := c.Date
	if c.View != "" {
		date += ", the view for " + c.View
	}
	line(date)
	for _, f := range c.Federations {
		heading(f.Name)
		line(f.Sentence)
		if len(f.Tops) > 0 {
			table(&b, []string{"Workstream", f.Name, "All practices", "Rank"}, len(f.Tops), func(i int) []string {
				t := f.Tops[i]
				return []string{t.Workstream, fmt.Sprintf("%.2f", t.Priority), fmt.Sprintf("%.2f", t.All), fmt.Sprint(t.Rank)}
			})
		}
	}
	heading("Since the last report")
	line(c.Since)
	if c.Counts != "" {
		line(c.Counts)
	}
	if len(c.Top) > 0 {
		heading("Top tier: " + string(c.TopTier))
		table(&b, []string{"Rank", "Workstream", "Score", "Practices"}, len(c.Top), func(i int) []string {
			t := c.Top[i]
			return []string{t.Rank, t.Workstream, t.Score, fmt.Sprint(t.Practices)}
		})
	}
	heading("Biggest movements")
	if len(c.Moves) == 0 {
		line(c.NoMoves)
	} else {
		table(&b, []string{"Workstream", "Rank now", "Change", "Tier"}, len(c.Moves), func(i int) []string {
			m := c.Moves[i]
			return []string{m.Workstream, fmt.Sprint(m.Rank), m.Change, m.Tier}
		})
	}
	heading("Data quality")
	line(c.Quality)
	b.WriteString("\n")
	line(c.Attachment)
	b.WriteString("\n")
	for _, s := range c.Closing {
		line(s)
	}
	return b.String()
}

// textWidth is the width the plain-text part's paragraphs are wrapped at.
const textWidth = 76

// wrapText breaks s into lines of at most width characters at spaces; a
// word longer than width has a line of its own.
func wrapText(s string, width int) string {
	var b strings.Builder
	n := 0
	for i, w := range strings.Fields(s) {
		l := utf8.RuneCountInString(w)
		switch {
		case i == 0:
		case n+1+l > width:
			b.WriteByte('\n')
			n = 0
		default:
			b.WriteByte(' ')
			n++
		}
		b.WriteString(w)
		n += l
	}
	return b.String()
}

// table writes a table of n rows under header, aligned in columns.
func table(b *strings.Builder, header []string, n int, row func(int) []string) {
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	write := func(cells []string) {
		for i, c := range cells {
			cells[i] = oneLine(c)
		}
		fmt.Fprintln(tw, "  "+strings.Join(cells, "\t"))
	}
	write(slices.Clone(header))
	for i := range n {
		write(row(i))
	}
	tw.Flush()
}
