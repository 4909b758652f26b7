package report

import (
	"fmt"

	"github.com/xuri/excelize/v2"

	"github.com/surveyworker/surveyworker/survey"
)

// Cell style names used by the sheet writers.
const (
	styleTitle   = "title"
	styleHeader  = "header"
	styleLabel   = "label"
	styleText    = "text"
	styleInt     = "int"
	styleDecimal = "decimal" // two decimal places
	stylePercent = "percent" // whole per cent
	// Left-aligned numbers for label/value sheets, where a right-aligned
	// number in a wide value column sits far from its label.
	styleIntLeft     = "int-left"
	styleDecimalLeft = "decimal-left"
	// Centred cells for short codes in narrow columns: a rank, a rank
	// range, a rank change.
	styleIntCentre  = "int-centre"
	styleTextCentre = "text-centre"
	// styleTextRight is text among right-aligned numbers ("too few (2)").
	styleTextRight = "text-right"
	// styleNote is a note under a table, on one line.
	styleNote = "note"
)

// tierColours are the fill and font colours of each tier's cells, best
// first: strong colours for the tiers that demand action.
var tierColours = map[survey.Tier][2]string{
	survey.TierVeryHigh: {"C00000", "FFFFFF"},
	survey.TierMandated: {"7030A0", "FFFFFF"},
	survey.TierHigh:     {"F4B084", "000000"},
	survey.TierMedium:   {"FFE699", "000000"},
	survey.TierLow:      {"D9D9D9", "000000"},
}

// tierStyle returns the style name of a tier's cells; unknown tiers get
// plain text.
func tierStyle(t survey.Tier) string {
	if _, ok := tierColours[t]; ok {
		return "tier:" + string(t)
	}
	return styleText
}

// styleDef returns the excelize definition of the named style.
func styleDef(name string) (*excelize.Style, error) {
	border := []excelize.Border{{Type: "bottom", Color: "808080", Style: 1}}
	switch name {
	case styleTitle:
		return &excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}}, nil
	case styleHeader:
		return &excelize.Style{Font: &excelize.Font{Bold: true}, Border: border,
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9E1F2"}},
			Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}}, nil
	case styleLabel:
		return &excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{Vertical: "top"}}, nil
	case styleText:
		return &excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}}, nil
	case styleInt:
		return &excelize.Style{NumFmt: 1}, nil // "0"
	case styleDecimal:
		return &excelize.Style{NumFmt: 2}, nil // "0.00"
	case stylePercent:
		return &excelize.Style{NumFmt: 9}, nil // "0%"
	case styleIntLeft:
		return &excelize.Style{NumFmt: 1, Alignment: &excelize.Alignment{Horizontal: "left"}}, nil
	case styleDecimalLeft:
		return &excelize.Style{NumFmt: 2, Alignment: &excelize.Alignment{Horizontal: "left"}}, nil
	case styleIntCentre:
		return &excelize.Style{NumFmt: 1, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "top"}}, nil
	case styleTextRight:
		return &excelize.Style{Alignment: &excelize.Alignment{Horizontal: "right", Vertical: "top"}}, nil
	case styleNote:
		return &excelize.Style{Font: &excelize.Font{Italic: true, Color: "595959"}}, nil
	case styleTextCentre:
		return &excelize.Style{Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "top"}}, nil
	}
	for t, c := range tierColours {
		if name == "tier:"+string(t) {
			return &excelize.Style{Font: &excelize.Font{Bold: true, Color: c[1]},
				Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{c[0]}}}, nil
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
	def, err := styleDef(name)
	if err != nil {
		return 0, err
	}
	id, err := b.f.NewStyle(def)
	if err != nil {
		return 0, err
	}
	b.styles[styleKey{name, false}] = id
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
