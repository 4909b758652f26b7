package web

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/crypto/bcrypt"
)

// testPassword is every test user's password.
const testPassword = "correct horse battery"

// testHash is testPassword hashed at bcrypt's lowest cost, so that tests
// sign in quickly.
var testHash = sync.OnceValue(func() string {
	h, err := bcrypt.GenerateFromPassword([]byte(testPassword), bcrypt.MinCost)
	if err != nil {
		panic(err)
	}
	return string(h)
})

func TestReadUsers(t *testing.T) {
	h := testHash()
	head := "name,email,role,federation,password_hash\n"
	tests := []struct {
		name, file, err string
	}{
		{"ok", head + "jo,jo@nhs.net,uploader,Oxford City," + h + "\nada,ada@nhs.net,admin,," + h + "\n", ""},
		{"header only", head, ""},
		{"empty", "", "users file is empty"},
		{"wrong header", "name,email,role\n", "line 1: want the header"},
		{"bad role", head + "jo,jo@nhs.net,boss,," + h + "\n", `line 2: role "boss"`},
		{"bad e-mail", head + "jo,jo at nhs,viewer,," + h + "\n", `line 2: e-mail "jo at nhs"`},
		{"name with space", head + "jo b,jo@nhs.net,viewer,," + h + "\n", `line 2: name "jo b"`},
		{"admin of a federation", head + "ada,ada@nhs.net,admin,Oxford City," + h + "\n", "line 2: an admin sees every federation"},
		{"not bcrypt", head + "jo,jo@nhs.net,viewer,,plaintext\n", "line 2: password_hash of jo is not a bcrypt hash"},
		{"name twice", head + "jo,jo@nhs.net,viewer,," + h + "\nJO,jo2@nhs.net,viewer,," + h + "\n", `line 3: "jo" is already used on line 2`},
		{"e-mail twice", head + "jo,jo@nhs.net,viewer,," + h + "\nsam,JO@nhs.net,viewer,," + h + "\n", `line 3: "jo@nhs.net" is already used`},
		{"control character", head + "jo,jo@nhs.net,viewer,Oxford\u202eCity," + h + "\n", "line 2: federation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			users, err := ReadUsers(strings.NewReader(tt.file))
			if tt.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				var b strings.Builder
				if err := WriteUsers(&b, users); err != nil || b.String() != tt.file {
					t.Errorf("WriteUsers(ReadUsers(f)) = %q, %v; want f", b.String(), err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("error %v, want one containing %q", err, tt.err)
			}
		})
	}
}

func TestAddUser(t *testing.T) {
	path := filepath.Join(t.TempDir(), "conf", "users.csv")
	jo := User{Name: "jo", Email: "jo@nhs.net", Role: RoleUploader, Federation: "Oxford City", PasswordHash: testHash()}
	if err := AddUser(path, jo, false); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("users file mode %v (%v), want 0600", fi.Mode(), err)
	}
	if err := AddUser(path, jo, false); err == nil || !strings.Contains(err.Error(), "--replace") {
		t.Errorf("adding jo twice: %v, want an error suggesting --replace", err)
	}
	clash := User{Name: "sam", Email: "JO@nhs.net", Role: RoleViewer, PasswordHash: testHash()}
	if err := AddUser(path, clash, false); err == nil {
		t.Error("a second user with jo's e-mail was added")
	}
	for _, u := range []User{clash, {Name: "ada", Email: "ada@nhs.net", Role: RoleAdmin, Federation: "X"}, jo} {
		if err := CheckNewUser(path, u, false); err == nil {
			t.Errorf("CheckNewUser(%+v): no error", u)
		}
	}
	if err := CheckNewUser(path, User{Name: "sam", Email: "sam@nhs.net", Role: RoleViewer}, false); err != nil {
		t.Errorf("CheckNewUser of a new user without a hash: %v", err)
	}
	jo.Role = RoleViewer
	if err := AddUser(path, jo, true); err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(path)
	defer f.Close()
	got, err := ReadUsers(f)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]User{jo}, got); diff != "" {
		t.Errorf("users file (-want +got):\n%s", diff)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("folder holds %d entries, want only the users file", len(entries))
	}
}

func TestHashPassword(t *testing.T) {
	for pw, ok := range map[string]bool{
		"short":                 false,
		"ten chars!":            true,
		strings.Repeat("x", 72): true,
		strings.Repeat("x", 73): false,
	} {
		h, err := hashPassword(pw, bcrypt.MinCost)
		if (err == nil) != ok {
			t.Errorf("hashPassword(%d characters): %v, want ok %v", len(pw), err, ok)
			continue
		}
		if ok && bcrypt.CompareHashAndPassword([]byte(h), []byte(pw)) != nil {
			t.Errorf("hash of %q does not match it", pw)
		}
	}
}
