package report

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/surveyworker/surveyworker/analysis"
	"github.com/surveyworker/surveyworker/survey"
)

// Defined names of the What-if sheet's input cells, for formulas a reader
// writes elsewhere in the workbook.
const (
	NameWeightSurvey       = "w_survey"
	NameWeightMandated     = "w_mandated"
	NameWeightGPFV         = "w_gpfv"
	NameWeightImpact       = "w_impact"
	NameWeightDependencies = "w_dependencies"
	NameVeryHigh           = "t_very_high"
	NameHigh               = "t_high"
)

// whatIfWidths are the widths of the What-if sheet's columns A to J, its
// first printed page.
var whatIfWidths = []float64{44, 11, 10, 10, 12, 11, 9, 25, 7, 8}

// whatIfOrderWidths are the widths of the columns of the ordered list, L
// to P, its second printed page.
var whatIfOrderWidths = []float64{6, 44, 25, 8, 8}

// whatIfPrinted returns the widths of the What-if sheet's first printed
// page and the height of its rows in points, about.
func whatIfPrinted(in WorkbookInput) ([]float64, float64) {
	g := whatIfGrid(in)
	h := 0.0
	for r := 1; r <= whatIfHeaderRow+len(in.Ranking.Rows); r++ {
		h += cmp.Or(g.heights[r], 15)
	}
	return whatIfWidths, h
}

// weightNames are the weight names in the order of [criterionNames].
var weightNames = []string{NameWeightSurvey, NameWeightImpact, NameWeightGPFV, NameWeightDependencies, NameWeightMandated}

// WhatIfHeader is the header of the What-if sheet's table of workstreams,
// in columns A to J of row [whatIfHeaderRow]: the criteria's 0–1 values,
// then the score, tier and rank as formulas over them and the weights,
// and the rank in the report for comparison.
var WhatIfHeader = []string{"Workstream", "Practice priority (survey)", "Impact", "GP Forward View",
	"Dependencies", "Centrally mandated", "Score", "Tier", "Rank", "Rank in report"}

// WhatIfOrderHeader heads the What-if sheet's list of the workstreams in
// the order the weights give, in columns L to P of row [whatIfHeaderRow].
var WhatIfOrderHeader = []string{"Rank", "Workstream, in the order these weights give", "Tier", "Score", "Rank in report"}

// Layout of the What-if sheet.
const (
	whatIfWeightRow    = 5  // the first weight
	whatIfTotalRow     = 10 // the sum of the weights
	whatIfThresholdCol = 9  // column I: the thresholds
	whatIfVeryHigh     = 5  // the Very high threshold's row
	whatIfHigh         = 6  // the High threshold's row
	whatIfHeaderRow    = 12 // the table of workstreams and the ordered list
	whatIfOrderCol     = 12 // column L: the ordered list
	whatIfHelperCol    = 18 // column R: hidden helper columns
)

// Hidden helper columns, from [whatIfHelperCol]: the tier's position in
// the tier order, the score to 9 decimals (the sort key), the score to 2
// decimals (the tie key), the name's position in name order and the
// workstream's position in the ranking.
const (
	helperTier = iota
	helperSort
	helperTie
	helperName
	helperPosition
	helperCount
)

// writeWhatIf writes the What-if sheet, on which a lead changes the
// weights in Excel and sees the ranking change, with no macro: five weight
// cells and two tier thresholds (defined names w_survey, w_mandated,
// w_gpfv, w_impact, w_dependencies, t_very_high and t_high), one row per
// workstream with its criteria's values as numbers and its score, tier
// and rank as formulas that repeat surveyworker's method (docs/METHOD.md
// §3–§5), and beside them the workstreams in the order the formulas give.
// Each formula also carries the value surveyworker computed, for readers
// that do not calculate.
func writeWhatIf(b *book, in WorkbookInput) {
	g := whatIfGrid(in)
	rows := in.Ranking.Rows
	s := b.newStream(SheetWhatIf)
	widths := append(append(slices.Clone(whatIfWidths), 2), whatIfOrderWidths...)
	widths = append(widths, 2)
	for range helperCount {
		widths = append(widths, 9)
	}
	s.widths(widths...)
	if s.b.err == nil {
		s.b.fail("What-if helper columns", s.sw.SetColVisible(whatIfHelperCol, whatIfHelperCol+helperCount-1, false))
	}
	g.stream(s)
	s.merge("A2", cell(len(whatIfWidths), 2))
	for _, m := range g.merges {
		s.merge(m[0], m[1])
	}
	b.defineWhatIfNames()
	b.validateWhatIfInputs()
	b.formatWhatIfTiers(len(rows))
	last := whatIfHeaderRow + len(rows)
	b.printArea(SheetWhatIf, fmt.Sprintf("A1:%s%d", colName(whatIfOrderCol+len(WhatIfOrderHeader)-1), last))
	if b.err == nil {
		b.fail("What-if page break", b.f.InsertPageBreak(SheetWhatIf, cell(whatIfOrderCol, 1)))
	}
	s.flush()
}

// whatIfGrid lays out the What-if sheet's cells.
func whatIfGrid(in WorkbookInput) *grid {
	g := newGrid()
	writeWhatIfInputs(g, in)
	writeWhatIfTable(g, in, in.Ranking.Rows)
	writeWhatIfOrder(g, in.Ranking.Rows)
	return g
}

// writeWhatIfInputs writes the title, the weights and the thresholds.
func writeWhatIfInputs(g *grid, in WorkbookInput) {
	g.set(1, 1, "What if the weights were different?", styleTitle)
	g.height(1, 24)
	note := "Type any numbers of 0 or more in the yellow cells: each weight counts as its share of their total, " +
		"so they need not add up to 1. Every score, tier and rank below is a formula over these cells and the criteria's values, " +
		"and the list on the right shows the workstreams in the order the new weights give; no macro is needed. " +
		"With the weights of this report every value equals the Ranking sheet's."
	g.set(2, 1, note, styleNoteWrap)
	g.height(2, linesHeight(textLines(note, sum(whatIfWidths))))
	for i, h := range []string{"Criterion", "Weight", "Share", "In this report"} {
		g.set(whatIfWeightRow-1, 1+i, h, styleHeader)
	}
	g.height(whatIfWeightRow-1, 30)
	w := weightValues(in.Ranking.Weights)
	for i, c := range criterionNames {
		row := whatIfWeightRow + i
		g.set(row, 1, c.name, styleLine)
		g.row(row)[2] = cellValue{v: w[i], style: styleInput}
		g.formula(row, 3, fmt.Sprintf("IF($B$%d>0,B%d/$B$%d,0)", whatIfTotalRow, row, whatIfTotalRow), share(w, i), styleShare)
		g.row(row)[4] = cellValue{v: w[i], style: styleHeat}
	}
	g.set(whatIfTotalRow, 1, "Total (the scores divide by it)", styleLabel)
	g.formula(whatIfTotalRow, 2, fmt.Sprintf("SUM(B%d:B%d)", whatIfWeightRow, whatIfTotalRow-1), sum(w), styleHeat)
	g.formula(whatIfTotalRow, 3, fmt.Sprintf("SUM(C%d:C%d)", whatIfWeightRow, whatIfTotalRow-1), 1.0, styleShare)
	g.row(whatIfTotalRow)[4] = cellValue{v: sum(w), style: styleHeat}
	t := whatIfThresholdCol
	g.set(whatIfVeryHigh-1, t-1, "Tier thresholds", styleHeader)
	g.set(whatIfVeryHigh-1, t, "Score", styleHeader)
	g.set(whatIfVeryHigh, t-1, "Very high from a score of", styleLine)
	g.row(whatIfVeryHigh)[t] = cellValue{v: in.Rank.Thresholds.VeryHigh, style: styleInput}
	g.set(whatIfHigh, t-1, "High from a score of", styleLine)
	g.row(whatIfHigh)[t] = cellValue{v: in.Rank.Thresholds.High, style: styleInput}
	floor := "Centrally mandated work scoring below Very high is placed in High - Centrally Mandated, just below Very high."
	if in.Rank.NoMandateFloor {
		floor = "Centrally mandated work is tiered on its score alone (the mandate floor is off)."
	}
	g.set(whatIfHigh+1, t-1, floor, styleNoteWrap)
	g.merges = append(g.merges, [2]string{cell(t-1, whatIfHigh+1), cell(t+1, whatIfHigh+3)})
}

// writeWhatIfTable writes the table of workstreams: values, formulas and
// the hidden helper columns.
func writeWhatIfTable(g *grid, in WorkbookInput, rows []survey.RankedWorkstream) {
	for i, h := range WhatIfHeader {
		g.set(whatIfHeaderRow, 1+i, h, styleHeader)
	}
	for i, h := range []string{"Tier order", "Sort key", "Tie key", "Name order", "Position"} {
		g.set(whatIfHeaderRow, whatIfHelperCol+i, h, styleHeader)
	}
	g.height(whatIfHeaderRow, 45)
	names := nameOrder(rows)
	first, last := whatIfHeaderRow+1, whatIfHeaderRow+len(rows)
	for i, r := range rows {
		row := first + i
		v := whatIfValues(r, in.Rank.DependencyCap)
		g.set(row, 1, r.Workstream, styleText)
		g.height(row, linesHeight(textLines(r.Workstream, whatIfWidths[0])))
		for k, x := range v {
			g.row(row)[2+k] = cellValue{v: x, style: styleDecimal}
		}
		f := whatIfFormulas(row, first, last, in.Rank.NoMandateFloor)
		tier := r.Tier.Order() + 1
		key := int64(math.Round(r.Score * 1e9))
		g.formula(row, 7, f.score, r.Score, styleScore)
		g.formula(row, 8, f.tier, string(r.Tier), styleLine)
		g.formula(row, 9, f.rank, r.Rank, styleIntCentre)
		g.row(row)[10] = cellValue{v: r.Rank, style: styleIntCentre}
		g.formula(row, whatIfHelperCol+helperTier, f.tierOrder, tier, styleInt)
		g.formula(row, whatIfHelperCol+helperSort, f.sortKey, key, styleInt)
		g.formula(row, whatIfHelperCol+helperTie, f.tieKey, int64(math.Round(float64(key)/1e7)), styleInt)
		g.row(row)[whatIfHelperCol+helperName] = cellValue{v: names[r.WorkstreamID], style: styleInt}
		g.formula(row, whatIfHelperCol+helperPosition, f.position, i+1, styleInt)
	}
}

// writeWhatIfOrder writes the list of workstreams in the order the weights
// give: the k-th row looks up the workstream at position k.
func writeWhatIfOrder(g *grid, rows []survey.RankedWorkstream) {
	g.set(whatIfHeaderRow-2, whatIfOrderCol, "The ranking these weights give", styleSection)
	for i, h := range WhatIfOrderHeader {
		g.set(whatIfHeaderRow, whatIfOrderCol+i, h, styleHeader)
	}
	first, last := whatIfHeaderRow+1, whatIfHeaderRow+len(rows)
	pos := helperRange(helperPosition, first, last)
	for k, r := range rows {
		row := whatIfHeaderRow + 1 + k
		look := func(col string) string {
			return fmt.Sprintf("INDEX($%s$%d:$%s$%d,MATCH(%d,%s,0))", col, first, col, last, k+1, pos)
		}
		g.formula(row, whatIfOrderCol, look("I"), r.Rank, styleIntCentre)
		g.formula(row, whatIfOrderCol+1, look("A"), r.Workstream, styleText)
		g.formula(row, whatIfOrderCol+2, look("H"), string(r.Tier), styleLine)
		g.formula(row, whatIfOrderCol+3, look("G"), r.Score, styleScore)
		g.formula(row, whatIfOrderCol+4, look("J"), r.Rank, styleIntCentre)
	}
}

// whatIfValues returns a workstream's criteria values in the order of
// [criterionNames], as [analysis.WorkshopValues] computes them.
func whatIfValues(r survey.RankedWorkstream, depCap int) []float64 {
	v := analysis.WorkshopValues(survey.Workstream{Mandated: r.Mandated, GPFV: r.GPFV, Impact: r.Impact}, r.Dependents, depCap)
	return []float64{r.PracticePriority, v.Impact, v.GPFV, v.Dependencies, v.Mandated}
}

// whatIfFormulaSet are the formulas of one row of the What-if table.
type whatIfFormulaSet struct {
	score, tierOrder, tier, sortKey, tieKey, rank, position string
}

// whatIfFormulas returns the formulas of table row row, whose rows run
// from first to last. They repeat docs/METHOD.md: the score is the
// weighted mean of the values (§3); the tier counts a score within 1e-9
// below a threshold as reaching it, and lifts mandated work below Very
// high to High - Centrally Mandated unless noFloor (§4); rows sort by
// tier, then score to 9 decimals, then name, and share a rank when in the
// same tier with scores equal to 2 decimals, half away from zero (§5), as
// ROUND does.
func whatIfFormulas(row, first, last int, noFloor bool) whatIfFormulaSet {
	var terms []string
	for k, n := range weightNames {
		terms = append(terms, fmt.Sprintf("%s*%s%d", n, colName(2+k), row))
	}
	tier := helperCell(helperTier, row)
	sortKey, tieKey := helperCell(helperSort, row), helperCell(helperTie, row)
	mandated := fmt.Sprintf("F%d=1", row)
	floor := fmt.Sprintf("IF(%s,2,IF(G%d>=%s-1E-9,3,4))", mandated, row, NameHigh)
	if noFloor {
		floor = fmt.Sprintf("IF(G%d>=%s-1E-9,3,4)", row, NameHigh)
	}
	tiers := helperRange(helperTier, first, last)
	better := fmt.Sprintf("SUMPRODUCT(--(%s<%s))", tiers, tier)
	sameTier := fmt.Sprintf("(%s=%s)", tiers, tier)
	return whatIfFormulaSet{
		score:     fmt.Sprintf("(%s)/(%s)", strings.Join(terms, "+"), strings.Join(weightNames, "+")),
		tierOrder: fmt.Sprintf("IF(G%d>=%s-1E-9,1,%s)", row, NameVeryHigh, floor),
		tier:      fmt.Sprintf(`CHOOSE(%s,"%s","%s","%s","%s")`, tier, survey.TierVeryHigh, survey.TierMandated, survey.TierHigh, survey.TierMedium),
		sortKey:   fmt.Sprintf("ROUND(G%d*1E9,0)", row),
		tieKey:    fmt.Sprintf("ROUND(%s/1E%d,0)", sortKey, 9-analysis.TieDecimals),
		rank:      fmt.Sprintf("1+%s+SUMPRODUCT(%s*(%s>%s))", better, sameTier, helperRange(helperTie, first, last), tieKey),
		position: fmt.Sprintf("1+%s+SUMPRODUCT(%s*(%s>%s))+SUMPRODUCT(%s*(%s=%s)*(%s<%s))", better,
			sameTier, helperRange(helperSort, first, last), sortKey,
			sameTier, helperRange(helperSort, first, last), sortKey, helperRange(helperName, first, last), helperCell(helperName, row)),
	}
}

// helperCell is helper column h's cell in row.
func helperCell(h, row int) string { return fmt.Sprintf("%s%d", colName(whatIfHelperCol+h), row) }

// helperRange is helper column h's absolute range over rows first..last.
func helperRange(h, first, last int) string {
	c := colName(whatIfHelperCol + h)
	return fmt.Sprintf("$%s$%d:$%s$%d", c, first, c, last)
}

// nameOrder numbers the workstreams by name, then ID, as the ranking
// breaks ties of equal scores (byte order, as Go compares strings).
func nameOrder(rows []survey.RankedWorkstream) map[string]int {
	sorted := slices.Clone(rows)
	slices.SortFunc(sorted, func(a, b survey.RankedWorkstream) int {
		return cmp.Or(strings.Compare(a.Workstream, b.Workstream), strings.Compare(a.WorkstreamID, b.WorkstreamID))
	})
	out := make(map[string]int, len(rows))
	for i, r := range sorted {
		out[r.WorkstreamID] = i + 1
	}
	return out
}

func share(w []float64, i int) float64 {
	if s := sum(w); s > 0 {
		return w[i] / s
	}
	return 0
}

// defineWhatIfNames gives the input cells their workbook-level names.
func (b *book) defineWhatIfNames() {
	ref := func(col, row int) string {
		return fmt.Sprintf("%s!$%s$%d", quoteSheet(SheetWhatIf), colName(col), row)
	}
	for i, n := range weightNames {
		b.defineName(n, ref(2, whatIfWeightRow+i))
	}
	b.defineName(NameVeryHigh, ref(whatIfThresholdCol, whatIfVeryHigh))
	b.defineName(NameHigh, ref(whatIfThresholdCol, whatIfHigh))
}

func (b *book) defineName(name, ref string) {
	if b.err == nil {
		b.fail("defined name "+name, b.f.SetDefinedName(&excelize.DefinedName{Name: name, RefersTo: ref}))
	}
}

// validateWhatIfInputs accepts only numbers of 0 or more as weights and
// numbers from 0 to 1 as thresholds.
func (b *book) validateWhatIfInputs() {
	if b.err != nil {
		return
	}
	weights := excelize.NewDataValidation(true)
	weights.Sqref = fmt.Sprintf("B%d:B%d", whatIfWeightRow, whatIfTotalRow-1)
	b.fail("What-if validation", weights.SetRange(0, math.MaxFloat32, excelize.DataValidationTypeDecimal, excelize.DataValidationOperatorGreaterThanOrEqual))
	weights.SetError(excelize.DataValidationErrorStyleStop, "Weight", "A weight is a number of 0 or more.")
	weights.SetInput("Weight", "Any number of 0 or more; weights count as shares of their total.")
	thresholds := excelize.NewDataValidation(true)
	thresholds.Sqref = fmt.Sprintf("%s:%s", cell(whatIfThresholdCol, whatIfVeryHigh), cell(whatIfThresholdCol, whatIfHigh))
	b.fail("What-if validation", thresholds.SetRange(0, 1, excelize.DataValidationTypeDecimal, excelize.DataValidationOperatorBetween))
	thresholds.SetError(excelize.DataValidationErrorStyleStop, "Threshold", "A threshold is a score from 0 to 1.")
	for _, dv := range []*excelize.DataValidation{weights, thresholds} {
		b.fail("What-if validation", b.f.AddDataValidation(SheetWhatIf, dv))
	}
}

// formatWhatIfTiers colours the tier cells by their value, and marks a
// rank that differs from the report's.
func (b *book) formatWhatIfTiers(n int) {
	if b.err != nil || n == 0 {
		return
	}
	first, last := whatIfHeaderRow+1, whatIfHeaderRow+n
	var rules []excelize.ConditionalFormatOptions
	for _, t := range []survey.Tier{survey.TierVeryHigh, survey.TierMandated, survey.TierHigh, survey.TierMedium} {
		c := tierColours[t]
		id := b.dxf(c[0], c[1])
		rules = append(rules, excelize.ConditionalFormatOptions{Type: "cell", Criteria: "==", Value: `"` + string(t) + `"`, Format: &id})
	}
	b.fail("What-if tiers", b.f.SetConditionalFormat(SheetWhatIf, fmt.Sprintf("H%d:H%d", first, last), rules))
	order := colName(whatIfOrderCol + 2)
	b.fail("What-if tiers", b.f.SetConditionalFormat(SheetWhatIf,
		fmt.Sprintf("%s%d:%s%d", order, first, order, last), rules))
	moved := b.dxf(colourInputFill, "1F3864")
	b.fail("What-if moves", b.f.SetConditionalFormat(SheetWhatIf, fmt.Sprintf("I%d:I%d", first, last),
		[]excelize.ConditionalFormatOptions{{Type: "formula", Criteria: fmt.Sprintf("$I%d<>$J%d", first, first), Format: &moved}}))
}

// dxf returns the id of a differential format (for conditional formats)
// with the given fill and font colour.
func (b *book) dxf(fill, colour string) int {
	if b.err != nil {
		return 0
	}
	key := styleKey{name: "dxf:" + fill + ":" + colour}
	if id, ok := b.styles[key]; ok {
		return id
	}
	id, err := b.f.NewConditionalStyle(&excelize.Style{Font: font(excelize.Font{Color: colour, Bold: true}),
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{fill}}})
	b.fail("conditional style", err)
	b.styles[key] = id
	return id
}

// grid collects a small sheet's cells before they are streamed in row
// order, so that blocks side by side can be written one after another.
type grid struct {
	cells   map[int]map[int]cellValue
	heights map[int]float64
	merges  [][2]string
}

// cellValue is one cell of a grid: a value, or a formula with its cached
// value.
type cellValue struct {
	v       any
	formula string
	style   string
}

func newGrid() *grid {
	return &grid{cells: map[int]map[int]cellValue{}, heights: map[int]float64{}}
}

func (g *grid) row(r int) map[int]cellValue {
	if g.cells[r] == nil {
		g.cells[r] = map[int]cellValue{}
	}
	return g.cells[r]
}

// set puts text s at row r, column c.
func (g *grid) set(r, c int, s, style string) { g.row(r)[c] = cellValue{v: s, style: style} }

// formula puts formula f with cached value v at row r, column c.
func (g *grid) formula(r, c int, f string, v any, style string) {
	g.row(r)[c] = cellValue{v: v, formula: f, style: style}
}

// height sets row r's height in points.
func (g *grid) height(r int, h float64) { g.heights[r] = h }

// stream writes the grid's rows in order.
func (g *grid) stream(s *stream) {
	var rows []int
	for r := range g.cells {
		rows = append(rows, r)
	}
	slices.Sort(rows)
	for _, r := range rows {
		var cols []int
		for c := range g.cells[r] {
			cols = append(cols, c)
		}
		slices.Sort(cols) // styles are made in order of first use
		cells := make([]any, cols[len(cols)-1])
		for _, c := range cols {
			v := g.cells[r][c]
			switch {
			case v.formula != "":
				cells[c-1] = s.formula(v.formula, v.v, v.style)
			default:
				if t, ok := v.v.(string); ok {
					cells[c-1] = s.text(t, v.style)
				} else {
					cells[c-1] = s.value(v.v, v.style)
				}
			}
		}
		s.skip(r - s.row - 1)
		s.lineWith(excelize.RowOpts{Height: g.heights[r]}, cells...)
	}
}
