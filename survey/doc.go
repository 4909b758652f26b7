// Package survey holds the nouns every other package shares: workstreams and
// their catalogue, practices and federations, answer scales and tiers.
//
// It imports nothing else of this module and knows nothing of SQL, files or
// e-mail, so ingest, store, analysis and report can all depend on it without
// cycles.
package survey
