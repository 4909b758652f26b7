package web

import (
	"math"
	"sync"
	"time"
)

// Sign-in rate limits. Each attempt takes a token from the bucket of the
// name tried and from that of the client's address before the password is
// checked, and one that succeeds gives them back; a bucket refills one
// token every loginRefill. The nine failures a bucket holds come quickly;
// the tenth quick try waits for a token.
const (
	loginBurstPerName    = 9
	loginBurstPerAddress = 30
	loginRefill          = time.Minute
	// maxLimiterKeys bounds the memory of the buckets: past it, full
	// buckets, which say nothing, are dropped.
	maxLimiterKeys = 10000
)

// limiter is a set of token buckets, one per key, on an injected clock.
type limiter struct {
	now    func() time.Time
	refill time.Duration

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	burst  float64
	tokens float64
	at     time.Time
}

func newLimiter(now func() time.Time, refill time.Duration) *limiter {
	return &limiter{now: now, refill: refill, buckets: map[string]*bucket{}}
}

// level refills b to now and returns it.
func (l *limiter) level(b *bucket, now time.Time) float64 {
	if now.After(b.at) {
		b.tokens = min(b.burst, b.tokens+float64(now.Sub(b.at))/float64(l.refill))
		b.at = now
	}
	return b.tokens
}

// reserve takes a token from the bucket of each key and returns zero
// when every bucket has one; otherwise it takes none and returns how long
// until every key has a token. Keys never seen get a full bucket of the
// given burst. Checking and taking happen under one lock, before the
// password is checked, so attempts made at once cannot all pass a check
// that none of them has yet paid for.
func (l *limiter) reserve(keys map[string]int) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.buckets) >= maxLimiterKeys {
		l.prune(now)
	}
	var longest time.Duration
	for k := range keys {
		b, ok := l.buckets[k]
		if !ok {
			continue
		}
		if t := l.level(b, now); t < 1 {
			// Rounded to the millisecond, so that float error does not
			// add a second to the time to wait.
			d := max(time.Millisecond, time.Duration((1-t)*float64(l.refill)).Round(time.Millisecond))
			longest = max(longest, d)
		}
	}
	if longest > 0 {
		return longest
	}
	for k, burst := range keys {
		b, ok := l.buckets[k]
		if !ok {
			b = &bucket{burst: float64(burst), tokens: float64(burst), at: now}
			l.buckets[k] = b
		}
		b.tokens = max(0, b.tokens-1)
	}
	return 0
}

// refund gives back the token [limiter.reserve] took from each key, for
// an attempt that succeeded: only failures use up a bucket.
func (l *limiter) refund(keys map[string]int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	for k := range keys {
		if b, ok := l.buckets[k]; ok {
			l.level(b, now)
			b.tokens = min(b.burst, b.tokens+1)
		}
	}
}

// prune drops the buckets that have refilled.
func (l *limiter) prune(now time.Time) {
	for k, b := range l.buckets {
		if l.level(b, now) >= b.burst {
			delete(l.buckets, k)
		}
	}
}

// retrySeconds is d in whole seconds, rounded up, at least 1.
func retrySeconds(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}
