package main

import (
	"reflect"
	"testing"
	"time"
)

func TestSetField(t *testing.T) {
	tests := []struct {
		in   string
		want any    // a value of the field's type
		err  string // when it does not parse
	}{
		{in: "true", want: true},
		{in: "TRUE", want: true},
		{in: "Yes", want: true},
		{in: "1", want: true},
		{in: " yes ", want: true},
		{in: "false", want: false},
		{in: "No", want: false},
		{in: "0", want: false},
		{in: "perhaps", want: false, err: "want true or false (or yes/no, 1/0)"},
		{in: "", want: false, err: "want true or false (or yes/no, 1/0)"},
		{in: "587", want: 587},
		{in: " 25 ", want: 25},
		{in: "-1", want: -1},
		{in: "5.5", want: 0, err: "want a whole number"},
		{in: "90s", want: 90 * time.Second},
		{in: "1h30m", want: 90 * time.Minute},
		{in: "5", want: time.Duration(0), err: "want a duration such as 5s, 1m or 24h"},
		{in: " as is ", want: " as is "},
		{in: "", want: ""},
	}
	for _, tt := range tests {
		v := reflect.New(reflect.TypeOf(tt.want)).Elem()
		err := setField(v, tt.in)
		switch {
		case tt.err != "" && (err == nil || err.Error() != tt.err):
			t.Errorf("setField(%T, %q): error %v, want %q", tt.want, tt.in, err, tt.err)
		case tt.err == "" && err != nil:
			t.Errorf("setField(%T, %q): %v", tt.want, tt.in, err)
		case tt.err == "" && v.Interface() != tt.want:
			t.Errorf("setField(%T, %q) = %v, want %v", tt.want, tt.in, v.Interface(), tt.want)
		}
	}
	if err := setField(reflect.New(reflect.TypeFor[[]string]()).Elem(), "x"); err == nil {
		t.Error("setField of a slice: no error")
	}
}
