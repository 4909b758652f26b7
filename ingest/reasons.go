package ingest

import (
	"fmt"
	"path/filepath"
)

// why is how a column's role was decided: what recognised it, or why it
// is not read. It is the one record of that decision; the note inspect
// shows, the confidence and the file's warnings are all derived from it.
type why int

// Reasons a column has its role.
const (
	whyNone               why = iota // nothing to say (a question recognised by its words)
	whyMeta                          // a metadata name of the platform
	whyEmptyHeader                   // no header and no answers: nothing to read
	whyUnrecognised                  // the header means nothing to the ingester
	whyPersonal                      // the header names personal data
	whyHeader                        // the header is a workstream's name, ID or alias
	whyBracketed                     // the item in the header's [brackets] is
	whyAfterDash                     // the text after " - " is
	whyBeforeDash                    // the text before " - " is
	whyMentioned                     // the question names a workstream and its answers are priorities
	whyMapped                        // a mapping file names the column
	whyMappedOther                   // a mapping gives this role to another column
	whyPracticeOther                 // another column holds the practice
	whyDuplicate                     // a second column of a role a file has once
	whyAnsweredOther                 // another question answers the workstream
	whyOptionsAnswered               // every workstream it names is answered by another question
	whyRoleOption                    // an option of the role question exported one column per option
	whyBlankHeaderAnswers            // no header, but it holds answers
	whyRankNamesNone                 // a ranking whose answers name no workstream
	whyMentionedWords                // the question has distinctive words of a workstream and its answers are priorities

	// Refusals: the column was considered as something and is not it.
	whyCommonWord       // the question names a workstream by one everyday word only
	whyNotPriorities    // the header names a workstream but the answers are not priorities on a scale
	whyNotPractices     // the header speaks of the practice but the answers are not practices
	whyYesNoRole        // the question speaks of a role but its answers are yes or no
	whyNotFreeText      // the question reads as free text but its answers are an option's label or 0/1
	whyPersonalContents // the answers are personal data, whatever the header says
)

// personalData is the kind of personal data a column holds.
type personalData int

// Kinds of personal data.
const (
	dataEmail       personalData = iota + 1 // the respondent's e-mail, kept as a keyed hash
	dataEmailAnswer                         // an e-mail address given as an answer
	dataName
	dataIP
	dataPhone
	dataAddress
	dataBirthDate
	dataIdentifier
	dataNHSNumber
	dataUser
)

// personalNotes are the notes of the kinds of personal data.
var personalNotes = map[personalData]string{
	dataEmail:       "personal data: stored only as a keyed hash",
	dataEmailAnswer: "personal data (e-mail in an answer): not stored",
	dataName:        "personal data (name): not stored",
	dataIP:          "personal data (IP address): not stored",
	dataPhone:       "personal data (phone): not stored",
	dataAddress:     "personal data (address): not stored",
	dataBirthDate:   "personal data (date of birth): not stored",
	dataIdentifier:  "personal data (a person's number): not stored",
	dataNHSNumber:   "personal data (NHS number): not stored",
	dataUser:        "personal data (user name): not stored",
}

// contentsNames say, in a note, what answers gave personal data away.
var contentsNames = map[personalData]string{
	dataEmail:      "e-mail addresses",
	dataPhone:      "phone numbers",
	dataAddress:    "addresses with postcodes",
	dataNHSNumber:  "NHS numbers",
	dataName:       "people's names",
	dataIdentifier: "people's numbers",
}

// reason is why a column has its role, with what the reason refers to.
type reason struct {
	why why
	// other is the letter of the column the reason refers to (the
	// practice, the first of a duplicate, the question used instead).
	other string
	// data is the kind of personal data, for whyPersonal.
	data personalData
	// mapping is the file of the mapping, for whyMapped.
	mapping string
	// ws is the name of the workstream considered, and words the words of
	// the header that named it.
	ws, words string
	// fit of all answers read ahead were what the reason says.
	fit, all int
	// what is what the answers were instead, for whyNotFreeText.
	what string
}

// because returns a reason with nothing to refer to.
func because(w why) reason { return reason{why: w} }

// String returns the reason as inspect shows it in a column's note.
func (r reason) String() string {
	switch r.why {
	case whyEmptyHeader:
		return "empty header"
	case whyUnrecognised:
		return "not recognised"
	case whyPersonal:
		return personalNotes[r.data]
	case whyHeader:
		return "header"
	case whyBracketed:
		return "bracketed item"
	case whyAfterDash:
		return `text after " - "`
	case whyBeforeDash:
		return `text before " - "`
	case whyMentioned:
		return "the question names the workstream and the answers are priorities"
	case whyMapped:
		return "named by the mapping " + filepath.Base(r.mapping)
	case whyMappedOther:
		return "the mapping gives this to column " + r.other
	case whyPracticeOther:
		return "another column holds the practice (" + r.other + ")"
	case whyDuplicate:
		return "duplicate of column " + r.other
	case whyAnsweredOther:
		return "workstream already answered by column " + r.other + "; this question was not used"
	case whyOptionsAnswered:
		return "every workstream it names is answered by another question"
	case whyRoleOption:
		return "an option of the role question in column " + r.other
	case whyBlankHeaderAnswers:
		return "no header, but it holds answers: not read (a mapping file can name it by its letter)"
	case whyRankNamesNone:
		return "ranking whose answers name no workstream"
	case whyMentionedWords:
		return "the question has the words " + r.words + " of the workstream and the answers are priorities"
	case whyCommonWord:
		return fmt.Sprintf("considered as %s, but the question names it only by the word %q, too common to tell; not read (a mapping file can name it)", r.ws, r.words)
	case whyNotPriorities:
		return fmt.Sprintf("considered as %s, but %d of %d answers read ahead are priorities on a scale; not read", r.ws, r.fit, r.all)
	case whyNotPractices:
		return fmt.Sprintf("considered as the practice, but %d of %d answers read ahead are practice names or ODS codes; not read", r.fit, r.all)
	case whyYesNoRole:
		return fmt.Sprintf("considered as the role, but %d of %d answers read ahead are yes or no; not read", r.fit, r.all)
	case whyNotFreeText:
		return "considered as free text, but its answers are " + r.what + "; not read"
	case whyPersonalContents:
		return fmt.Sprintf("personal data (%s in %d of %d answers read ahead): not stored", contentsNames[r.data], r.fit, r.all)
	}
	return ""
}
