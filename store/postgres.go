package store

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
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
	// DataDir holds the cluster (initialised with initdb on first start),
	// its socket and postgres.log. As root, the cluster and socket may be
	// kept elsewhere; see [StartServer].
	DataDir string
	// BinDir holds initdb and postgres; empty means search PATH and
	// /usr/lib/postgresql/*/bin, newest version first.
	BinDir string
	// Database is created on first start; empty means "surveyworker".
	Database string
	// Fast turns off fsync and friends: for throw-away test clusters only.
	Fast bool
	// Port is the port number of the server's socket; zero picks a free
	// one. A server restarted on the same port keeps its connection string,
	// so clients reconnect to it.
	Port int
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
	dir       string // holds pgdata and sock: DataDir, or where place put the cluster
	created   bool   // dir was made outside DataDir by this StartServer
	socketDir string
	tmpSocket bool // socketDir was made for this server alone; Stop removes it
	port      int
	cmd       *exec.Cmd
	exited    chan error
	owned     bool
}

// StartServer starts (or reuses) a private PostgreSQL server for cfg and
// waits until it accepts connections.
//
// PostgreSQL refuses to run as root, so when running as root the server runs
// as the "postgres" system user. When that user cannot reach DataDir (a
// parent such as /root is mode 700, as on most Debian and Ubuntu systems and
// containers), the cluster is kept under /var/lib/surveyworker instead, in a
// directory named by a hash of DataDir's absolute path, and DataDir holds a
// symbolic link "cluster" to it; StartServer logs where and why, and
// [Server.Dir] returns it. The link ties the cluster to DataDir: once DataDir
// is removed, the next StartServer for the same path deletes the cluster left
// behind and starts an empty one, as if the cluster had been inside DataDir.
// A cluster already initialised inside DataDir is never moved.
func StartServer(ctx context.Context, cfg ServerConfig) (*Server, error) {
	if cfg.Database == "" {
		cfg.Database = "surveyworker"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	bin := cfg.BinDir
	if bin == "" {
		var err error
		if bin, err = FindPostgres(); err != nil {
			return nil, err
		}
	}
	dir, err := makeDataDir(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	cfg.DataDir = dir
	s := &Server{cfg: cfg, bin: bin}
	if err := s.place(ctx); err != nil {
		return nil, err
	}
	if s.adoptRunning() {
		cfg.Logger.Info("using running private PostgreSQL", slog.String("data_dir", s.dir))
	} else if err := s.launch(ctx); err != nil {
		return nil, err
	}
	if err := s.createDatabase(ctx); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

// makeDataDir creates dir (mode 0700, missing parents 0755 so that the
// postgres user can pass them) and returns its absolute path with symbolic
// links resolved.
func makeDataDir(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("postgres: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		return "", fmt.Errorf("postgres: %w", err)
	}
	if err := os.Mkdir(abs, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return "", fmt.Errorf("postgres: %w", err)
	}
	resolved, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", fmt.Errorf("postgres: %w", err)
	}
	return resolved, nil
}

// launch initialises the cluster when needed and starts the server. When
// either fails, it removes what it made outside DataDir.
func (s *Server) launch(ctx context.Context) error {
	err := s.prepare(ctx)
	if err == nil {
		err = s.start(ctx)
	}
	if err != nil {
		s.removeSocketDir()
		if s.created {
			os.RemoveAll(s.dir)
			os.Remove(filepath.Join(s.cfg.DataDir, clusterLink))
		}
	}
	return err
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

// Dir returns the directory holding the cluster and its socket: DataDir, or
// the directory StartServer kept it in because the postgres user could not
// reach DataDir.
func (s *Server) Dir() string {
	return s.dir
}

// Stop shuts the server down (fast mode) if this process started it. Calls
// after the first do nothing.
func (s *Server) Stop() error {
	if !s.owned || s.cmd == nil {
		return nil
	}
	s.owned = false
	defer s.removeSocketDir()
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

// prepare creates the socket directory, hands the cluster's directories to
// the server's user and runs initdb once.
func (s *Server) prepare(ctx context.Context) error {
	if err := s.makeSocketDir(ctx); err != nil {
		return err
	}
	if err := s.chownForServer(s.dir, s.socketDir); err != nil {
		return err
	}
	pgdata := filepath.Join(s.dir, "pgdata")
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

// maxSocketDir is the longest socket directory used: a Unix socket path
// (the directory plus "/.s.PGSQL.NNNNN") is limited to 107 bytes.
const maxSocketDir = 90

// makeSocketDir makes the directory for the server's socket: sock beside
// the cluster or, when that path is too long for a socket, a new directory
// in the temporary directory (/tmp when the server's user cannot reach
// that), which Stop removes.
func (s *Server) makeSocketDir(ctx context.Context) error {
	s.socketDir = filepath.Join(s.dir, "sock")
	if len(s.socketDir) <= maxSocketDir {
		if err := os.MkdirAll(s.socketDir, 0o700); err != nil {
			return fmt.Errorf("postgres: %w", err)
		}
		return nil
	}
	base := os.TempDir()
	if cred := serverCredential(); cred != nil {
		blocked, err := blockedAt(ctx, cred, base)
		if err != nil {
			return fmt.Errorf("postgres: %w", err)
		}
		if blocked != "" {
			base = "/tmp"
		}
	}
	d, err := os.MkdirTemp(base, "swpg")
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	s.socketDir, s.tmpSocket = d, true
	return nil
}

// removeSocketDir removes a socket directory made for this server alone.
func (s *Server) removeSocketDir() {
	if s.tmpSocket {
		os.RemoveAll(s.socketDir)
		s.tmpSocket = false
	}
}

// start launches postgres as a child in its own process group, so a Ctrl-C
// in the terminal reaches surveyworker (which then stops it in order), and
// with a parent-death signal, so it never outlives a killed surveyworker.
func (s *Server) start(ctx context.Context) error {
	var err error
	if s.port = s.cfg.Port; s.port == 0 {
		if s.port, err = freePort(); err != nil {
			return fmt.Errorf("postgres: %w", err)
		}
	}
	args := []string{"-D", filepath.Join(s.dir, "pgdata"), "-k", s.socketDir,
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

// adoptRunning reports whether a postmaster already serves the cluster, and
// if so points s at its socket.
func (s *Server) adoptRunning() bool {
	pm, ok := runningPostmaster(filepath.Join(s.dir, "pgdata"))
	if ok {
		s.port, s.socketDir = pm.port, pm.socketDir
	}
	return ok
}

// postmaster is what postmaster.pid says about a running server.
type postmaster struct {
	pid       int
	port      int
	socketDir string
}

// runningPostmaster reads pgdata's postmaster.pid and reports whether that
// server is alive and answers on its socket.
func runningPostmaster(pgdata string) (postmaster, bool) {
	f, err := os.Open(filepath.Join(pgdata, "postmaster.pid"))
	if err != nil {
		return postmaster{}, false
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) < 5 {
		return postmaster{}, false
	}
	var pm postmaster
	pm.pid, _ = strconv.Atoi(lines[0])
	if pm.pid <= 0 || syscall.Kill(pm.pid, 0) != nil {
		return postmaster{}, false
	}
	pm.port, _ = strconv.Atoi(lines[3])
	pm.socketDir = lines[4]
	c, err := net.Dial("unix", filepath.Join(pm.socketDir, fmt.Sprintf(".s.PGSQL.%d", pm.port)))
	if err != nil {
		return postmaster{}, false
	}
	c.Close()
	return pm, true
}

// command builds an exec.Cmd for a PostgreSQL program, dropping to the
// postgres system user when running as root (PostgreSQL refuses root).
func (s *Server) command(ctx context.Context, prog string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, filepath.Join(s.bin, prog), args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{}
	cmd.Dir = s.dir
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	cmd.SysProcAttr.Credential = serverCredential()
	return cmd
}

// chownForServer hands the directories to the postgres user when running as
// root; place has checked that the user can reach them.
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
	return nil
}

// serverCredential returns the credential PostgreSQL programs run with: the
// postgres system user's, without supplementary groups, when this process
// runs as root; nil (this process's own) otherwise.
func serverCredential() *syscall.Credential {
	uid, gid, ok := serverUser()
	if !ok {
		return nil
	}
	return &syscall.Credential{Uid: uid, Gid: gid}
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
