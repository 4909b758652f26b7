package main

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
)

// usageError is a mistake in how a command was called. It is reported in
// one line, then a line pointing at the command's --help, and exits 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// hintedError is a usage error reported with its own hint line instead of
// the command's --help: bad configuration points at the keys.
type hintedError struct{ msg, hint string }

func (e hintedError) Error() string { return e.msg }

// exitError carries a specific exit code for a failure already reported.
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string { return e.err.Error() }
func (e exitError) Unwrap() error { return e.err }

// reportError writes err as every command reports one and returns the exit
// code: usage errors in one line and a hint, exit 2; failures in one line,
// exit 1. cmd is empty for errors before a command was found.
func reportError(w io.Writer, cmd string, err error) int {
	prefix := strings.TrimSpace("surveyworker " + cmd)
	helpHint := fmt.Sprintf("Run '%s --help' for usage.", prefix)
	var ue usageError
	var he hintedError
	var ee exitError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(w, "%s: %s\n%s\n", prefix, ue.msg, helpHint)
		return exitUsage
	case errors.As(err, &he):
		fmt.Fprintf(w, "%s: %s\n%s\n", prefix, he.msg, cmp.Or(he.hint, helpHint))
		return exitUsage
	case errors.As(err, &ee):
		return ee.code
	default:
		fmt.Fprintf(w, "%s: %v\n", prefix, err)
		return exitFailure
	}
}

// flagMessage rewrites the flag package's error in the words the rest of
// the command line uses: --name, and what a valid value looks like.
func flagMessage(fs *flag.FlagSet, err error) string {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		var names []string
		fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
		if s := nearest(name, names); s != "" {
			return fmt.Sprintf("unknown flag --%s (did you mean --%s?)", name, s)
		}
		return "unknown flag --" + name
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: -"); ok {
		return fmt.Sprintf("--%s needs a value", name)
	}
	if m := invalidFlagValue.FindStringSubmatch(msg); m != nil {
		if f := fs.Lookup(m[2]); f != nil {
			return fmt.Sprintf("--%s %s: %s", m[2], m[1], wantFor(f, m[3]))
		}
	}
	return msg
}

// invalidFlagValue matches the flag package's message for a value that
// does not parse: the quoted value, the flag's name and the reason.
var invalidFlagValue = regexp.MustCompile(`^invalid (?:boolean )?value ("(?:[^"\\]|\\.)*") for (?:flag )?-([^:]+): (.*)$`)

// wantFor says what values f takes, or returns reason for a flag of a type
// it does not know.
func wantFor(f *flag.Flag, reason string) string {
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return reason
	}
	switch g.Get().(type) {
	case time.Duration:
		return "want a duration such as 5s, 1m or 24h"
	case bool:
		return "want true or false"
	case int, int64, uint, uint64:
		return "want a whole number"
	}
	return reason
}
