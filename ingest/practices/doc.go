// Package practices is the registry of GP practices and the matching of a
// respondent's answer ("Jericho Canal Surgery", "K84501", "jerico canal")
// to one of them.
//
// registry.go reads the registry: the project's CSV (ods_code, name,
// federation and optional columns) or, through epraccur.go, the NHS ODS
// file epraccur.csv. matcher.go matches answers by ODS code, name, alias,
// the name without generic words, and then by a fuzzy comparison of words
// that must find one clear winner.
package practices
