// Command surveyworker turns online-survey exports from GP practices into a
// ranked, tiered IT roadmap: it ingests exports into PostgreSQL, ranks the
// workstreams, writes an Excel workbook and e-mails it to leads, once or on
// a schedule. Run "surveyworker help" for the commands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // Europe/London must resolve in minimal containers too
)

// main runs the command line. The first SIGTERM or SIGINT cancels the
// command's context: serve stops taking work and finishes what it has in
// hand. Signal handling is then given back, so a second signal ends the
// process at once; every load is one transaction, which PostgreSQL rolls
// back, and the file stays in the inbox.
func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	code := Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
