package report

import (
	"html/template"
	"strings"
)

// The HTML part is styled inline, since mail clients drop style sheets,
// and kept to headings, paragraphs and tables with header cells so that
// screen readers can follow it. Its colours keep a contrast of at least
// 7:1 (dark grey and navy on white, white on navy).
const (
	cssBody    = "margin:0;padding:0;background:#ffffff;color:#1f1f1f;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5"
	cssWrap    = "max-width:720px;margin:0 auto;padding:16px"
	cssH1      = "font-size:22px;line-height:1.3;color:#1f3864;margin:0 0 4px 0"
	cssH2      = "font-size:18px;line-height:1.3;color:#1f3864;margin:24px 0 8px 0"
	cssSub     = "margin:0 0 16px 0;color:#404040"
	cssP       = "margin:0 0 12px 0"
	cssTable   = "border-collapse:collapse;width:100%;margin:0 0 12px 0;font-size:15px"
	cssCaption = "text-align:left;font-weight:bold;padding:0 0 6px 0;color:#1f1f1f"
	cssTH      = "text-align:left;background:#1f4e79;color:#ffffff;padding:6px 8px;font-weight:bold"
	cssTHNum   = "text-align:right;background:#1f4e79;color:#ffffff;padding:6px 8px;font-weight:bold"
	cssTD      = "padding:6px 8px;border-bottom:1px solid #bfbfbf;vertical-align:top"
	cssNum     = "padding:6px 8px;border-bottom:1px solid #bfbfbf;vertical-align:top;text-align:right;white-space:nowrap"
	cssSmall   = "margin:24px 0 0 0;font-size:14px;color:#404040"
)

// mailTemplate is the HTML part. The styles are put in before it is
// parsed, so that the template itself stays readable.
var mailTemplate = template.Must(template.New("mail").Parse(strings.NewReplacer(
	"{{BODY}}", cssBody, "{{WRAP}}", cssWrap, "{{H1}}", cssH1, "{{H2}}", cssH2, "{{SUB}}", cssSub,
	"{{P}}", cssP, "{{TABLE}}", cssTable, "{{CAPTION}}", cssCaption, "{{TH}}", cssTH, "{{THNUM}}", cssTHNum, "{{TD}}", cssTD,
	"{{NUM}}", cssNum, "{{SMALL}}", cssSmall,
).Replace(`<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Subject}}</title>
</head>
<body style="{{BODY}}">
<div style="{{WRAP}}">
<h1 style="{{H1}}">{{.Title}}</h1>
<p style="{{SUB}}">{{.Date}}{{if .View}}, the view for {{.View}}{{end}}</p>
{{range .Federations}}
<h2 style="{{H2}}">{{.Name}}</h2>
<p style="{{P}}">{{.Sentence}}</p>
{{if .Tops}}<table role="table" style="{{TABLE}}">
<caption style="{{CAPTION}}">{{.Name}}: its first workstreams by its practices' priority (0 to 1)</caption>
<thead><tr><th scope="col" style="{{TH}}">Workstream</th><th scope="col" style="{{THNUM}}">{{.Name}}</th><th scope="col" style="{{THNUM}}">All practices</th><th scope="col" style="{{THNUM}}">Rank</th></tr></thead>
<tbody>{{range .Tops}}
<tr><td style="{{TD}}">{{.Workstream}}</td><td style="{{NUM}}">{{printf "%.2f" .Priority}}</td><td style="{{NUM}}">{{printf "%.2f" .All}}</td><td style="{{NUM}}">{{.Rank}}</td></tr>{{end}}
</tbody>
</table>{{end}}
{{end}}
<h2 style="{{H2}}">Since the last report</h2>
<p style="{{P}}">{{.Since}}</p>
{{if .Counts}}<p style="{{P}}">{{.Counts}}</p>{{end}}
{{if .Top}}<h2 style="{{H2}}">Top tier: {{.TopTier}}</h2>
<table role="table" style="{{TABLE}}">
<caption style="{{CAPTION}}">The workstreams in {{.TopTier}}, best first</caption>
<thead><tr><th scope="col" style="{{THNUM}}">Rank</th><th scope="col" style="{{TH}}">Workstream</th><th scope="col" style="{{THNUM}}">Score</th><th scope="col" style="{{THNUM}}">Practices</th></tr></thead>
<tbody>{{range .Top}}
<tr><td style="{{NUM}}">{{.Rank}}</td><td style="{{TD}}">{{.Workstream}}</td><td style="{{NUM}}">{{.Score}}</td><td style="{{NUM}}">{{.Practices}}</td></tr>{{end}}
</tbody>
</table>{{end}}
<h2 style="{{H2}}">Biggest movements</h2>
{{if .Moves}}<table role="table" style="{{TABLE}}">
<caption style="{{CAPTION}}">Changes of tier first, then the largest changes of rank</caption>
<thead><tr><th scope="col" style="{{TH}}">Workstream</th><th scope="col" style="{{THNUM}}">Rank now</th><th scope="col" style="{{TH}}">Change</th><th scope="col" style="{{TH}}">Tier</th></tr></thead>
<tbody>{{range .Moves}}
<tr><td style="{{TD}}">{{.Workstream}}</td><td style="{{NUM}}">{{.Rank}}</td><td style="{{TD}}">{{.Change}}</td><td style="{{TD}}">{{.Tier}}</td></tr>{{end}}
</tbody>
</table>{{else}}<p style="{{P}}">{{.NoMoves}}</p>{{end}}
<h2 style="{{H2}}">Data quality</h2>
<p style="{{P}}">{{.Quality}}</p>
<p style="{{P}}">{{.Attachment}}</p>
<p style="{{SMALL}}">{{range $i, $s := .Closing}}{{if $i}}<br>{{end}}{{$s}}{{end}}</p>
</div>
</body>
</html>
`)))

// html writes c as the HTML part; every string of the data is escaped.
func (c mailContent) html() (string, error) {
	var b strings.Builder
	if err := mailTemplate.Execute(&b, c); err != nil {
		return "", err
	}
	return b.String(), nil
}
