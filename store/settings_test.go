package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/store/storetest"
)

func TestUseHMACKey(t *testing.T) {
	url := storetest.URL(t)
	first, second := storetest.Open(t, url), storetest.Open(t, url)
	ctx := context.Background()
	if err := first.UseHMACKey(ctx, []byte("key-one")); err != nil {
		t.Fatalf("first use: %v", err)
	}
	if err := second.UseHMACKey(ctx, []byte("key-one")); err != nil {
		t.Errorf("same key from another process: %v", err)
	}
	err := second.UseHMACKey(ctx, []byte("key-two"))
	var km *store.KeyMismatchError
	if !errors.As(err, &km) || km.Stored != store.KeyFingerprint([]byte("key-one")) || km.Given != store.KeyFingerprint([]byte("key-two")) {
		t.Errorf("another key: got %v, want a KeyMismatchError naming both fingerprints", err)
	}
	if a, b := store.KeyFingerprint([]byte("key-one")), store.KeyFingerprint([]byte("key-two")); a == b || len(a) != 16 {
		t.Errorf("fingerprints %q and %q, want 16 hex digits that differ", a, b)
	}
}
