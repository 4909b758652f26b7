package web

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/crypto/bcrypt"
)

// fakeClock is a clock that moves only when told to.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// TestLimiterRefills checks the token buckets on their own: a
// reservation takes a token when there is one and none when there is
// not, a refund gives one back, and a bucket refills over time, never
// beyond its burst.
func TestLimiterRefills(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := newLimiter(clock.Now, time.Minute)
	keys := map[string]int{"a": 2}
	tests := []struct {
		advance time.Duration
		refunds int
		want    time.Duration // what reserve returns
	}{
		{0, 0, 0},
		{0, 0, 0},
		{0, 0, time.Minute},
		{30 * time.Second, 0, 30 * time.Second},
		{30 * time.Second, 0, 0},
		{0, 1, 0}, // the refund pays for this one
		{0, 0, time.Minute},
		{10 * time.Minute, 0, 0}, // refilled, never beyond the burst
		{0, 0, 0},
		{0, 0, time.Minute},
		{0, 3, 0}, // refunds never fill beyond the burst either
		{0, 0, 0},
		{0, 0, time.Minute},
	}
	for i, tt := range tests {
		clock.Advance(tt.advance)
		for range tt.refunds {
			l.refund(keys)
		}
		if got := l.reserve(keys); got != tt.want {
			t.Errorf("step %d: reserve %v, want %v", i, got, tt.want)
		}
	}
}

// TestConcurrentWrongPasswords sends more wrong passwords for one name at
// once than its bucket holds. Each password check is held until every
// request has either reached it or been answered, so none can give its
// token back or take one late: exactly the bucket's burst reach the
// check, and the rest are refused with 429 without one.
func TestConcurrentWrongPasswords(t *testing.T) {
	s := newSite(t, nil)
	const n = 2*loginBurstPerName + 3
	checking := make(chan struct{}, n)
	release := make(chan struct{})
	s.srv.compareFunc = func(hash, password []byte) error {
		checking <- struct{}{}
		<-release
		return bcrypt.ErrMismatchedHashAndPassword
	}
	reqs := make([]*http.Request, n)
	browsers := make([]*browser, n)
	for i := range reqs {
		browsers[i] = s.browser()
		form := url.Values{"csrf": {browsers[i].csrf("/login")}, "name": {"vic"}, "password": {"not the password"}}
		reqs[i], _ = http.NewRequest(http.MethodPost, s.ts.URL+"/login", strings.NewReader(form.Encode()))
		reqs[i].Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	codes := make(chan int, n)
	for i := range reqs {
		go func() {
			resp, err := browsers[i].c.Do(reqs[i])
			if err != nil {
				codes <- 0
				return
			}
			resp.Body.Close()
			codes <- resp.StatusCode
		}()
	}
	// Every request either reaches the check, where it waits, or is
	// answered without it.
	checked, got := 0, map[int]int{}
	for answered := 0; checked+answered < n; {
		select {
		case <-checking:
			checked++
		case code := <-codes:
			got[code]++
			answered++
		}
	}
	close(release)
	for range checked {
		got[<-codes]++
	}
	if checked != loginBurstPerName {
		t.Errorf("%d of %d concurrent attempts reached the password check, want %d", checked, n, loginBurstPerName)
	}
	want := map[int]int{http.StatusUnauthorized: loginBurstPerName, http.StatusTooManyRequests: n - loginBurstPerName}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("status codes (-want +got):\n%s", diff)
	}
}
