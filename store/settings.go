package store

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// hmacKeySetting is the settings row holding the key's fingerprint.
const hmacKeySetting = "hmac_key_fingerprint"

// KeyFingerprint returns a short fingerprint of the HMAC key: the first
// 16 hex digits of an HMAC-SHA256, keyed with it, of a fixed label. It
// tells keys apart without revealing them, or anything hashed with them.
func KeyFingerprint(key []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("surveyworker hmac key fingerprint v1"))
	return hex.EncodeToString(m.Sum(nil))[:16]
}

// KeyMismatchError is returned by [Store.UseHMACKey] when the database's
// data was hashed with another key.
type KeyMismatchError struct {
	// Stored is the fingerprint recorded at the first use, Given the
	// fingerprint of the key offered now.
	Stored, Given string
	// Since is when Stored was recorded.
	Since time.Time
}

// Error says which fingerprints differ.
func (e *KeyMismatchError) Error() string {
	return fmt.Sprintf("store: HMAC key fingerprint %s does not match %s, recorded when the database was first used on %s",
		e.Given, e.Stored, e.Since.UTC().Format("2006-01-02 15:04 MST"))
}

// UseHMACKey records the fingerprint of key (see [KeyFingerprint]) as the
// database's HMAC key when none is recorded yet, and returns a
// [*KeyMismatchError] when a different one is. Two processes offering
// different keys to a new database at once cannot both win: the second is
// refused.
func (s *Store) UseHMACKey(ctx context.Context, key []byte) error {
	given := KeyFingerprint(key)
	var row struct {
		Value string    `db:"value"`
		SetAt time.Time `db:"set_at"`
	}
	var err error
	// A first use by another process committed while this statement ran
	// is not in its snapshot: it finds no row, and the second try sees it.
	for try := 0; try < 2; try++ {
		err = s.db.GetContext(ctx, &row, `WITH ins AS (
				INSERT INTO settings (name, value, set_at) VALUES ($1, $2, $3)
				ON CONFLICT (name) DO NOTHING RETURNING value, set_at)
			SELECT value, set_at FROM ins UNION ALL
			SELECT value, set_at FROM settings WHERE name = $1 LIMIT 1`, hmacKeySetting, given, s.Now())
		if !errors.Is(err, sql.ErrNoRows) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("store: record HMAC key fingerprint: %w", err)
	}
	if row.Value != given {
		return &KeyMismatchError{Stored: row.Value, Given: given, Since: row.SetAt}
	}
	return nil
}
