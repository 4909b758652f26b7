package main

import (
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode"
)

// helpWidth is the width help text is wrapped to.
const helpWidth = 80

// groupSummaries describe the command groups.
var groupSummaries = map[string]string{
	"practices": "the practice registry respondents are matched to",
	"users":     "the people who may sign in to the web interface",
}

// printUsage writes the top-level help: what surveyworker does and its
// commands.
func printUsage(w io.Writer) {
	fmt.Fprint(w, `surveyworker turns survey exports from GP practices into a ranked, tiered
IT roadmap workbook and e-mails it to leads.

Usage:
  surveyworker <command> [flags] [arguments]

Commands:
`)
	var rows [][2]string
	for _, c := range commands() {
		rows = append(rows, [2]string{c.name, c.summary})
	}
	writeTable(w, rows)
	fmt.Fprint(w, `
Examples:
  surveyworker inspect responses.csv
  surveyworker ingest responses.csv
  surveyworker run --inbox inbox --out out

Run 'surveyworker help <command>' or 'surveyworker <command> --help' for a
command's flags, and 'surveyworker --version' for the version.

Without DATABASE_URL, surveyworker starts a private PostgreSQL from the local
installation under --data-dir (default ./.surveyworker) and stops it on exit.
Configuration comes from flags, SURVEYWORKER_* environment variables and an
optional YAML file (--config); 'surveyworker config --help' lists the keys.

Exit status: 0 done, 1 failed, 2 a mistake in the command line, the
configuration or the files named (reported before anything starts).
`)
}

// printGroupUsage writes the help of a command group such as "practices":
// its commands and their examples.
func printGroupUsage(w io.Writer, group string) {
	fmt.Fprintf(w, "Usage: surveyworker %s <command> [flags] [arguments]\n\n", group)
	fmt.Fprintf(w, "%s\n\nCommands:\n", wrap(capitalise(groupSummaries[group])+".", helpWidth, ""))
	var rows [][2]string
	var examples []string
	for _, c := range commands() {
		if g, sub, ok := strings.Cut(c.name, " "); ok && g == group {
			rows = append(rows, [2]string{sub, c.summary})
			examples = append(examples, c.examples...)
		}
	}
	writeTable(w, rows)
	printExamples(w, examples)
	fmt.Fprintf(w, "\nRun 'surveyworker %s <command> --help' for a command's flags.\n", group)
}

// printCommandUsage writes the help of c, whose flags are fs: synopsis,
// summary, explanation, examples, then its own flags and the common ones.
func printCommandUsage(w io.Writer, c command, fs *flag.FlagSet) {
	synopsis := "surveyworker " + c.name
	if hasFlags(fs) {
		synopsis += " [flags]"
	}
	if c.args != "" {
		synopsis += " " + c.args
	}
	fmt.Fprintf(w, "Usage: %s\n\n%s\n", synopsis, wrap(capitalise(c.summary)+".", helpWidth, ""))
	if c.help != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimRight(c.help, "\n"))
	}
	if c.files != nil {
		fmt.Fprint(w, "\n"+wrap(fmt.Sprintf("Every FILE is checked before anything starts: if one is missing or "+
			"cannot be read, %s stops with exit status 2 and nothing done.", c.name), helpWidth, "")+"\n")
	}
	printExamples(w, c.examples)
	common := commonFlagNames()
	var own, shared []*flag.Flag
	fs.VisitAll(func(f *flag.Flag) {
		if slices.Contains(common, f.Name) {
			shared = append(shared, f)
		} else {
			own = append(own, f)
		}
	})
	col := flagColumn(append(own, shared...))
	printFlags(w, "Flags", own, col)
	printFlags(w, "Common flags", shared, col)
}

// printExamples writes the examples, if any, under a heading.
func printExamples(w io.Writer, examples []string) {
	if len(examples) == 0 {
		return
	}
	fmt.Fprintln(w, "\nExamples:")
	for _, e := range examples {
		fmt.Fprintf(w, "  %s\n", e)
	}
}

// hasFlags reports whether fs defines any flag.
func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

// commonFlagNames returns the names of the flags every command but version
// takes.
func commonFlagNames() []string {
	fs := flag.NewFlagSet("", flag.ContinueOnError)
	cfg := DefaultConfig()
	cfg.commonFlags(fs)
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	return names
}

// flagColumn is the column flag descriptions start in: after the longest
// "--name VALUE", within reason.
func flagColumn(flags []*flag.Flag) int {
	col := 0
	for _, f := range flags {
		col = max(col, len(flagLeft(f))+2)
	}
	return min(col, 28)
}

// flagLeft is the left part of a flag's line: "  --name VALUE".
func flagLeft(f *flag.Flag) string {
	name, _ := flag.UnquoteUsage(f)
	s := "  --" + f.Name
	if name != "" {
		s += " " + placeholder(name)
	}
	return s
}

// placeholder writes a flag's value name in capitals up to any extension:
// "file" becomes FILE, "out.yaml" OUT.yaml.
func placeholder(name string) string {
	base, ext, _ := strings.Cut(name, ".")
	if ext != "" {
		ext = "." + ext
	}
	return strings.ToUpper(base) + ext
}

// printFlags writes flags under heading, descriptions from column col
// wrapped to the help width.
func printFlags(w io.Writer, heading string, flags []*flag.Flag, col int) {
	if len(flags) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s:\n", heading)
	indent := strings.Repeat(" ", col)
	for _, f := range flags {
		_, usage := flag.UnquoteUsage(f)
		if def := defaultText(f); def != "" {
			if strings.HasSuffix(usage, ")") {
				usage = strings.TrimSuffix(usage, ")") + "; default " + def + ")"
			} else {
				usage += " (default " + def + ")"
			}
		}
		left := flagLeft(f)
		text := wrap(usage, helpWidth, indent)
		if len(left)+2 <= col {
			fmt.Fprintf(w, "%-*s%s\n", col, left, strings.TrimPrefix(text, indent))
		} else {
			fmt.Fprintf(w, "%s\n%s\n", left, text)
		}
	}
}

// defaultText is how help shows f's default, or "" when it is the zero
// value: strings quoted, durations shortened ("24h", not "24h0m0s").
func defaultText(f *flag.Flag) string {
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return f.DefValue
	}
	switch g.Get().(type) {
	case string:
		if f.DefValue != "" {
			return fmt.Sprintf("%q", f.DefValue)
		}
	case time.Duration:
		if d, err := time.ParseDuration(f.DefValue); err == nil && d != 0 {
			return shortDuration(d)
		}
	default:
		if f.DefValue != "false" && f.DefValue != "0" {
			return f.DefValue
		}
	}
	return ""
}

// shortDuration writes d without zero trailing units: "24h", "1h30m", "5s".
func shortDuration(d time.Duration) string {
	s := d.String()
	if t, ok := strings.CutSuffix(s, "m0s"); ok {
		s = t + "m"
	}
	if t, ok := strings.CutSuffix(s, "h0m"); ok {
		s = t + "h"
	}
	return s
}

// writeTable writes rows of a name and a description, the descriptions
// aligned after the longest name and wrapped to the help width.
func writeTable(w io.Writer, rows [][2]string) {
	col := 0
	for _, r := range rows {
		col = max(col, len(r[0])+4)
	}
	indent := strings.Repeat(" ", col)
	for _, r := range rows {
		text := wrap(r[1], helpWidth, indent)
		fmt.Fprintf(w, "  %-*s%s\n", col-2, r[0], strings.TrimPrefix(text, indent))
	}
}

// wrap breaks s into lines of at most width columns, each starting with
// indent; a word longer than a line stays whole.
func wrap(s string, width int, indent string) string {
	var lines []string
	line := indent
	for _, word := range strings.Fields(s) {
		if line != indent && len(line)+1+len(word) > width {
			lines = append(lines, line)
			line = indent
		}
		if line != indent {
			line += " "
		}
		line += word
	}
	return strings.Join(append(lines, line), "\n")
}

// capitalise returns s with its first letter in capitals.
func capitalise(s string) string {
	r := []rune(s)
	if len(r) == 0 {
		return s
	}
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}
