package store

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ErrNoPostgres is returned when no PostgreSQL installation can be found for
// a private server.
var ErrNoPostgres = errors.New("no PostgreSQL installation found (looked for initdb on PATH and in /usr/lib/postgresql/*/bin); " +
	"install one (Debian/Ubuntu: apt-get install postgresql) or set DATABASE_URL to an existing database")

// ServerConfig configures a private PostgreSQL server.
type ServerConfig struct {
	// DataDir is the cluster directory; it is created with initdb when empty.
	DataDir string
	// BinDir holds initdb and postgres; empty means search PATH and
	// /usr/lib/postgresql/*/bin, newest version first.
	BinDir string
	// Database is created on first start; empty means "surveyworker".
	Database string
	// Fast turns off fsync and friends: for throw-away test clusters only.
	Fast bool
	// Logger receives progress messages; nil discards them.
	Logger *slog.Logger
}

// Server is a private PostgreSQL server listening on a Unix socket only.
// Stop it with [Server.Stop]. A server already running on the same data
// directory (started by another surveyworker process) is reused and left
// running on Stop.
type Server struct {
	cfg       ServerConfig
	bin       string
	socketDir string
	port      int
	cmd       *exec.Cmd
	exited    chan error
	owned     bool
}

// StartServer starts (or reuses) a private PostgreSQL server for cfg and
// waits until it accepts connections. When running as root, the server runs
// as the "postgres" system user, which must be able to reach DataDir.
func StartServer(ctx context.Context, cfg ServerConfig) (*Server, error) {
	if cfg.Database == "" {
		cfg.Database = "surveyworker"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	dir, err := filepath.Abs(cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	cfg.DataDir = dir
	bin := cfg.BinDir
	if bin == "" {
		if bin, err = FindPostgres(); err != nil {
			return nil, err
		}
	}
	s := &Server{cfg: cfg, bin: bin}
	if ok := s.adoptRunning(); ok {
		cfg.Logger.Info("using running private PostgreSQL", slog.String("data_dir", dir))
		return s, s.createDatabase(ctx)
	}
	if err := s.prepare(ctx); err != nil {
		return nil, err
	}
	if err := s.start(ctx); err != nil {
		return nil, err
	}
	return s, s.createDatabase(ctx)
}

// FindPostgres returns the directory holding initdb and postgres: PATH first,
// then the newest /usr/lib/postgresql/*/bin.
func FindPostgres() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return pgVersion(dirs[i]) > pgVersion(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", ErrNoPostgres
}

func pgVersion(binDir string) float64 {
	v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(binDir)), 64)
	return v
}

// URL returns a connection string for database name on the server; an empty
// name means the configured database.
func (s *Server) URL(name string) string {
	if name == "" {
		name = s.cfg.Database
	}
	return fmt.Sprintf("host=%s port=%d user=surveyworker dbname=%s sslmode=disable", s.socketDir, s.port, name)
}

// Stop shuts the server down (fast mode) if this process started it.
func (s *Server) Stop() error {
	if !s.owned || s.cmd == nil {
		return nil
	}
	_ = s.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-s.exited:
		return nil
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
		return errors.New("postgres: did not stop within 30s; killed")
	}
}

// prepare creates the data and socket directories and runs initdb once.
func (s *Server) prepare(ctx context.Context) error {
	// Parents stay searchable so the postgres user can reach the cluster.
	if err := os.MkdirAll(filepath.Dir(s.cfg.DataDir), 0o755); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	if err := os.MkdirAll(s.cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	s.socketDir = filepath.Join(s.cfg.DataDir, "sock")
	if len(s.socketDir) > 90 { // Unix socket paths are limited to ~107 bytes
		d, err := os.MkdirTemp("", "swpg")
		if err != nil {
			return fmt.Errorf("postgres: %w", err)
		}
		s.socketDir = d
	}
	if err := os.MkdirAll(s.socketDir, 0o700); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	pgdata := filepath.Join(s.cfg.DataDir, "pgdata")
	if err := s.chownForServer(s.cfg.DataDir, s.socketDir); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(pgdata, "PG_VERSION")); err == nil {
		return nil
	}
	s.cfg.Logger.Info("initialising private PostgreSQL", slog.String("data_dir", pgdata))
	args := []string{"-D", pgdata, "-U", "surveyworker", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-instructions"}
	if s.cfg.Fast {
		args = append(args, "--no-sync")
	}
	cmd := s.command(ctx, "initdb", args...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("postgres: initdb in %s: %w\n%s", pgdata, err, out)
	}
	return nil
}

// start launches postgres as a child in its own process group, so a Ctrl-C
// in the terminal reaches surveyworker (which then stops it in order), and
// with a parent-death signal, so it never outlives a killed surveyworker.
func (s *Server) start(ctx context.Context) error {
	var err error
	if s.port, err = freePort(); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	args := []string{"-D", filepath.Join(s.cfg.DataDir, "pgdata"), "-k", s.socketDir,
		"-p", strconv.Itoa(s.port), "-c", "listen_addresses=", "-c", "max_connections=50"}
	if s.cfg.Fast {
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	logPath := filepath.Join(s.cfg.DataDir, "postgres.log")
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	cmd := s.command(context.Background(), "postgres", args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr.Setpgid = true
	cmd.SysProcAttr.Pdeathsig = syscall.SIGINT
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("postgres: start: %w", err)
	}
	s.cmd, s.owned, s.exited = cmd, true, make(chan error, 1)
	go func() { s.exited <- cmd.Wait(); logf.Close() }()
	return s.waitReady(ctx, logPath)
}

// waitReady waits until the socket accepts connections, up to 60 seconds.
func (s *Server) waitReady(ctx context.Context, logPath string) error {
	sock := filepath.Join(s.socketDir, fmt.Sprintf(".s.PGSQL.%d", s.port))
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-s.exited:
			s.exited <- err
			return fmt.Errorf("postgres: exited during start-up (%v); see %s:\n%s", err, logPath, tail(logPath, 20))
		case <-ctx.Done():
			s.Stop()
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if c, err := net.Dial("unix", sock); err == nil {
			c.Close()
			s.cfg.Logger.Info("private PostgreSQL ready", slog.String("socket_dir", s.socketDir), slog.Int("port", s.port))
			return nil
		}
	}
	s.Stop()
	return fmt.Errorf("postgres: not ready after 60s; see %s", logPath)
}

// createDatabase creates the configured database unless it exists.
func (s *Server) createDatabase(ctx context.Context) error {
	st, err := Open(ctx, s.URL("postgres"))
	if err != nil {
		return err
	}
	defer st.Close()
	return st.CreateDatabase(ctx, s.cfg.Database, "")
}

// adoptRunning reports whether a postmaster already serves the data
// directory, and if so points s at its socket.
func (s *Server) adoptRunning() bool {
	f, err := os.Open(filepath.Join(s.cfg.DataDir, "pgdata", "postmaster.pid"))
	if err != nil {
		return false
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) < 5 {
		return false
	}
	pid, _ := strconv.Atoi(lines[0])
	if pid <= 0 || syscall.Kill(pid, 0) != nil {
		return false
	}
	s.port, _ = strconv.Atoi(lines[3])
	s.socketDir = lines[4]
	c, err := net.Dial("unix", filepath.Join(s.socketDir, fmt.Sprintf(".s.PGSQL.%d", s.port)))
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// command builds an exec.Cmd for a PostgreSQL program, dropping to the
// postgres system user when running as root (PostgreSQL refuses root).
func (s *Server) command(ctx context.Context, prog string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, filepath.Join(s.bin, prog), args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{}
	cmd.Dir = s.cfg.DataDir
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	if uid, gid, ok := serverUser(); ok {
		cmd.SysProcAttr.Credential = &syscall.Credential{Uid: uid, Gid: gid}
	}
	return cmd
}

// chownForServer hands the directories to the postgres user when running as
// root, and checks that every parent directory lets that user through.
func (s *Server) chownForServer(dirs ...string) error {
	uid, gid, ok := serverUser()
	if !ok {
		return nil
	}
	for _, d := range dirs {
		err := filepath.Walk(d, func(p string, _ os.FileInfo, err error) error {
			if err != nil {
				return err
			}
			return os.Lchown(p, int(uid), int(gid))
		})
		if err != nil {
			return fmt.Errorf("postgres: hand %s to the postgres user: %w", d, err)
		}
	}
	for p := filepath.Dir(s.cfg.DataDir); p != "/"; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil {
			return fmt.Errorf("postgres: %w", err)
		}
		if fi.Mode().Perm()&0o001 == 0 {
			return fmt.Errorf("postgres: the postgres user cannot reach %s: %s is not searchable by others (chmod o+x it, or choose another data directory)", s.cfg.DataDir, p)
		}
	}
	return nil
}

// serverUser returns the postgres system user's ids when this process runs
// as root.
func serverUser() (uid, gid uint32, ok bool) {
	if os.Geteuid() != 0 {
		return 0, 0, false
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return 0, 0, false
	}
	ui, _ := strconv.Atoi(u.Uid)
	gi, _ := strconv.Atoi(u.Gid)
	return uint32(ui), uint32(gi), true
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
