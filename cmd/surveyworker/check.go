package main

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// configHint follows an error in the config file or environment.
const configHint = "Run 'surveyworker config --help' for the keys, their variables and flags."

// configError reports a *FieldError by where the value came from: its
// flag (hinting at the command's help), its variable or its line in the
// config file (hinting at the keys).
func (a *app) configError(err error) error {
	var fe *FieldError
	if !errors.As(err, &fe) {
		return hintedError{err.Error(), configHint}
	}
	f := configFields()[fe.Key]
	if fl := f.Tag.Get("flag"); fl != "" {
		if _, ok := a.given[fl]; ok {
			return usageError{fmt.Sprintf("--%s %q: %v", fl, fe.Value, fe.Err)}
		}
	}
	msg := fe.Error()
	if env := f.Tag.Get("env"); a.getenv(env) != "" {
		msg = fmt.Sprintf("%s=%q: %v", env, fe.Value, fe.Err)
	} else if line, ok := a.fileLines[fe.Key]; ok {
		msg = fmt.Sprintf("config %s line %d: %s", a.cfgFile, line, fe)
	}
	return hintedError{msg, configHint}
}

// fileFlags are the flags naming files that commands read. Flags bound to
// configuration (catalogue, practices, leads) are checked whether their
// value came from the command line, the environment or the config file.
var fileFlags = []string{"catalogue", "practices", "leads", "mapping", "criteria"}

// checkFiles checks that the files cmd will read exist and are readable,
// so that a mistyped name is reported before PostgreSQL starts and before
// any file is loaded: the files its arguments name, then those its flags
// name.
func (a *app) checkFiles(cmd command, args []string) error {
	if cmd.files != nil {
		var first error
		bad := 0
		for _, p := range cmd.files(args) {
			if err := checkReadable(p); err != nil {
				bad++
				first = cmp.Or(first, fmt.Errorf("%s: %w", p, err))
			}
		}
		switch {
		case bad == 1:
			return usageError{first.Error()}
		case bad > 1:
			return usageError{fmt.Sprintf("%v; %d other files cannot be read either", first, bad-1)}
		}
	}
	for _, name := range fileFlags {
		f := a.fs.Lookup(name)
		if f == nil || f.Value.String() == "" {
			continue
		}
		if err := checkReadable(f.Value.String()); err != nil {
			if _, given := a.given[name]; given {
				return usageError{fmt.Sprintf("--%s %s: %v", name, f.Value, err)}
			}
			// Not on the command line, so from the configuration.
			return a.configError(&FieldError{Key: keyOfFlag(name), Value: f.Value.String(), Err: err})
		}
	}
	return nil
}

// keyOfFlag returns the configuration key that the flag called name sets.
func keyOfFlag(name string) string {
	for key, f := range configFields() {
		if f.Tag.Get("flag") == name {
			return key
		}
	}
	return name
}

// checkReadable reports why path cannot be read as a file, if it cannot.
func checkReadable(path string) error {
	f, err := os.Open(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return errors.New("no such file")
	case errors.Is(err, fs.ErrPermission):
		return errors.New("permission denied")
	case err != nil:
		return err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		return errors.New("is a directory, not a file")
	}
	return nil
}
