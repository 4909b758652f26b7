package report

import (
	"context"
	"net"
	"sync"
	"time"
)

// deadlineConn gives every read and write on a connection its own
// deadline, timeout from when it starts, and ends them all when ctx is
// done. go-mail sets one deadline for the whole greeting and
// authentication and one for the whole message; with those, a relay that
// answers nothing holds the sender for as long as both together, and one
// that trickles holds it until the message's deadline. Here the deadlines
// go-mail sets are ignored: each SMTP command's reply must start within
// timeout, and ctx bounds the whole message.
type deadlineConn struct {
	net.Conn
	ctx     context.Context
	timeout time.Duration
	stop    func() bool
	once    sync.Once
}

func newDeadlineConn(ctx context.Context, c net.Conn, timeout time.Duration) *deadlineConn {
	d := &deadlineConn{Conn: c, ctx: ctx, timeout: timeout}
	// A deadline in the past wakes a read or write blocked when ctx ends.
	d.stop = context.AfterFunc(ctx, func() { c.SetDeadline(time.Unix(1, 0)) })
	return d
}

// deadline is timeout from now, or ctx's deadline when that comes first.
func (d *deadlineConn) deadline() time.Time {
	t := time.Now().Add(d.timeout)
	if cd, ok := d.ctx.Deadline(); ok && cd.Before(t) {
		return cd
	}
	return t
}

// Read reads with a fresh deadline.
func (d *deadlineConn) Read(b []byte) (int, error) {
	if err := d.ctx.Err(); err != nil {
		return 0, err
	}
	if err := d.Conn.SetReadDeadline(d.deadline()); err != nil {
		return 0, err
	}
	return d.Conn.Read(b)
}

// Write writes with a fresh deadline.
func (d *deadlineConn) Write(b []byte) (int, error) {
	if err := d.ctx.Err(); err != nil {
		return 0, err
	}
	if err := d.Conn.SetWriteDeadline(d.deadline()); err != nil {
		return 0, err
	}
	return d.Conn.Write(b)
}

// SetDeadline does nothing: each Read and Write sets its own.
func (d *deadlineConn) SetDeadline(time.Time) error { return nil }

// SetReadDeadline does nothing: each Read sets its own.
func (d *deadlineConn) SetReadDeadline(time.Time) error { return nil }

// SetWriteDeadline does nothing: each Write sets its own.
func (d *deadlineConn) SetWriteDeadline(time.Time) error { return nil }

// Close closes the connection and stops watching ctx.
func (d *deadlineConn) Close() error {
	d.once.Do(func() { d.stop() })
	return d.Conn.Close()
}
