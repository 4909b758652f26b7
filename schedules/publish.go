package schedules

import (
	"context"
	"errors"
	"fmt"

	"github.com/surveyworker/surveyworker/report"
	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/survey"
)

// Publication is what [Cycle.Publish] did.
type Publication struct {
	// Ranking is the ranking published: the latest stored, or one
	// computed because none was.
	Ranking survey.Ranking
	// Computed is set when no ranking was stored and one was computed.
	Computed bool
	// Mailing is what was queued for the leads, and where each e-mail
	// stands, when e-mail was asked for.
	Mailing
}

// Publish writes the workbook of the latest stored ranking to path,
// computing and storing a ranking first when none is, and with email
// sends it to the leads through the outbox (at most once per lead and
// ranking run, however often it is repeated), sending at once through
// Sender when it is set. When some lead could not be reached the error
// wraps [report.ErrUndelivered] and the deliveries are still returned.
func (c *Cycle) Publish(ctx context.Context, path string, email bool) (Publication, error) {
	var p Publication
	r, err := c.Store.LatestRanking(ctx)
	switch {
	case err == nil:
		p.Ranking = *r
	case errors.Is(err, store.ErrNotFound):
		if p.Ranking, err = c.Recompute(ctx); err != nil {
			return p, err
		}
		p.Computed = true
	default:
		return p, fmt.Errorf("cycle: latest ranking: %w", err)
	}
	if err := c.WriteWorkbook(ctx, p.Ranking, path); err != nil {
		return p, err
	}
	if !email {
		return p, nil
	}
	if p.Mailing, err = c.Queue(ctx, p.Ranking, path); err != nil {
		return p, err
	}
	if c.Sender != nil {
		if _, err := c.Sender.DeliverPending(ctx); err != nil {
			return p, err
		}
	}
	if len(p.ReportKeys) > 0 {
		p.Deliveries, err = report.Deliveries(ctx, c.Store, p.ReportKeys...)
	}
	return p, err
}
