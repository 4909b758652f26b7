package main

import "testing"

// TestNearest checks the suggestions for misspelt commands and keys.
func TestNearest(t *testing.T) {
	cmds := []string{"run", "serve", "ingest", "inspect", "rank", "report", "practices", "forget", "migrate", "config", "version"}
	tests := []struct {
		s, want string
	}{
		{"ingets", "ingest"},
		{"INGEST", "ingest"},
		{"inspet", "inspect"},
		{"rnu", "run"},
		{"reprot", "report"},
		{"practise", "practices"},
		{"prac", "practices"},
		{"vesion", "version"},
		{"frobnicate", ""},
		{"x", ""},
		{"re", ""},
	}
	for _, tt := range tests {
		if got := nearest(tt.s, cmds); got != tt.want {
			t.Errorf("nearest(%q) = %q, want %q", tt.s, got, tt.want)
		}
	}
	if got := nearest("shedule", configKeys()); got != "schedule" {
		t.Errorf("nearest(shedule) = %q, want schedule", got)
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"run", "run", 0},
		{"", "abc", 3},
		{"ingets", "ingest", 1}, // two letters swapped
		{"shedule", "schedule", 1},
		{"kitten", "sitting", 3},
		{"café", "cafe", 1},
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := editDistance(tt.b, tt.a); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.b, tt.a, got, tt.want)
		}
	}
}
