package main

import "strings"

// nearest returns the candidate that s most likely misspells, or "" when
// none is close: the one within a few edits of s (a letter added, dropped,
// changed or two swapped; case is ignored), else the only one that s
// begins, so "ingets" gives "ingest", "shedule" "schedule" and "prac"
// "practices". Ties go to the earlier candidate.
func nearest(s string, candidates []string) string {
	s = strings.ToLower(s)
	best, bestDist := "", maxEdits(s)+1
	for _, c := range candidates {
		if d := editDistance(s, strings.ToLower(c)); d < bestDist {
			best, bestDist = c, d
		}
	}
	if best != "" || len(s) < 3 {
		return best
	}
	var prefixed []string
	for _, c := range candidates {
		if strings.HasPrefix(strings.ToLower(c), s) {
			prefixed = append(prefixed, c)
		}
	}
	if len(prefixed) == 1 {
		return prefixed[0]
	}
	return ""
}

// maxEdits is how many edits still make a likely typo of s: one in a short
// word, up to three in a long one.
func maxEdits(s string) int {
	return max(1, min(3, len([]rune(s))/3))
}

// editDistance returns the optimal string alignment distance between a
// and b: the fewest insertions, deletions, substitutions and swaps of two
// adjacent letters that turn a into b.
func editDistance(a, b string) int {
	r, t := []rune(a), []rune(b)
	// d[i][j] is the distance between r[:i] and t[:j].
	d := make([][]int, len(r)+1)
	for i := range d {
		d[i] = make([]int, len(t)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(r); i++ {
		for j := 1; j <= len(t); j++ {
			cost := 1
			if r[i-1] == t[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && r[i-1] == t[j-2] && r[i-2] == t[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(r)][len(t)]
}
