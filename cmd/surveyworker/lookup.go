package main

import (
	"fmt"
	"slices"
	"strings"
)

// lookup finds the command named at the start of args and returns it with
// the arguments after its name. A group's name alone, or with only a help
// flag ("practices --help"), returns the group instead. An unknown name is
// a usage error suggesting the nearest command.
func lookup(args []string) (cmd command, rest []string, group string, err error) {
	cmds := commands()
	for _, c := range cmds {
		words := strings.Fields(c.name)
		if len(args) >= len(words) && slices.Equal(args[:len(words)], words) {
			return c, args[len(words):], "", nil
		}
	}
	if slices.Contains(groups(), args[0]) {
		if len(args) == 1 || isHelpFlag(args[1]) {
			return command{}, nil, args[0], nil
		}
		var subs []string
		for _, c := range cmds {
			if g, sub, ok := strings.Cut(c.name, " "); ok && g == args[0] {
				subs = append(subs, sub)
			}
		}
		return command{}, nil, "", unknownCommand(args[0]+" "+args[1], nearest(args[1], subs), args[0]+" ")
	}
	if strings.HasPrefix(args[0], "-") {
		return command{}, nil, "", flagBeforeCommand(args)
	}
	var names []string // "practices" for "practices import"
	for _, c := range cmds {
		if g, _, _ := strings.Cut(c.name, " "); !slices.Contains(names, g) {
			names = append(names, g)
		}
	}
	suggestion := nearest(args[0], names)
	if slices.Contains(groups(), suggestion) && len(args) > 1 {
		if c, _, _, err := lookup(append([]string{suggestion}, args[1:]...)); err == nil && c.name != "" {
			suggestion = c.name // "practice import" gives "practices import"
		}
	}
	return command{}, nil, "", unknownCommand(args[0], suggestion, "")
}

// flagBeforeCommand is the error for flags written before the command,
// showing the command line in the right order when it names a command.
func flagBeforeCommand(args []string) error {
	msg := fmt.Sprintf("flag %s comes before the command; flags follow it", args[0])
	for i := 1; i < len(args); i++ {
		if c, rest, _, err := lookup(args[i:]); err == nil && c.name != "" {
			line := append(append([]string{"surveyworker", c.name}, args[:i]...), rest...)
			return hintedError{msg, fmt.Sprintf("Did you mean '%s'?", strings.Join(line, " "))}
		}
	}
	return usageError{msg}
}

// unknownCommand is the error for a command name that names none, with the
// suggestion (if any) and the help of group (a name and a space, or "").
func unknownCommand(name, suggestion, group string) error {
	hint := fmt.Sprintf("Run 'surveyworker %s--help' for usage.", group)
	if suggestion != "" {
		hint = fmt.Sprintf("Did you mean %q?\n%s", group+suggestion, hint)
	}
	return hintedError{fmt.Sprintf("unknown command %q", name), hint}
}

// groups returns the names of the command groups, such as "practices".
func groups() []string {
	var gs []string
	for _, c := range commands() {
		if g, _, ok := strings.Cut(c.name, " "); ok && !slices.Contains(gs, g) {
			gs = append(gs, g)
		}
	}
	return gs
}

// isHelpFlag reports whether s asks for help.
func isHelpFlag(s string) bool {
	return s == "-h" || s == "-help" || s == "--help"
}
