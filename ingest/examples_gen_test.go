package ingest

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/surveyworker/surveyworker/survey"
)

// The example exports in ../examples/inbox are generated here, with a fixed
// seed, so they can be rebuilt with go test -run TestExamples -update.

// exampleGrid is the Google Forms grid question; its rows use a mix of the
// roadmap's names and the aliases respondents know.
const exampleGrid = "How high a priority is each IT workstream for your practice?"

var googleItems = []string{
	"Record Sharing", "Cyber Security", "Telephony (VOIP, Unified Communications)", "Mobile Working",
	"All Records being submitted electronically", "Online consultation", "Patient Online", "Patient WiFi",
	"Improving Network Speeds", "Improving computer speed", "Printing", "Sharing knowledge with hospital specialists",
	"Single Sign On", "OOH being able to see proactive care plans", "Staff sharing info with other practices",
	"Automation", "Clinical Software", "More computers/laptops", "Data quality", "Desktop", "Employee Productivity",
}

// msStatements are the Microsoft Forms Likert statements, other spellings
// again.
var msStatements = []string{
	"Record Sharing (Interoperability of records)", "Cyber Security strategy", "Telephony",
	"Staff being able to access systems at home/from other sites", "Electronic communications", "Online Triage",
	"Patient Online", "Wi-Fi", "Network speeds", "Improving speed of computers", "Improving Printing",
	"Sharing knowledge with hospital specialists", "SSO", "Out of hours being able to see proactive care plans",
	"Staff sharing information with other practices", "Automating Processes", "Clinical systems",
	"Increasing number of computers/laptops", "Improving Data", "Desktop/Device strategy", "Employee Productivity",
}

// exampleRespondent is one invented respondent.
type exampleRespondent struct {
	practice, role, email, name, comment string
}

var googleRespondents = []exampleRespondent{
	{"Jericho Canal Surgery", "GP Partner", "hannah.okafor@nhs.net", "", "Phones drop calls every Monday morning; patients give up queuing."},
	{"jericho canal surgery", "Practice Manager", "mark.ellison@nhs.net", "", ""},
	{"Cowley Road Medical Practice", "Practice Manager", "priya.raman2@nhs.net", "", "Wi-Fi in the waiting room would help with online consultations. Please call me on 01865 512345 or email priya.raman2@nhs.net to discuss."},
	{"COWLEY ROAD MEDICAL PRACTICE", "Salaried GP", "tom.whitlock@nhs.net", "", ""},
	{"Cowley Road", "Practice Nurse", "grace.mensah@nhs.net", "", ""},
	{"St Clement's and Iffley Practice", "GP Partner", "david.ashworth@nhs.net", "", "Logging in to five systems takes ten minutes.\nSingle sign on please!"},
	{"St Clements", "Reception Manager", "lucy.barnes7@nhs.net", "", ""},
	{"K84503", "IT Lead", "sam.kowalski@nhs.net", "", `Our "new" PCs are slower than the old ones, honestly.`},
	{"Headington Hill HC (K84503)", "GP Partner", "fiona.macrae@nhs.net", "", ""},
	{"Summertown Park Surgery.", "Practice Manager", "oliver.grant@nhs.net", "", ""},
	{"Summertown Park", "Salaried GP", "amira.haddad@nhs.net", "", "Remote access for GPs working from home is essential."},
	{"Abingdon Vale Practice", "GP Partner", "james.thornton@nhs.net", "", ""},
	{"Abingdon Vale practice", "Administrator", "kate.doyle@nhs.net", "", ""},
	{"Didcot - Ladygrove Surgery", "Practice Manager", "rachel.lim@nhs.net", "", "Scanning letters by hand takes a full-time post."},
	{"Ladygrove Surgery", "Practice Nurse", "ben.osei@nhs.net", "", ""},
	{"Wallingford Riverside", "GP Partner", "claire.hughes3@nhs.net", "", ""},
	{"Wallingford Riverside Surgery", "Reception Manager", "nick.patel@nhs.net", "", ""},
	{"Thame Cornmarket Practice", "Practice Manager", "emma.forsyth@nhs.net", "", "Cyber security training for all staff, please."},
	{"thame cornmarket practice (k84513)", "Salaried GP", "yusuf.ali@nhs.net", "", ""},
	{"Henley Bell Street Surgery", "GP Partner", "laura.pemberton@nhs.net", "", ""},
	{"Bell Street Surgery", "IT Lead", "chris.dunmore@nhs.net", "", ""},
	{"Henley", "Administrator", "jo.winter@nhs.net", "", ""},
	{"Jericho Canal Surgery", "GP Partner", "hannah.okafor@nhs.net", "", "Sending this again with my telephony answers corrected."},
	{"Abingdon Vale Practice", "Practice Nurse", "mia.russo@nhs.net", "", ""},
	{"Didcot Ladygrove Surgery", "Salaried GP", "arjun.mehta@nhs.net", "", ""},
}

var msRespondents = []exampleRespondent{
	{"Banbury Cross Health Centre", "GP Partner", "anonymous", "", ""},
	{"Banbury Cross Health Centre", "Practice Manager", "helen.cartwright@nhs.net", "Helen Cartwright", "Remote working needs better laptops and VPN."},
	{"Banbury Cross", "Practice Nurse", "anonymous", "", ""},
	{"Bicester Market Surgery", "Practice Manager", "gary.holt@nhs.net", "Gary Holt", "Our phone system is end of life; call 01869 245678 if you need details."},
	{"Bicester Market Surgery", "Salaried GP", "anonymous", "", ""},
	{"Deddington & Adderbury Practice", "GP Partner", "sophie.leng@nhs.net", "Sophie Leng", ""},
	{"Deddington and Adderbury Practice", "Dispensary Manager", "anonymous", "", "Dispensary needs electronic prescriptions to the branch site."},
	{"K84509 Hook Norton", "Practice Manager", "peter.voss@nhs.net", "Peter Voss", ""},
	{"Witney Windrush Medical Centre", "GP Partner", "nadia.farah@nhs.net", "Nadia Farah", ""},
	{"Windrush Medical Centre", "IT Lead", "will.ashby@nhs.net", "Will Ashby", "Record sharing with OUH would save hours each week."},
	{"Carterton Health Centre", "Practice Manager", "anonymous", "", ""},
	{"Carterton Health Centre", "Salaried GP", "ruth.gibbons@nhs.net", "Ruth Gibbons", ""},
	{"Chipping Norton Rock Hill Surgery", "GP Partner", "matt.keane@nhs.net", "Matt Keane", ""},
	{"Rock Hill Surgery", "Reception Manager", "jen.osborne@nhs.net", "Jen Osborne", ""},
	{"Eynsham Abbey Medical Group", "Practice Manager", "alan.pryce@nhs.net", "Alan Pryce", "Printing is slow but it is not the biggest problem."},
}

// tierMean is the mean priority respondents give each roadmap tier, so the
// examples rank the Very high workstreams first, as the roadmap did.
var tierMean = map[survey.Tier]float64{
	survey.TierVeryHigh: 0.92, survey.TierMandated: 0.62, survey.TierHigh: 0.8, survey.TierMedium: 0.4,
}

// exampleAnswers returns one respondent's answers, one per workstream of
// cat, as indexes into a five-level scale (0 = highest) or -1 for "Don't
// know" and -2 for no answer.
func exampleAnswers(r *rand.Rand, cat *survey.Catalogue) []int {
	out := make([]int, len(cat.Workstreams))
	for i, w := range cat.Workstreams {
		switch x := r.Float64(); {
		case x < 0.04:
			out[i] = -1
		case x < 0.06:
			out[i] = -2
		default:
			s := tierMean[w.DocTier] + (r.Float64()-0.5)*0.6
			out[i] = 4 - int(max(0, min(1, s))*4+0.5)
		}
	}
	return out
}

// answerText returns the label of an answer index in the given scale.
func answerText(scale []string, a int) string {
	switch a {
	case -1:
		return "Don't know"
	case -2:
		return ""
	}
	return scale[a]
}

// exampleGoogleCSV returns the Google Forms export: a UK-locale sheet
// downloaded as CSV (CRLF, no BOM, no final newline).
func exampleGoogleCSV(cat *survey.Catalogue) []byte {
	r := rand.New(rand.NewPCG(2026, 11))
	scale := []string{"Very high priority", "High priority", "Medium priority", "Low priority", "Not a priority"}
	header := []string{"Timestamp", "Email address", "Which practice do you work at? (name or ODS code)", "What is your role?"}
	for _, it := range googleItems {
		header = append(header, exampleGrid+" ["+it+"]")
	}
	header = append(header, "Any other comments about IT in your practice?")
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	w.Write(header)
	for i, p := range googleRespondents {
		at := workingTime(r, 3+i*21/len(googleRespondents))
		rec := []string{at.Format("02/01/2006 15:04:05"), p.email, p.practice, p.role}
		for _, a := range exampleAnswers(r, cat) {
			rec = append(rec, answerText(scale, a))
		}
		w.Write(append(rec, p.comment))
	}
	w.Flush()
	return bytes.TrimSuffix(buf.Bytes(), []byte("\r\n"))
}

// exampleMSFormsXLSX returns the Microsoft Forms workbook: times as Excel
// date cells, one column per Likert statement.
func exampleMSFormsXLSX(cat *survey.Catalogue) ([]byte, error) {
	r := rand.New(rand.NewPCG(2026, 4))
	scale := []string{"Very high", "High", "Medium", "Low", "Not a priority"}
	f := excelize.NewFile()
	defer f.Close()
	header := []any{"ID", "Start time", "Completion time", "Email", "Name", "Last modified time",
		"Which practice are you from?", "What is your role?"}
	for _, s := range msStatements {
		header = append(header, s)
	}
	header = append(header, "Is there anything else you would like to tell us about IT at your practice?")
	if err := f.SetSheetRow("Sheet1", "A1", &header); err != nil {
		return nil, err
	}
	style, err := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("m/d/yy h:mm")})
	if err != nil {
		return nil, err
	}
	for i, p := range msRespondents {
		at := workingTime(r, 4+i*20/len(msRespondents))
		done := at.Add(time.Duration(3+r.IntN(9))*time.Minute + time.Duration(r.IntN(60))*time.Second)
		row := []any{i + 1, at, done, p.email, p.name, nil, p.practice, p.role}
		for _, a := range exampleAnswers(r, cat) {
			row = append(row, answerText(scale, a))
		}
		row = append(row, p.comment)
		cell := fmt.Sprintf("A%d", i+2)
		if err := f.SetSheetRow("Sheet1", cell, &row); err != nil {
			return nil, err
		}
		if err := f.SetCellStyle("Sheet1", fmt.Sprintf("B%d", i+2), fmt.Sprintf("C%d", i+2), style); err != nil {
			return nil, err
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// workingTime returns a time on the given day of November 2026 between
// 08:00 and 18:00 (GMT, so UTC too).
func workingTime(r *rand.Rand, day int) time.Time {
	return time.Date(2026, 11, day, 8+r.IntN(10), r.IntN(60), r.IntN(60), 0, time.UTC)
}

func ptr[T any](v T) *T { return &v }
