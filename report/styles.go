package report

import (
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/surveyworker/surveyworker/survey"
)

// Cell style names used by the sheet writers.
const (
	styleTitle     = "title"
	styleSubtitle  = "subtitle" // a line under a title
	styleSection   = "section"  // the heading of a block of a sheet
	styleHeader    = "header"
	styleLabel     = "label"
	styleText      = "text" // wrapped text at the top of its cell
	styleLine      = "line" // text on one line
	styleParagraph = "paragraph"
	styleInt       = "int"
	styleDecimal   = "decimal" // two decimal places
	stylePercent   = "percent" // whole per cent
	// Left-aligned numbers for label/value sheets, where a right-aligned
	// number in a wide value column sits far from its label.
	styleIntLeft     = "int-left"
	styleDecimalLeft = "decimal-left"
	// Centred cells for short codes in narrow columns: a rank, a rank
	// range.
	styleIntCentre  = "int-centre"
	styleTextCentre = "text-centre"
	// styleMovement shows a rank change as ▲ 2, ▼ 1 or –.
	styleMovement = "movement"
	// styleNote is a note under a table, on one line.
	styleNote = "note"
	// styleNoteWrap is a note that wraps within its (merged) cell.
	styleNoteWrap = "note-wrap"
	// styleInput marks a cell the reader is meant to change.
	styleInput = "input"
	// styleShare is a weight's share of the total, as a per cent with one
	// decimal.
	styleShare = "share"
	// styleScore is a score with four decimals, for the What-if sheet
	// where small differences matter.
	styleScore = "score"
	// styleWithheld greys out a cell withheld for having too few
	// practices behind it.
	styleWithheld = "withheld"
	// styleHeat is a practice priority in a heat map.
	styleHeat = "heat"
	// styleCount is the number of practices behind a heat map's cell.
	styleCount = "count"
	// styleDate is a date and time.
	styleDate = "date"
)

// movementFormat shows a positive rank change as "▲ 2" in green, a
// negative one as "▼ 1" in red and no change as "–".
const movementFormat = `[Color10]"▲ "0;[Red]"▼ "0;"–"`

// tierColours are the fill and font colours of each tier's cells, best
// first: strong colours for the tiers that demand action.
var tierColours = map[survey.Tier][2]string{
	survey.TierVeryHigh: {"C00000", "FFFFFF"},
	survey.TierMandated: {"7030A0", "FFFFFF"},
	survey.TierHigh:     {"F4B084", "000000"},
	survey.TierMedium:   {"FFE699", "000000"},
	survey.TierLow:      {"D9D9D9", "000000"},
}

// Colours shared by cells, conditional formats and charts.
const (
	colourHeaderFill = "D9E1F2"
	colourGrid       = "808080"
	colourInputFill  = "FFF2CC"
	colourWithheld   = "D9D9D9"
	colourNote       = "595959"
	colourBar        = "5B9BD5"
)

// tierStyle returns the style name of a tier's cells; unknown tiers get
// plain text.
func tierStyle(t survey.Tier) string {
	if _, ok := tierColours[t]; ok {
		return "tier:" + string(t)
	}
	return styleText
}

// tierBandStyle returns the style name of the band that heads a tier's
// block on the Tiers sheet.
func tierBandStyle(t survey.Tier) string {
	if _, ok := tierColours[t]; ok {
		return "band:" + string(t)
	}
	return styleSection
}

func numFmt(s string) *string { return &s }

// fontFamily is the workbook's font. A font left without a family is shown
// in the spreadsheet's default font, which differs between Excel and
// LibreOffice.
const fontFamily = "Calibri"

// font returns f in the workbook's font family.
func font(f excelize.Font) *excelize.Font {
	f.Family = fontFamily
	return &f
}

// styleDef returns the excelize definition of the named style.
func styleDef(name string) (*excelize.Style, error) {
	border := []excelize.Border{{Type: "bottom", Color: colourGrid, Style: 1}}
	top := &excelize.Alignment{Vertical: "top"}
	switch name {
	case styleTitle:
		return &excelize.Style{Font: font(excelize.Font{Bold: true, Size: 16, Color: "1F3864"})}, nil
	case styleSubtitle:
		return &excelize.Style{Font: font(excelize.Font{Italic: true, Color: colourNote})}, nil
	case styleSection:
		return &excelize.Style{Font: font(excelize.Font{Bold: true, Size: 12, Color: "1F3864"}),
			Border: border, Alignment: &excelize.Alignment{Vertical: "bottom"}}, nil
	case styleHeader:
		return &excelize.Style{Font: font(excelize.Font{Bold: true}), Border: border,
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{colourHeaderFill}},
			Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}}, nil
	case styleLabel:
		return &excelize.Style{Font: font(excelize.Font{Bold: true}), Alignment: top}, nil
	case styleText:
		return &excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}}, nil
	case styleLine:
		return &excelize.Style{Alignment: top}, nil
	case styleParagraph:
		return &excelize.Style{Font: font(excelize.Font{Size: 12}),
			Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}}, nil
	case styleInt:
		return &excelize.Style{NumFmt: 1, Alignment: top}, nil // "0"
	case styleDecimal:
		return &excelize.Style{NumFmt: 2, Alignment: top}, nil // "0.00"
	case stylePercent:
		return &excelize.Style{NumFmt: 9, Alignment: top}, nil // "0%"
	case styleIntLeft:
		return &excelize.Style{NumFmt: 1, Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "top"}}, nil
	case styleDecimalLeft:
		return &excelize.Style{NumFmt: 2, Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "top"}}, nil
	case styleIntCentre:
		return &excelize.Style{NumFmt: 1, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "top"}}, nil
	case styleTextCentre:
		return &excelize.Style{Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "top"}}, nil
	case styleMovement:
		return &excelize.Style{CustomNumFmt: numFmt(movementFormat),
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "top"}}, nil
	case styleNote:
		return &excelize.Style{Font: font(excelize.Font{Italic: true, Color: colourNote}), Alignment: top}, nil
	case styleNoteWrap:
		return &excelize.Style{Font: font(excelize.Font{Italic: true, Color: colourNote}),
			Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}}, nil
	case styleInput:
		return &excelize.Style{NumFmt: 2, Font: font(excelize.Font{Bold: true, Color: "1F3864"}),
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{colourInputFill}},
			Border: []excelize.Border{{Type: "left", Color: "BF8F00", Style: 1}, {Type: "right", Color: "BF8F00", Style: 1},
				{Type: "top", Color: "BF8F00", Style: 1}, {Type: "bottom", Color: "BF8F00", Style: 1}},
			Alignment: &excelize.Alignment{Horizontal: "center"}}, nil
	case styleShare:
		return &excelize.Style{CustomNumFmt: numFmt("0.0%"), Alignment: &excelize.Alignment{Horizontal: "center"}}, nil
	case styleScore:
		return &excelize.Style{CustomNumFmt: numFmt("0.0000"), Alignment: top}, nil
	case styleWithheld:
		return &excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{colourWithheld}}}, nil
	case styleHeat:
		return &excelize.Style{NumFmt: 2, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "top"}}, nil
	case styleCount:
		return &excelize.Style{NumFmt: 1, Font: font(excelize.Font{Color: colourNote}),
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "top"}}, nil
	case styleDate:
		return &excelize.Style{CustomNumFmt: numFmt("d mmm yyyy hh:mm"), Alignment: top}, nil
	}
	if t, ok := strings.CutPrefix(name, "tier:"); ok {
		if c, ok := tierColours[survey.Tier(t)]; ok {
			return &excelize.Style{Font: font(excelize.Font{Bold: true, Color: c[1]}), Alignment: top,
				Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{c[0]}}}, nil
		}
	}
	if t, ok := strings.CutPrefix(name, "band:"); ok {
		if c, ok := tierColours[survey.Tier(t)]; ok {
			return &excelize.Style{Font: font(excelize.Font{Bold: true, Size: 12, Color: c[1]}),
				Alignment: &excelize.Alignment{Vertical: "center", Indent: 1},
				Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{c[0]}}}, nil
		}
	}
	return nil, fmt.Errorf("unknown style %q", name)
}

// style returns the id of the named style, creating it on first use. With
// quote set it returns a copy of the style that also carries the OOXML
// quotePrefix attribute, which excelize's Style cannot express.
func (b *book) style(name string, quote bool) (int, error) {
	if name == "" {
		name = styleText
	}
	if id, ok := b.styles[styleKey{name, quote}]; ok {
		return id, nil
	}
	id, ok := b.styles[styleKey{name, false}]
	if !ok {
		def, err := styleDef(name)
		if err != nil {
			return 0, err
		}
		if id, err = b.f.NewStyle(def); err != nil {
			return 0, err
		}
		b.styles[styleKey{name, false}] = id
	}
	if !quote {
		return id, nil
	}
	qid := b.quotedCopy(id)
	b.styles[styleKey{name, true}] = qid
	return qid, nil
}

// quotedCopy appends a copy of cell format id with quotePrefix="1" and
// returns the copy's id. The copy is appended after the original, so
// excelize's own de-duplication keeps returning the original for the plain
// style.
func (b *book) quotedCopy(id int) int {
	xfs := b.f.Styles.CellXfs
	xf := xfs.Xf[id]
	if xf.Alignment != nil {
		a := *xf.Alignment
		xf.Alignment = &a
	}
	on := true
	xf.QuotePrefix = &on
	xfs.Xf = append(xfs.Xf, xf)
	xfs.Count = len(xfs.Xf)
	return len(xfs.Xf) - 1
}
