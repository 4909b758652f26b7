package main

import (
	"errors"
	"fmt"
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
