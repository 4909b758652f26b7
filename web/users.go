package web

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
)

// Role is what a user may do.
type Role string

// The roles, from least to most allowed.
const (
	// RoleViewer sees the files, the ranking and the runs.
	RoleViewer Role = "viewer"
	// RoleUploader also uploads exports into the inbox.
	RoleUploader Role = "uploader"
	// RoleAdmin may do everything an uploader may, is never tied to a
	// federation, and sees who uploaded each file.
	RoleAdmin Role = "admin"
)

// Roles lists the roles, from least to most allowed.
var Roles = []Role{RoleViewer, RoleUploader, RoleAdmin}

// Password limits: bcrypt reads no more than 72 bytes.
const (
	MinPasswordLength = 10
	MaxPasswordBytes  = 72
)

// User is one entry of the users file.
type User struct {
	// Name is what the user signs in with (or their e-mail address).
	Name string
	// Email is the user's e-mail address.
	Email string
	// Role is what the user may do.
	Role Role
	// Federation, when set, limits the user to that federation's files
	// and comments. An admin has none.
	Federation string
	// PasswordHash is the bcrypt hash of the user's password.
	PasswordHash string
}

// usersHeader is the first line of a users file.
var usersHeader = []string{"name", "email", "role", "federation", "password_hash"}

// ReadUsers reads a users file: a CSV file whose header is
// name,email,role,federation,password_hash, one user a line. It returns
// an error naming the line of the first entry that is not valid: a
// missing name or e-mail, a name or e-mail address used twice (in any
// case), an unknown role, an admin tied to a federation, or a password
// hash that is not bcrypt's.
func ReadUsers(r io.Reader) ([]User, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("users file is empty; want the header " + strings.Join(usersHeader, ","))
	}
	if err != nil {
		return nil, fmt.Errorf("users file: %w", err)
	}
	if !slices.Equal(head, usersHeader) {
		return nil, fmt.Errorf("users file line 1: want the header %s", strings.Join(usersHeader, ","))
	}
	cr.FieldsPerRecord = len(usersHeader)
	var users []User
	seen := map[string]int{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return users, nil
		}
		if err != nil {
			return nil, fmt.Errorf("users file: %w", err)
		}
		line, _ := cr.FieldPos(0)
		u := User{Name: rec[0], Email: rec[1], Role: Role(rec[2]), Federation: rec[3], PasswordHash: rec[4]}
		if err := u.check(); err != nil {
			return nil, fmt.Errorf("users file line %d: %w", line, err)
		}
		for _, k := range []string{strings.ToLower(u.Name), strings.ToLower(u.Email)} {
			if first, dup := seen[k]; dup {
				return nil, fmt.Errorf("users file line %d: %q is already used on line %d", line, k, first)
			}
			seen[k] = line
		}
		users = append(users, u)
	}
}

// check reports what is wrong with u, or nil.
func (u User) check() error {
	if err := checkName(u.Name); err != nil {
		return err
	}
	if a, err := mail.ParseAddress(u.Email); err != nil || a.Address != u.Email {
		return fmt.Errorf("e-mail %q: want an address such as jo.bloggs@nhs.net", u.Email)
	}
	if !slices.Contains(Roles, u.Role) {
		return fmt.Errorf("role %q: want viewer, uploader or admin", u.Role)
	}
	if u.Role == RoleAdmin && u.Federation != "" {
		return errors.New("an admin sees every federation; give the federation to a viewer or uploader")
	}
	if strings.TrimSpace(u.Federation) != u.Federation || hasControl(u.Federation) {
		return fmt.Errorf("federation %q: no leading or trailing spaces or control characters", u.Federation)
	}
	if _, err := bcrypt.Cost([]byte(u.PasswordHash)); err != nil {
		return fmt.Errorf("password_hash of %s is not a bcrypt hash; set it with surveyworker users add", u.Name)
	}
	return nil
}

// checkName reports whether name can be signed in with: one word of
// letters, digits and . _ - (an e-mail address is signed in with as it
// is).
func checkName(name string) error {
	if name == "" || utf8.RuneCountInString(name) > 64 {
		return fmt.Errorf("name %q: want 1 to 64 letters, digits, '.', '_' or '-'", name)
	}
	for _, r := range name {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("._-", r) {
			return fmt.Errorf("name %q: want 1 to 64 letters, digits, '.', '_' or '-'", name)
		}
	}
	return nil
}

// hasControl reports whether s holds a control or formatting character
// (such as a right-to-left override).
func hasControl(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }) >= 0
}

// WriteUsers writes users as a users file that [ReadUsers] reads.
func WriteUsers(w io.Writer, users []User) error {
	cw := csv.NewWriter(w)
	cw.Write(usersHeader)
	for _, u := range users {
		cw.Write([]string{u.Name, u.Email, string(u.Role), u.Federation, u.PasswordHash})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write users: %w", err)
	}
	return nil
}

// HashPassword returns the bcrypt hash of password at bcrypt's default
// cost. It returns an error when the password is shorter than
// [MinPasswordLength] characters or longer than [MaxPasswordBytes] bytes.
func HashPassword(password string) (string, error) {
	return hashPassword(password, bcrypt.DefaultCost)
}

func hashPassword(password string, cost int) (string, error) {
	switch {
	case utf8.RuneCountInString(password) < MinPasswordLength:
		return "", fmt.Errorf("password too short: want at least %d characters", MinPasswordLength)
	case len(password) > MaxPasswordBytes:
		return "", fmt.Errorf("password too long: want at most %d bytes", MaxPasswordBytes)
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), cost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// AddUser adds u to the users file at path, creating it (mode 0600) when
// it does not exist. A user of the same name is replaced when replace is
// set and is an error otherwise. The file is replaced whole, by renaming
// a complete new file over it, so a running server never reads half of
// it.
func AddUser(path string, u User, replace bool) error {
	b, err := withUser(path, u, replace)
	if err != nil {
		return err
	}
	return writeFileAtomic(path, b, 0o600)
}

// CheckNewUser reports what [AddUser] would find wrong with u, its
// password hash aside, without writing anything: so that a user can be
// refused before a password is asked for.
func CheckNewUser(path string, u User, replace bool) error {
	u.PasswordHash = placeholderHash
	_, err := withUser(path, u, replace)
	return err
}

// placeholderHash has the form of a bcrypt hash and is the hash of no
// password.
const placeholderHash = "$2a$10$......................................................"

// withUser returns the users file at path with u added, checked whole.
func withUser(path string, u User, replace bool) ([]byte, error) {
	var users []User
	if f, err := os.Open(path); err == nil {
		users, err = ReadUsers(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("users file: %w", err)
	}
	i := slices.IndexFunc(users, func(o User) bool { return strings.EqualFold(o.Name, u.Name) })
	switch {
	case i >= 0 && !replace:
		return nil, fmt.Errorf("%s: user %s exists; add --replace to change it", path, users[i].Name)
	case i >= 0:
		users[i] = u
	default:
		users = append(users, u)
	}
	var b strings.Builder
	if err := WriteUsers(&b, users); err != nil {
		return nil, err
	}
	if _, err := ReadUsers(strings.NewReader(b.String())); err != nil {
		return nil, err // u is not valid, or clashes with another user's name or e-mail
	}
	return []byte(b.String()), nil
}

// writeFileAtomic writes data to a new file beside path and renames it
// over path.
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("users file: %w", err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("users file: %w", err)
	}
	defer os.Remove(f.Name())
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(mode)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("users file: %w", err)
	}
	return nil
}
