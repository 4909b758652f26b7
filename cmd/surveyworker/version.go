package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"
	"text/tabwriter"
)

// These are set at build time, by the Makefile's build target and the
// Dockerfile:
//
//	go build -ldflags "-X main.version=v1.2.0 -X main.commit=0123abc... -X main.buildTime=2026-12-01T02:00:00Z"
//
// Left empty, the version and commit are what the Go toolchain recorded in
// the binary (runtime/debug.ReadBuildInfo), which knows the commit only
// when built from a checkout and the build time not at all.
var (
	version   string
	commit    string
	buildTime string
)

// buildInfo describes how this binary was built.
type buildInfo struct {
	Version  string // module version, git describe, or "(devel)"
	Commit   string // VCS revision; empty when unknown
	Modified bool   // built from a working tree with uncommitted changes
	Time     string // build time, or failing that the commit's time
	TimeIs   string // "built" or "committed": what Time is
	Go       string // Go version and platform
}

// readBuildInfo combines the -ldflags values with the toolchain's record;
// the -ldflags values win.
func readBuildInfo() buildInfo {
	b := buildInfo{Version: "(devel)", Go: runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			b.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				b.Commit = s.Value
			case "vcs.time":
				b.Time, b.TimeIs = s.Value, "committed"
			case "vcs.modified":
				b.Modified = s.Value == "true"
			}
		}
	}
	if version != "" {
		b.Version = version
	}
	if commit != "" {
		b.Commit = commit
	}
	if buildTime != "" {
		b.Time, b.TimeIs = buildTime, "built"
	}
	if strings.HasSuffix(b.Version, "-dirty") || strings.HasSuffix(b.Version, "+dirty") {
		b.Modified = true
	}
	return b
}

// write prints b: the version on the first line, then what is known of the
// commit, the time and the Go toolchain.
func (b buildInfo) write(w io.Writer) {
	fmt.Fprintf(w, "surveyworker %s\n", b.Version)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if b.Commit != "" {
		c := b.Commit
		if b.Modified {
			c += " (modified)"
		}
		fmt.Fprintf(tw, "  commit\t%s\n", c)
	}
	if b.Time != "" {
		fmt.Fprintf(tw, "  %s\t%s\n", b.TimeIs, b.Time)
	}
	fmt.Fprintf(tw, "  go\t%s\n", b.Go)
	tw.Flush()
}
