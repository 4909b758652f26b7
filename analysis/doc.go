// Package analysis ranks the workstream catalogue from the survey and the
// workshop criteria: practice priority (one practice, one vote), a weighted
// multi-criteria score, tiers by fixed thresholds with the mandate floor,
// and competition ranks. Around the point ranking it reports each score's
// 90% interval and the probability that its tier is right (t on the logit
// scale), rank ranges from a bootstrap over practices, the sensitivity of
// the tiers to each weight, per-federation and per-role segments, and the
// movement since the previous stored run.
//
// The scoring is a set of pure functions over plain inputs ([Compute]);
// [Run] is the thin loader that reads the survey aggregates through the
// store, computes and optionally saves. docs/METHOD.md describes the method.
package analysis
