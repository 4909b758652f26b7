package logctx

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
)

func TestHandlerAddsContextAttrs(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(NewHandler(slog.NewTextHandler(&buf, nil))).With("job", "cycle")
	ctx := With(context.Background(), slog.Int64("run_id", 7))
	fileCtx := With(ctx, slog.String("file", "a.csv"))
	log.InfoContext(fileCtx, "loaded")
	log.InfoContext(ctx, "ranked")
	log.Info("outside")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	want := []string{"job=cycle run_id=7 file=a.csv", "job=cycle run_id=7", "job=cycle"}
	for i, w := range want {
		if !strings.HasSuffix(lines[i], w) {
			t.Errorf("line %d = %q, want it to end %q", i, lines[i], w)
		}
	}
	if strings.Contains(lines[1], "file=") {
		t.Errorf("a parent context carries its child's attributes: %q", lines[1])
	}
}
