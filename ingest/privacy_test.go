package ingest

import "testing"

func TestMaskPersonal(t *testing.T) {
	tests := map[string]string{
		"Call 01865 512345 please":                      "Call [phone removed] please",
		"mobile 07700 900123, office (01865) 123 456":   "mobile [phone removed], office [phone removed]",
		"+44 (0)1865 222333 or +44 20 7946 0000":        "[phone removed] or [phone removed]",
		"07700900123":                                   "[phone removed]",
		"email priya.raman2@nhs.net or a.b@x.co.uk":     "email [email removed] or [email removed]",
		"Practice K84501 has 11840 patients since 2016": "Practice K84501 has 11840 patients since 2016",
		"Call 01865 123456 2 times":                     "Call [phone removed] 2 times",
		"version 0.5.12345 and 012 345":                 "version 0.5.12345 and 012 345",
		"ratio 0 1234 5678 9":                           "ratio 0 1234 5678 9",
		"Patient 9434765919 could not book online":      "Patient [NHS number removed] could not book online",
		"NHS no. 943 476 5919, call 01865 512345":       "NHS no. [NHS number removed], call [phone removed]",
		"ref 943-476-5919 or a.b@x.co.uk":               "ref [NHS number removed] or [email removed]",
		"order 9434765918 is not an NHS number":         "order 9434765918 is not an NHS number",
	}
	for in, want := range tests {
		if got := maskPersonal(in); got != want {
			t.Errorf("maskPersonal(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEmailHMAC(t *testing.T) {
	a := emailHMAC(testKey, " Sam.Example@NHS.net")
	if a == "" || a != emailHMAC(testKey, "sam.example@nhs.net") {
		t.Errorf("addresses differing in case and spaces hash differently")
	}
	if a == emailHMAC([]byte("other"), "sam.example@nhs.net") {
		t.Errorf("the hash does not depend on the key")
	}
	for _, s := range []string{"", "anonymous", "Anonymous"} {
		if got := emailHMAC(testKey, s); got != "" {
			t.Errorf("emailHMAC(%q) = %q, want empty", s, got)
		}
	}
}
