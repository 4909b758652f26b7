package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"golang.org/x/term"

	"github.com/surveyworker/surveyworker/web"
)

// passwordInput is where 'users add' reads the password: the terminal,
// without echo, when it is one; else its first line. Tests replace it.
var passwordInput io.Reader = os.Stdin

// usersFileFlag registers --users.
func usersFileFlag(fs *flag.FlagSet, a *app) {
	fs.StringVar(&a.cfg.Users, "users", a.cfg.Users, "users `file` of the web interface (SURVEYWORKER_USERS)")
}

// needUsersFile reports a missing users file setting.
func needUsersFile(a *app) error {
	if a.cfg.Users == "" {
		return usageError{"name the users file with --users or SURVEYWORKER_USERS"}
	}
	return nil
}

func cmdUsersAdd() command {
	var email, role, federation string
	var replace bool
	return command{
		name:    "users add",
		args:    "NAME",
		summary: "add a user of the web interface; asks for the password",
		examples: []string{
			"surveyworker users add --email jo.bloggs@nhs.net --role uploader --federation \"Oxford City\" jo",
			"surveyworker users add --users /etc/surveyworker/users.csv --email it-lead@nhs.net --role admin itlead",
			"surveyworker users add --replace --email jo.bloggs@nhs.net --role viewer jo",
		},
		help: `NAME is what the user signs in with (or their e-mail address): letters,
digits, '.', '_' and '-'. The password is asked for twice on the terminal,
without echo; when standard input is not a terminal, its first line is the
password. It must be at least 10 characters. Only its bcrypt hash is written.

Roles: viewer sees the files, the ranking and the runs; uploader also uploads
exports; admin may do everything and is never limited to a federation. A user
with --federation (spelled as in the practice registry) sees only that
federation's uploads, files and comments.

The users file is a CSV file (name,email,role,federation,password_hash),
created with mode 0600 when missing and replaced whole, so a running serve
reads it again at once. A user of the same name is an error unless --replace
is given.`,
		flags: func(fs *flag.FlagSet, a *app) {
			usersFileFlag(fs, a)
			fs.StringVar(&email, "email", "", "the user's e-mail `address` (required)")
			fs.StringVar(&role, "role", string(web.RoleViewer), "`role`: viewer, uploader or admin")
			fs.StringVar(&federation, "federation", "", "limit the user to the federation `name`d")
			fs.BoolVar(&replace, "replace", false, "replace a user of the same name")
		},
		run: func(ctx context.Context, a *app, args []string) error {
			if len(args) != 1 {
				return usageError{"name exactly one user: surveyworker users add --email ADDRESS NAME"}
			}
			if err := needUsersFile(a); err != nil {
				return err
			}
			u := web.User{Name: args[0], Email: email, Role: web.Role(role), Federation: federation}
			if email == "" {
				return usageError{"--email is required"}
			}
			if !slices.Contains(web.Roles, u.Role) {
				return usageError{fmt.Sprintf("--role %q: want viewer, uploader or admin", role)}
			}
			if err := web.CheckNewUser(a.cfg.Users, u, replace); err != nil {
				return err
			}
			pw, err := readPassword(a)
			if err != nil {
				return err
			}
			if u.PasswordHash, err = web.HashPassword(pw); err != nil {
				return err
			}
			if err := web.AddUser(a.cfg.Users, u, replace); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "user %s (%s) written to %s\n", u.Name, u.Role, a.cfg.Users)
			return nil
		},
	}
}

func cmdUsersList() command {
	return command{
		name:    "users list",
		summary: "list the users of the web interface",
		examples: []string{
			"surveyworker users list --users /etc/surveyworker/users.csv",
		},
		flags: usersFileFlag,
		run: func(ctx context.Context, a *app, args []string) error {
			if len(args) > 0 {
				return usageError{"users list takes no arguments"}
			}
			if err := needUsersFile(a); err != nil {
				return err
			}
			f, err := os.Open(a.cfg.Users)
			if err != nil {
				return err
			}
			defer f.Close()
			users, err := web.ReadUsers(f)
			if err != nil {
				return fmt.Errorf("%s: %w", a.cfg.Users, err)
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tE-MAIL\tROLE\tFEDERATION")
			for _, u := range users {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Name, u.Email, u.Role, u.Federation)
			}
			return tw.Flush()
		},
	}
}

// readPassword reads a new password: twice, without echo, from a
// terminal; else the first line of the input.
func readPassword(a *app) (string, error) {
	if f, ok := passwordInput.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		ask := func(prompt string) (string, error) {
			fmt.Fprint(a.stderr, prompt)
			b, err := term.ReadPassword(int(f.Fd()))
			fmt.Fprintln(a.stderr)
			return string(b), err
		}
		first, err := ask("Password: ")
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		again, err := ask("Password again: ")
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		if first != again {
			return "", errors.New("the two passwords differ; nothing written")
		}
		return first, nil
	}
	line, err := bufio.NewReader(passwordInput).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("no password given on standard input")
	}
	return line, nil
}
