package store

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
)

// fileTotals accumulates a file's survey totals (see totals.go) while its
// rows are copied, so that the load need not read its answers again: per
// practice and role (a group) and answer position, the number of answers
// and how many times each distinct score was given. Counting scores rather
// than adding them keeps the sums exact; they are written as exact
// decimals once the rows are in ([fileTotals.copyTo]).
//
// Its memory is bounded: a file whose groups, positions and distinct
// scores would need more than maxTotalsBytes stops accumulating
// (disabled), and the load computes its totals in PostgreSQL instead.
type fileTotals struct {
	disabled bool
	width    int // answer positions: the file's workstreams
	groups   map[groupKey]int32
	keys     []groupKey
	// cols holds per answer position the distinct scores met and the
	// counts of each group.
	cols []totalsColumn
	// practices counts respondents per practice code ("" for none).
	practices map[string]int
	bytes     int
}

// groupKey is a practice and a role (trimmed of spaces, as btrim trims).
type groupKey struct{ practice, role string }

// totalsColumn is one answer position of a file.
type totalsColumn struct {
	// levels are the distinct scores met, by their bits; level maps them
	// to their index.
	levels []float64
	level  map[uint64]int
	// answered[g] is group g's non-blank answers; counts[g*len(levels)+l]
	// how many of them scored levels[l].
	answered []int32
	counts   []int32
}

// maxTotalsBytes bounds the memory of a [fileTotals]; tests lower it.
var maxTotalsBytes = 64 << 20

func newFileTotals(width int) *fileTotals {
	t := &fileTotals{width: width, groups: map[groupKey]int32{}, practices: map[string]int{},
		cols: make([]totalsColumn, width)}
	for i := range t.cols {
		t.cols[i].level = map[uint64]int{}
	}
	return t
}

// add counts one row that was copied.
func (t *fileTotals) add(r *RespondentRow) {
	if t.disabled {
		return
	}
	t.practices[r.PracticeODS]++
	if r.PracticeODS == "" {
		return
	}
	if len(r.Answers) > t.width {
		t.disable() // not aligned with the file's workstreams: PostgreSQL decides
		return
	}
	g := t.group(groupKey{r.PracticeODS, strings.Trim(r.Role, " ")})
	if t.disabled {
		return
	}
	for j := range r.Answers {
		a := &r.Answers[j]
		if a.Raw == "" {
			continue
		}
		c := &t.cols[j]
		c.answered[g]++
		if !a.Scored {
			continue
		}
		l, ok := c.level[math.Float64bits(a.Score)]
		if !ok {
			if l = t.addLevel(c, a.Score); l < 0 {
				return
			}
		}
		c.counts[int(g)*len(c.levels)+l]++
	}
}

// group returns the index of key, adding a group when it is new.
func (t *fileTotals) group(key groupKey) int32 {
	if g, ok := t.groups[key]; ok {
		return g
	}
	g := int32(len(t.keys))
	t.groups[key] = g
	t.keys = append(t.keys, key)
	for i := range t.cols {
		c := &t.cols[i]
		c.answered = append(c.answered, 0)
		for range c.levels {
			c.counts = append(c.counts, 0)
		}
		t.bytes += 4 * (1 + len(c.levels))
	}
	if t.bytes > maxTotalsBytes {
		t.disable()
	}
	return g
}

// addLevel adds score as a new level of c, widening its counts, and
// returns its index, or -1 when that disabled t.
func (t *fileTotals) addLevel(c *totalsColumn, score float64) int {
	n := len(c.levels)
	counts := make([]int32, len(c.answered)*(n+1))
	for g := range c.answered {
		copy(counts[g*(n+1):], c.counts[g*n:(g+1)*n])
	}
	c.counts = counts
	c.levels = append(c.levels, score)
	c.level[math.Float64bits(score)] = n
	if t.bytes += 4 * len(c.answered); t.bytes > maxTotalsBytes {
		t.disable()
		return -1
	}
	return n
}

func (t *fileTotals) disable() {
	*t = fileTotals{disabled: true}
}

// removedCell is how many of the rows removed as duplicates gave one
// score (nil: unscored) at one answer position, for one group; the
// fields are in the order of removeDuplicates' json_build_array.
type removedCell struct {
	Practice, Role string
	Ord            int
	Score          *float64
	N              int
}

// UnmarshalJSON reads a cell from [practice, role, ord, score, n].
func (c *removedCell) UnmarshalJSON(b []byte) error {
	return json.Unmarshal(b, &[]any{&c.Practice, &c.Role, &c.Ord, &c.Score, &c.N})
}

// removed takes the rows removed as duplicates off the totals: cells of
// their answers and their number per practice.
func (t *fileTotals) removed(cells []removedCell, practices map[string]int) error {
	if t.disabled {
		return nil
	}
	for p, n := range practices {
		if t.practices[p] -= n; t.practices[p] < 0 {
			return fmt.Errorf("practice %q: more duplicates removed than rows copied", p)
		}
	}
	for _, c := range cells {
		if err := t.remove(groupKey{c.Practice, c.Role}, c.Ord-1, c.Score, c.N); err != nil {
			return err
		}
	}
	return nil
}

// remove takes n answers at position j scoring score (nil: unscored) of
// the group key off the totals.
func (t *fileTotals) remove(key groupKey, j int, score *float64, n int) error {
	g, ok := t.groups[key]
	if !ok || j < 0 || j >= t.width {
		return fmt.Errorf("duplicate answers of %v at position %d were not copied", key, j+1)
	}
	c := &t.cols[j]
	if c.answered[g] -= int32(n); c.answered[g] < 0 {
		return fmt.Errorf("more duplicate answers of %v at position %d than copied", key, j+1)
	}
	if score == nil {
		return nil
	}
	l, ok := c.level[math.Float64bits(*score)]
	if !ok {
		return fmt.Errorf("duplicate score %v of %v at position %d was not copied", *score, key, j+1)
	}
	if c.counts[int(g)*len(c.levels)+l] -= int32(n); c.counts[int(g)*len(c.levels)+l] < 0 {
		return fmt.Errorf("more duplicate scores %v of %v at position %d than copied", *score, key, j+1)
	}
	return nil
}

// copyTo writes the totals into answer_totals and practice_totals with
// COPY. workstreams are the file's workstreams, by answer position; a
// workstream at two positions has its positions' totals added.
func (t *fileTotals) copyTo(ctx context.Context, tx *sqlx.Tx, fileID int64, workstreams []string) error {
	stmt, err := tx.PrepareContext(ctx, "COPY practice_totals (file_id, practice_ods, respondents) FROM STDIN")
	if err != nil {
		return err
	}
	for p, n := range t.practices {
		if n > 0 {
			if _, err := stmt.ExecContext(ctx, fileID, p, n); err != nil {
				stmt.Close()
				return err
			}
		}
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		stmt.Close()
		return err
	}
	stmt.Close()
	byWorkstream := map[string][]int{}
	var order []string
	for j, w := range workstreams {
		if j >= t.width {
			break
		}
		if byWorkstream[w] == nil {
			order = append(order, w)
		}
		byWorkstream[w] = append(byWorkstream[w], j)
	}
	stmt, err = tx.PrepareContext(ctx, `COPY answer_totals (file_id, practice_ods, role, workstream_id,
		answered, scored, score_sum) FROM STDIN`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	var sum exactSum
	for g, key := range t.keys {
		for _, w := range order {
			answered, scored := 0, 0
			sum.reset()
			for _, j := range byWorkstream[w] {
				c := &t.cols[j]
				answered += int(c.answered[g])
				for l, v := range c.levels {
					n := c.counts[g*len(c.levels)+l]
					scored += int(n)
					sum.add(v, int64(n))
				}
			}
			if answered == 0 {
				continue
			}
			if _, err := stmt.ExecContext(ctx, fileID, key.practice, key.role, w, answered, scored, sum.String()); err != nil {
				return err
			}
		}
	}
	_, err = stmt.ExecContext(ctx)
	return err
}

// exactSum adds scores exactly, each as its shortest round-trip decimal
// (strconv's 'e' with precision -1, the digits PostgreSQL prints for a
// double with extra_float_digits of 1 or more): a decimal is an integer
// times a power of ten, and the integers are added in a big.Int.
type exactSum struct {
	mant  big.Int
	scale int // digits after the decimal point of mant
	tmp   big.Int
	// decimals caches each score's decimal, by its bits.
	decimals map[uint64]decimal
}

// decimal is d × 10^-scale.
type decimal struct {
	d     big.Int
	scale int
}

func (s *exactSum) reset() {
	s.mant.SetInt64(0)
	s.scale = 0
}

// add adds n times v, a finite double of at least 0.
func (s *exactSum) add(v float64, n int64) {
	if n == 0 || v == 0 {
		return
	}
	if s.decimals == nil {
		s.decimals = map[uint64]decimal{}
	}
	d, ok := s.decimals[math.Float64bits(v)]
	if !ok {
		d = decimalOf(v)
		s.decimals[math.Float64bits(v)] = d
	}
	if d.scale > s.scale {
		s.mant.Mul(&s.mant, pow10(d.scale-s.scale))
		s.scale = d.scale
	}
	s.tmp.Mul(&d.d, big.NewInt(n))
	if d.scale < s.scale {
		s.tmp.Mul(&s.tmp, pow10(s.scale-d.scale))
	}
	s.mant.Add(&s.mant, &s.tmp)
}

// addDecimal adds the decimal numeral text ("12.750", as PostgreSQL
// prints a numeric of at least 0).
func (s *exactSum) addDecimal(text string) error {
	whole, frac, _ := strings.Cut(text, ".")
	var d decimal
	if _, ok := d.d.SetString(whole+frac, 10); !ok || d.d.Sign() < 0 {
		return fmt.Errorf("not a decimal of at least 0: %q", text)
	}
	d.scale = len(frac)
	if d.scale > s.scale {
		s.mant.Mul(&s.mant, pow10(d.scale-s.scale))
		s.scale = d.scale
	} else if d.scale < s.scale {
		d.d.Mul(&d.d, pow10(s.scale-d.scale))
	}
	s.mant.Add(&s.mant, &d.d)
	return nil
}

// String returns the sum as a decimal numeral.
func (s *exactSum) String() string {
	digits := s.mant.String()
	if s.scale == 0 {
		return digits
	}
	if len(digits) <= s.scale {
		digits = strings.Repeat("0", s.scale-len(digits)+1) + digits
	}
	return digits[:len(digits)-s.scale] + "." + digits[len(digits)-s.scale:]
}

// decimalOf returns the shortest decimal that reads back as v.
func decimalOf(v float64) decimal {
	// "d.ddddde±xx": the digits, then the exponent of the first.
	text := strconv.FormatFloat(v, 'e', -1, 64)
	mant, exp, _ := strings.Cut(text, "e")
	e, _ := strconv.Atoi(exp)
	digits := strings.Replace(mant, ".", "", 1)
	scale := len(digits) - 1 - e // digits after the point of digits × 10^(e - len + 1)
	var d decimal
	d.d.SetString(digits, 10)
	if scale < 0 {
		d.d.Mul(&d.d, pow10(-scale))
		scale = 0
	}
	d.scale = scale
	return d
}

// pow10 returns 10^n.
func pow10(n int) *big.Int {
	if n < len(smallPow10) {
		return smallPow10[n]
	}
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)
}

// smallPow10 are 10^0 … 10^39.
var smallPow10 = func() []*big.Int {
	out := make([]*big.Int, 40)
	for i := range out {
		out[i] = new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(i)), nil)
	}
	return out
}()
