package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/surveyworker/surveyworker/survey"
)

// practicesDigestSetting is the settings row holding the digest of the
// registry last imported.
const practicesDigestSetting = "practices_sha256"

// practicesLockKey serialises practice imports across processes.
const practicesLockKey = 0x5357_5052_4143 // "SWPRAC"

// PracticesImport reports what [Store.ImportPractices] did.
type PracticesImport struct {
	// Practices is the number of practices given.
	Practices int
	// Unchanged is true when the same registry was the last imported, so
	// nothing was written.
	Unchanged bool
}

// UpsertPractices is [Store.ImportPractices], returning the number of
// practices given.
func (s *Store) UpsertPractices(ctx context.Context, ps []survey.Practice) (int, error) {
	imp, err := s.ImportPractices(ctx, ps)
	return imp.Practices, err
}

// ImportPractices inserts or updates practices by ODS code, creating their
// federations as needed, in one transaction: the registry is copied into
// a temporary table, then upserted with one statement per table. When a
// code is given twice, the last one counts. Importing the same registry
// twice changes nothing, and when ps is the registry last imported (by a
// SHA-256 of its content, kept in settings) nothing is written at all.
// A practice that breaks the table's rules (an ODS code of the wrong
// shape) refuses the whole registry.
func (s *Store) ImportPractices(ctx context.Context, ps []survey.Practice) (PracticesImport, error) {
	imp := PracticesImport{Practices: len(ps)}
	digest := practicesDigest(ps)
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, practicesLockKey); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
		var last string
		err := tx.GetContext(ctx, &last, `SELECT coalesce((SELECT value FROM settings WHERE name = $1), '')`, practicesDigestSetting)
		if err != nil {
			return err
		}
		if lastRegistry, lastTable, _ := strings.Cut(last, " "); lastRegistry == digest {
			table, err := practicesTableDigest(ctx, tx)
			if err != nil {
				return err
			}
			if table == lastTable {
				imp.Unchanged = true
				return nil
			}
		}
		if err := upsertPractices(ctx, tx, ps); err != nil {
			return err
		}
		table, err := practicesTableDigest(ctx, tx)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO settings (name, value, set_at) VALUES ($1, $2, $3)
			ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value, set_at = EXCLUDED.set_at`,
			practicesDigestSetting, digest+" "+table, s.Now())
		return err
	})
	if err != nil {
		return PracticesImport{}, fmt.Errorf("store: upsert practices: %w", err)
	}
	return imp, nil
}

// practicesDigest returns the SHA-256 of ps, field by field: the same
// practices in the same order give the same digest.
func practicesDigest(ps []survey.Practice) string {
	h := sha256.New()
	field := func(s string) {
		fmt.Fprintf(h, "%d:%s", len(s), s)
	}
	for _, p := range ps {
		field(p.ODSCode)
		field(p.Name)
		field(p.Federation)
		field(strconv.Itoa(p.ListSize))
		field(p.Postcode)
		field(strconv.Itoa(len(p.Aliases)))
		for _, a := range p.Aliases {
			field(a)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// practicesTableDigest returns a fingerprint of the practices and
// federations tables as stored: their row counts and the sums of their
// rows' xmin, the transaction that last wrote each row. An import is
// skipped only when both the registry and the tables are as the last
// import left them, so tables changed since by hand, restored from a
// backup or emptied are written again. It reads no row's data: about a
// millisecond for thousands of practices.
func practicesTableDigest(ctx context.Context, tx *sqlx.Tx) (string, error) {
	var d string
	err := tx.GetContext(ctx, &d, `SELECT concat_ws(':',
			(SELECT count(*) FROM practices), (SELECT coalesce(sum(xmin::text::bigint), 0) FROM practices),
			(SELECT count(*) FROM federations), (SELECT coalesce(sum(xmin::text::bigint), 0) FROM federations))`)
	if err != nil {
		return "", fmt.Errorf("practices digest: %w", err)
	}
	return d, nil
}

// odsCodeRule is the practices table's rule for an ODS code.
var odsCodeRule = regexp.MustCompile(`^[A-Z0-9]{3,10}$`)

// upsertPractices copies ps into a temporary table and upserts the
// federations and practices from it.
func upsertPractices(ctx context.Context, tx *sqlx.Tx, ps []survey.Practice) error {
	for _, p := range ps {
		if !odsCodeRule.MatchString(p.ODSCode) {
			return fmt.Errorf("practice %q (%s): not an ODS code: 3 to 10 capital letters and digits", p.ODSCode, p.Name)
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE stage_practices (ord integer, ods_code text, name text,
			federation text, list_size integer, postcode text, aliases text[]) ON COMMIT DROP`); err != nil {
		return err
	}
	stmt, err := tx.PrepareContext(ctx, `COPY stage_practices (ord, ods_code, name, federation, list_size,
		postcode, aliases) FROM STDIN`)
	if err != nil {
		return err
	}
	for i, p := range ps {
		var listSize *int
		if p.ListSize > 0 {
			listSize = &p.ListSize
		}
		aliases := p.Aliases
		if aliases == nil {
			aliases = []string{}
		}
		if _, err := stmt.ExecContext(ctx, i, p.ODSCode, p.Name, p.Federation, listSize, p.Postcode, pq.Array(aliases)); err != nil {
			stmt.Close()
			return fmt.Errorf("practice %s: %w", p.ODSCode, err)
		}
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		stmt.Close()
		return err
	}
	if err := stmt.Close(); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO federations (name)
		SELECT DISTINCT federation FROM stage_practices WHERE federation <> '' ORDER BY 1
		ON CONFLICT (name) DO NOTHING`)
	if err != nil {
		return fmt.Errorf("federations: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO practices AS p (ods_code, name, federation_id, list_size, postcode, aliases)
		SELECT DISTINCT ON (s.ods_code) s.ods_code, s.name, f.id, s.list_size, nullif(s.postcode, ''), s.aliases
		FROM stage_practices s LEFT JOIN federations f ON f.name = s.federation
		ORDER BY s.ods_code, s.ord DESC
		ON CONFLICT (ods_code) DO UPDATE SET name = EXCLUDED.name, federation_id = EXCLUDED.federation_id,
			list_size = EXCLUDED.list_size, postcode = EXCLUDED.postcode, aliases = EXCLUDED.aliases,
			updated_at = now()
		WHERE (p.name, p.federation_id, p.list_size, p.postcode, p.aliases)
			IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.federation_id, EXCLUDED.list_size, EXCLUDED.postcode, EXCLUDED.aliases)`)
	if err != nil {
		return fmt.Errorf("practices: %w", err)
	}
	return nil
}

// Practices returns the practice registry ordered by ODS code.
func (s *Store) Practices(ctx context.Context) ([]survey.Practice, error) {
	rows, err := s.db.QueryxContext(ctx, `SELECT p.ods_code, p.name, coalesce(f.name, ''), coalesce(p.list_size, 0),
			coalesce(p.postcode, ''), p.aliases
		FROM practices p LEFT JOIN federations f ON f.id = p.federation_id
		ORDER BY p.ods_code`)
	if err != nil {
		return nil, fmt.Errorf("store: practices: %w", err)
	}
	defer rows.Close()
	var out []survey.Practice
	for rows.Next() {
		var p survey.Practice
		var aliases pq.StringArray
		if err := rows.Scan(&p.ODSCode, &p.Name, &p.Federation, &p.ListSize, &p.Postcode, &aliases); err != nil {
			return nil, fmt.Errorf("store: practices: %w", err)
		}
		if len(aliases) > 0 {
			p.Aliases = aliases
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: practices: %w", err)
	}
	return out, nil
}

// Federations returns the names of the registry's federations, in name
// order.
func (s *Store) Federations(ctx context.Context) ([]string, error) {
	out := []string{}
	err := s.db.SelectContext(ctx, &out, `SELECT name FROM federations ORDER BY name COLLATE "C"`)
	if err != nil {
		return nil, fmt.Errorf("store: federations: %w", err)
	}
	return out, nil
}
