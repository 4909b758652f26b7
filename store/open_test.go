package store_test

import (
	"context"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/lib/pq"

	"github.com/surveyworker/surveyworker/store"
	"github.com/surveyworker/surveyworker/store/storetest"
)

func TestConnConfig(t *testing.T) {
	type conn struct {
		SSLMode        pq.SSLMode
		ConnectTimeout time.Duration
		Password       string
		Database       string
	}
	tests := []struct {
		name string
		dsn  string
		env  map[string]string
		want conn
	}{
		{name: "URL without sslmode", dsn: "postgres://u@db.example/sw",
			want: conn{SSLMode: "prefer", ConnectTimeout: 10 * time.Second, Database: "sw"}},
		{name: "postgresql URL with other parameters", dsn: "postgresql://u:pw@db.example:5433/sw?application_name=x",
			want: conn{SSLMode: "prefer", ConnectTimeout: 10 * time.Second, Password: "pw", Database: "sw"}},
		{name: "URL with sslmode=require", dsn: "postgres://u@db.example/sw?sslmode=require",
			want: conn{SSLMode: "require", ConnectTimeout: 10 * time.Second, Database: "sw"}},
		{name: "URL with verify-full and a timeout", dsn: "postgres://u@db.example/sw?connect_timeout=3&sslmode=verify-full",
			want: conn{SSLMode: "verify-full", ConnectTimeout: 3 * time.Second, Database: "sw"}},
		{name: "key=value without sslmode", dsn: "host=db.example dbname=sw",
			want: conn{SSLMode: "prefer", ConnectTimeout: 10 * time.Second, Database: "sw"}},
		{name: "key=value with sslmode=disable", dsn: "host=db.example dbname=sw sslmode=disable",
			want: conn{SSLMode: "disable", ConnectTimeout: 10 * time.Second, Database: "sw"}},
		{name: "settings inside a quoted value are not settings",
			dsn:  `host=db.example password='a sslmode=disable connect_timeout=5 b' dbname='my db'`,
			want: conn{SSLMode: "prefer", ConnectTimeout: 10 * time.Second, Password: "a sslmode=disable connect_timeout=5 b", Database: "my db"}},
		{name: "Unix socket never uses SSL", dsn: "host=/run/postgresql dbname=sw",
			want: conn{SSLMode: "disable", ConnectTimeout: 10 * time.Second, Database: "sw"}},
		{name: "PGSSLMODE wins over the default", dsn: "postgres://u@db.example/sw",
			env:  map[string]string{"PGSSLMODE": "require"},
			want: conn{SSLMode: "require", ConnectTimeout: 10 * time.Second, Database: "sw"}},
		{name: "the DSN wins over PGSSLMODE", dsn: "postgres://u@db.example/sw?sslmode=verify-full",
			env:  map[string]string{"PGSSLMODE": "disable"},
			want: conn{SSLMode: "verify-full", ConnectTimeout: 10 * time.Second, Database: "sw"}},
		{name: "PGCONNECT_TIMEOUT wins over the default", dsn: "host=db.example dbname=sw",
			env:  map[string]string{"PGCONNECT_TIMEOUT": "4"},
			want: conn{SSLMode: "prefer", ConnectTimeout: 4 * time.Second, Database: "sw"}},
		{name: "direct SSL negotiation keeps lib/pq's default", dsn: "host=db.example dbname=sw sslnegotiation=direct",
			want: conn{SSLMode: "", ConnectTimeout: 10 * time.Second, Database: "sw"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range []string{"PGSSLMODE", "PGCONNECT_TIMEOUT", "PGSSLNEGOTIATION", "PGSERVICE", "PGPASSWORD", "PGDATABASE"} {
				t.Setenv(k, tt.env[k]) // restored when the test ends
				if _, ok := tt.env[k]; !ok {
					os.Unsetenv(k)
				}
			}
			cfg, err := store.ConnConfig(tt.dsn)
			if err != nil {
				t.Fatal(err)
			}
			got := conn{SSLMode: cfg.SSLMode, ConnectTimeout: cfg.ConnectTimeout, Password: cfg.Password, Database: cfg.Database}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ConnConfig(%q) (-want +got):\n%s", tt.dsn, diff)
			}
		})
	}
}

func TestConnConfigRejectsUnknownSSLMode(t *testing.T) {
	if _, err := store.ConnConfig("postgres://u@db.example/sw?sslmode=sometimes"); err == nil {
		t.Error("got no error for sslmode=sometimes")
	}
}

// TestOpenURLWithoutSSLMode connects over TCP with a URL that names no
// sslmode, as psql would, to the test server, which has no SSL.
func TestOpenURLWithoutSSLMode(t *testing.T) {
	cfg, err := pq.NewConfig(storetest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	u := url.URL{Scheme: "postgres", User: url.User(cfg.User), Host: tcpProxy(t, cfg), Path: "/" + cfg.Database}
	if cfg.Password != "" {
		u.User = url.UserPassword(cfg.User, cfg.Password)
	}
	st, err := store.Open(context.Background(), u.String())
	if err != nil {
		t.Fatalf("Open(%s): %v", store.Redact(u.String()), err)
	}
	defer st.Close()
	if err := st.Ping(context.Background()); err != nil {
		t.Errorf("Ping: %v", err)
	}
}

// tcpProxy listens on 127.0.0.1 and forwards each connection to the server
// cfg names, which may listen on a Unix socket only. It returns the
// listening address and stops when the test ends.
func tcpProxy(t *testing.T, cfg pq.Config) string {
	t.Helper()
	network, addr := "tcp", net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port)))
	if filepath.IsAbs(cfg.Host) {
		network, addr = "unix", filepath.Join(cfg.Host, ".s.PGSQL."+strconv.Itoa(int(cfg.Port)))
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		open   []net.Conn
		closed bool
	)
	keep := func(cs ...net.Conn) bool {
		mu.Lock()
		defer mu.Unlock()
		if closed {
			for _, c := range cs {
				c.Close()
			}
			return false
		}
		open = append(open, cs...)
		return true
	}
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		closed = true
		for _, c := range open {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			client, err := l.Accept()
			if err != nil {
				return
			}
			server, err := net.Dial(network, addr)
			if err != nil {
				client.Close()
				continue
			}
			if !keep(client, server) {
				return
			}
			wg.Go(func() { io.Copy(server, client); server.Close() })
			wg.Go(func() { io.Copy(client, server); client.Close() })
		}
	})
	return l.Addr().String()
}
