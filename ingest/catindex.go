package ingest

import (
	"sync"

	"github.com/surveyworker/surveyworker/survey"
)

// catalogueNames indexes the folded names, aliases and IDs of the last
// catalogue matched against, for [matchCatalogue]: a file matches every
// option of every multi-select answer, and [survey.Catalogue.Match] folds
// every name of the catalogue at each call. A catalogue is not changed
// once it is in use, so one index per catalogue holds.
var catalogueNames struct {
	sync.Mutex
	cat   *survey.Catalogue
	names map[string]survey.Workstream
}

// matchCatalogue is [survey.Catalogue.Match] through an index of cat's
// names.
func matchCatalogue(cat *survey.Catalogue, s string) (survey.Workstream, bool) {
	k := survey.NormalizeName(s)
	if k == "" {
		return survey.Workstream{}, false
	}
	catalogueNames.Lock()
	if catalogueNames.cat != cat {
		names := map[string]survey.Workstream{}
		for _, w := range cat.Workstreams {
			for _, n := range append([]string{w.ID, w.Name}, w.Aliases...) {
				if f := survey.NormalizeName(n); f != "" {
					if _, taken := names[f]; !taken {
						names[f] = w
					}
				}
			}
		}
		catalogueNames.cat, catalogueNames.names = cat, names
	}
	w, ok := catalogueNames.names[k]
	catalogueNames.Unlock()
	return w, ok
}
