package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/store/storetest"
	"github.com/surveyworker/surveyworker/web"
)

// TestSessionKeySharedByReplicas gets the web interface's session key as
// replicas with data directories of their own on one database do, and
// checks that they all get one key, kept in the database: behind a load
// balancer each accepts the sessions and forms of the others. A key set
// in SURVEYWORKER_SESSION_KEY is used instead, and a key an earlier
// version generated in a data directory becomes the database's, so that
// the sessions signed with it carry on.
func TestSessionKeySharedByReplicas(t *testing.T) {
	ctx := context.Background()
	replica := func(st *store.Store, dataDir, configured string) []byte {
		t.Helper()
		a := &app{cfg: Config{DataDir: dataDir, SessionKey: configured}, log: slog.New(slog.DiscardHandler), st: st}
		key, err := a.sessionKey(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(key) < web.MinSessionKey {
			t.Fatalf("session key of %d bytes, want at least %d", len(key), web.MinSessionKey)
		}
		return key
	}

	st := storetest.NewStore(t)
	dirs := []string{t.TempDir(), t.TempDir(), t.TempDir()}
	first := replica(st, dirs[0], "")
	for _, dir := range dirs[1:] {
		if got := replica(st, dir, ""); string(got) != string(first) {
			t.Errorf("replica with data directory %s got another session key", dir)
		}
	}
	for _, dir := range dirs {
		if _, err := os.Stat(filepath.Join(dir, "session.key")); !os.IsNotExist(err) {
			t.Errorf("session key written in the data directory %s (%v); want it in the database only", dir, err)
		}
	}
	configured := strings.Repeat("configured-", 4)
	if got := replica(st, dirs[0], configured); string(got) != configured {
		t.Errorf("with SURVEYWORKER_SESSION_KEY set: got another key")
	}

	fresh := storetest.NewStore(t)
	legacy := strings.Repeat("0123456789abcdef", 4)
	if err := os.WriteFile(filepath.Join(dirs[0], "session.key"), []byte(legacy), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, dir := range dirs {
		if got := replica(fresh, dir, ""); string(got) != legacy {
			t.Errorf("replica with data directory %s: got another key than the one kept in the first one's", dir)
		}
	}
}
