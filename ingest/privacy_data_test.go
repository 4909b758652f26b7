package ingest

import (
	"fmt"
	"strings"
	"testing"
)

// nhsNumber returns a valid NHS number made from the nine digits of
// stem, or "" when no check digit makes one.
func nhsNumber(stem int) string {
	s := fmt.Sprintf("%09d", stem)
	sum := 0
	for i, r := range s {
		sum += int(r-'0') * (10 - i)
	}
	check := 11 - sum%11
	switch check {
	case 11:
		check = 0
	case 10:
		return ""
	}
	return fmt.Sprintf("%s%d", s, check)
}

// validNHSNumbers returns n valid NHS numbers, from stem on.
func validNHSNumbers(n, stem int) []string {
	var out []string
	for ; len(out) < n; stem++ {
		if s := nhsNumber(stem); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// spaced writes an NHS number as it is printed: "943 476 5919".
func spaced(n string) string { return n[:3] + " " + n[3:6] + " " + n[6:] }

// TestPersonalDataByWhatItHolds reads a generated export whose personal
// columns have headers in several languages, and near-misses that must be
// kept: personal data is found by the header's words in any of those
// languages, or by the answers, and practices, roles and scale labels are
// not taken for names.
func TestPersonalDataByWhatItHolds(t *testing.T) {
	nhs := validNHSNumbers(4, 943476591)
	columns := []struct {
		header  string
		answers [4]string
		role    string
		note    string // part of the note
	}{
		{"Barua pepe", [4]string{"amina@example.org", "j.smith@nhs.net", "priya.r@example.co.uk", "li.wei@example.com"}, "personal", "e-mail addresses"},
		{"Numéro de portable", [4]string{"+33 6 12 34 56 78", "07700 900123", "+44 20 7946 0000", "+254 712 345678"}, "personal", "phone numbers"},
		{"Wohnort", [4]string{"12 High Street, Oxford OX1 4AB", "Flat 3, 45 Cowley Road, Oxford OX4 1HR", "7 Mill Lane, Witney OX28 6AL", "101 Banbury Road OX2 6NN"}, "personal", "addresses"},
		{"Numero di tessera sanitaria", [4]string{nhs[0], spaced(nhs[1]), nhs[2], spaced(nhs[3])}, "personal", "NHS numbers"},
		{"Msimamizi", [4]string{"Amina Mwangi", "John Smith", "Priya Raman", "Li Wei"}, "personal", "people's names"},
		{"कर्मचारी", [4]string{"Sunita Patil", "Rahul Deshmukh", "Anil Kumar", "Meera Joshi"}, "personal", "people's names"},
		{"कर्मचाऱ्याचे नाव (Employee Name)", [4]string{"Redacted 1", "Redacted 2", "", ""}, "personal", "(name)"},
		{"दूरध्वनी क्रमांक (Mobile No.)", [4]string{}, "personal", "(phone)"},
		{"Jina la Msimamizi wa kituo", [4]string{}, "personal", "(name)"},
		{"next_of_kin_contact_address", [4]string{}, "personal", "(address)"},
		{"Tarehe ya kuzaliwa (DOB)", [4]string{}, "personal", "(date of birth)"},
		// Near-misses: kept, and not as personal data.
		{"Lieu de travail", [4]string{"Jericho Canal Surgery", "Cowley Road Medical Practice", "Banbury Cross Health Centre", "Jericho Canal Surgery"}, "ignored", ""},
		{"Rôle", [4]string{"Practice Manager", "GP Partner", "Receptionist", "Practice Nurse"}, "ignored", ""},
		{"Stimmung", [4]string{"Strongly Agree", "Somewhat Agree", "Strongly Agree", "Neither Agree"}, "ignored", ""},
		{"Jina la kituo", [4]string{"Kituo cha Afya", "Zahanati", "Kituo cha Afya", "Hospitali"}, "ignored", ""},
		{"Anzahl", [4]string{"5343553482", "5343553483", "5343553490", "5343553491"}, "ignored", ""},
	}
	header := []string{"Timestamp", "Which practice do you work at?", "Priority [Wifi]"}
	for _, c := range columns {
		header = append(header, c.header)
	}
	rows := [][]string{header}
	for i := range 4 {
		row := []string{"03/11/2026 09:15:02", "Jericho Canal Surgery", "High"}
		for _, c := range columns {
			row = append(row, c.answers[i])
		}
		rows = append(rows, row)
	}
	got, err := testIngester(t).Inspect(csvFile(t, "multilingual.csv", rows))
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range columns {
		col := got.Columns[3+i]
		if col.Role != c.role || !strings.Contains(col.Note, c.note) || c.role != "personal" && strings.Contains(col.Note, "personal") {
			t.Errorf("column %q: %s, note %q; want %s, note with %q", c.header, col.Role, col.Note, c.role, c.note)
		}
	}
	if got.PracticeColumn != "Which practice do you work at?" {
		t.Errorf("practice column %q", got.PracticeColumn)
	}
}

func TestValidNHSNumber(t *testing.T) {
	tests := map[string]bool{
		"9434765919": true, "943 476 5919": true, "943-476-5919": true,
		"9434765918": false, "943476591": false, "94347659190": false, "401 023 2137": true, "4010232138": false,
		"1234567890": false, // check digit 10: no valid number
	}
	for in, want := range tests {
		if got := validNHSNumber(in); got != want {
			t.Errorf("validNHSNumber(%q) = %v, want %v", in, got, want)
		}
	}
}
