package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ErrClaimed is wrapped by the error [Store.ClaimFile] returns when the
// file is claimed by a live worker or is waiting for its next attempt.
var ErrClaimed = errors.New("store: file claimed")

// ErrClaimLost is returned by [Store.RenewClaim] when the claim is no
// longer held: its lease expired and another worker took the file.
var ErrClaimLost = errors.New("store: file claim lost")

// FileVersion identifies the contents of an inbox file by what the file
// system says of it, without reading it.
type FileVersion struct {
	// Size is the file's size in bytes.
	Size int64
	// MTime is the file's modification time.
	MTime time.Time
}

// Claim is a worker's claim on an inbox file, held until its lease
// expires unless renewed.
type Claim struct {
	// Name is the file's name in the inbox; Owner the claim's holder.
	Name, Owner string
	// ExpiresAt is when the lease ends unless renewed.
	ExpiresAt time.Time
	// Attempts counts the earlier attempts on this version of the file
	// that failed for a passing reason.
	Attempts int
}

// ClaimedError says who holds a file's claim, or until when the file
// waits for its next attempt. It wraps [ErrClaimed].
type ClaimedError struct {
	// Name is the file's name in the inbox.
	Name string
	// Owner holds the claim; empty while the file waits for its next
	// attempt.
	Owner string
	// Until is when the file may be claimed again, at the earliest.
	Until time.Time
}

// Error says who holds the claim and until when.
func (e *ClaimedError) Error() string {
	if e.Owner == "" {
		return fmt.Sprintf("store: file %s waits for its next attempt at %s", e.Name, e.Until.Format(time.RFC3339))
	}
	return fmt.Sprintf("store: file %s claimed by %s until %s", e.Name, e.Owner, e.Until.Format(time.RFC3339))
}

// Unwrap returns [ErrClaimed].
func (e *ClaimedError) Unwrap() error { return ErrClaimed }

// ClaimFile claims the inbox file called name for owner, for lease from
// now, unless a live claim exists or the same version v of the file
// failed and waits for its next attempt; then the error is a
// *[ClaimedError]. An expired claim is taken over: its holder died or
// stalled. A claim of a version other than the one that failed resets
// the count of attempts. owner must be unique to this claim: renewals
// and releases name it.
//
// Leases are kept on the database's clock (see [Store.DBNow]), so that a
// replica whose own clock runs fast does not see another's live lease as
// expired. The times of [Claim] and [ClaimedError] are on this process's
// clock ([Store.Now]): the returned ExpiresAt is lease from when the
// claim was asked for, and Until is as far ahead as the database says.
func (s *Store) ClaimFile(ctx context.Context, name, owner string, v FileVersion, lease time.Duration) (Claim, error) {
	c := Claim{Name: name, Owner: owner, ExpiresAt: s.Now().Add(lease)}
	for range 3 {
		err := s.db.GetContext(ctx, &c.Attempts, `INSERT INTO file_claims (name, owner, size_bytes, mtime, claimed_at, expires_at)
			VALUES ($1, $2, $3, $4, coalesce($6::timestamptz, now()), coalesce($6::timestamptz, now()) + $5 * interval '1 microsecond')
			ON CONFLICT (name) DO UPDATE SET owner = EXCLUDED.owner, claimed_at = EXCLUDED.claimed_at,
				expires_at = EXCLUDED.expires_at, size_bytes = EXCLUDED.size_bytes, mtime = EXCLUDED.mtime,
				attempts = CASE WHEN (file_claims.size_bytes, file_claims.mtime) IS NOT DISTINCT FROM (EXCLUDED.size_bytes, EXCLUDED.mtime)
					THEN file_claims.attempts ELSE 0 END,
				next_attempt_at = CASE WHEN (file_claims.size_bytes, file_claims.mtime) IS NOT DISTINCT FROM (EXCLUDED.size_bytes, EXCLUDED.mtime)
					THEN file_claims.next_attempt_at END
			WHERE file_claims.expires_at <= EXCLUDED.claimed_at
				AND (file_claims.next_attempt_at IS NULL OR file_claims.next_attempt_at <= EXCLUDED.claimed_at
					OR (file_claims.size_bytes, file_claims.mtime) IS DISTINCT FROM (EXCLUDED.size_bytes, EXCLUDED.mtime))
			RETURNING attempts`, name, owner, v.Size, v.MTime.UTC(), lease.Microseconds(), s.dbNow())
		if err == nil {
			return c, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return Claim{}, fmt.Errorf("store: claim file %s: %w", name, err)
		}
		var held struct {
			Owner string `db:"owner"`
			// Wait is how long, in microseconds, until the file may be
			// claimed again, on the database's clock.
			Wait int64 `db:"wait"`
		}
		err = s.db.GetContext(ctx, &held, `SELECT owner,
				(extract(epoch FROM greatest(expires_at, coalesce(next_attempt_at, expires_at))
					- coalesce($2::timestamptz, now())) * 1000000)::bigint AS wait
			FROM file_claims WHERE name = $1`, name, s.dbNow())
		if errors.Is(err, sql.ErrNoRows) {
			continue // released meanwhile: try again
		}
		if err != nil {
			return Claim{}, fmt.Errorf("store: claim file %s: %w", name, err)
		}
		until := s.Now().Add(time.Duration(held.Wait) * time.Microsecond)
		return Claim{}, &ClaimedError{Name: name, Owner: held.Owner, Until: until}
	}
	return Claim{}, fmt.Errorf("store: claim file %s: claimed and released repeatedly meanwhile", name)
}

// RenewClaim extends c's lease to lease from now, on the database's
// clock. It returns an error wrapping [ErrClaimLost] when c is no longer
// held.
func (s *Store) RenewClaim(ctx context.Context, c *Claim, lease time.Duration) error {
	exp := s.Now().Add(lease)
	res, err := s.db.ExecContext(ctx, `UPDATE file_claims
		SET expires_at = coalesce($4::timestamptz, now()) + $3 * interval '1 microsecond'
		WHERE name = $1 AND owner = $2`, c.Name, c.Owner, lease.Microseconds(), s.dbNow())
	if err != nil {
		return fmt.Errorf("store: renew claim %s: %w", c.Name, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("store: renew claim %s: %w", c.Name, ErrClaimLost)
	}
	c.ExpiresAt = exp
	return nil
}

// ReleaseClaim deletes c: the file has left the inbox, or was found gone.
// Releasing a claim no longer held does nothing.
func (s *Store) ReleaseClaim(ctx context.Context, c Claim) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM file_claims WHERE name = $1 AND owner = $2`, c.Name, c.Owner); err != nil {
		return fmt.Errorf("store: release claim %s: %w", c.Name, err)
	}
	return nil
}

// DeferClaim gives c up after an attempt that failed for a passing reason,
// recording the error and that no worker is to try this version of the
// file again before next, a time on this process's clock that is kept as
// as far ahead on the database's. Deferring a claim no longer held does
// nothing.
func (s *Store) DeferClaim(ctx context.Context, c Claim, next time.Time, errText string) error {
	wait := next.Sub(s.Now())
	_, err := s.db.ExecContext(ctx, `UPDATE file_claims SET owner = '', expires_at = coalesce($5::timestamptz, now()),
			attempts = attempts + 1, next_attempt_at = coalesce($5::timestamptz, now()) + $3 * interval '1 microsecond',
			last_error = $4
		WHERE name = $1 AND owner = $2`, c.Name, c.Owner, wait.Microseconds(), errText, s.dbNow())
	if err != nil {
		return fmt.Errorf("store: defer claim %s: %w", c.Name, err)
	}
	return nil
}

// LiveClaims returns the inbox files claimed by a worker whose lease has
// not expired on the database's clock, each with its claim's owner.
func (s *Store) LiveClaims(ctx context.Context) (map[string]string, error) {
	var rows []struct{ Name, Owner string }
	if err := s.db.SelectContext(ctx, &rows, `SELECT name, owner FROM file_claims
		WHERE owner <> '' AND expires_at > coalesce($1::timestamptz, now())`, s.dbNow()); err != nil {
		return nil, fmt.Errorf("store: live claims: %w", err)
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.Name] = r.Owner
	}
	return out, nil
}
