package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"time"
)

// Where the private cluster lives when running as root.
//
// The server then runs as the postgres system user, which cannot enter a
// data directory under a mode-700 parent such as /root. Such a cluster is
// kept in relocationRoot/HASH, HASH naming the data directory, and the data
// directory holds a symbolic link clusterLink to it. relocationRoot is a
// state directory, not a temporary one: the cluster holds every survey
// loaded so far, so it must survive reboots and the cleaners of /tmp and
// /var/tmp, which delete files not touched for some days. Only root writes
// to it, so no other user can plant a directory or a symbolic link there.
const (
	relocationRoot = "/var/lib/surveyworker"
	clusterLink    = "cluster"
)

// place decides where the cluster of s.cfg.DataDir lives and sets s.dir,
// making the directory when it is outside DataDir:
//
//   - not running as root, or a cluster already initialised in DataDir:
//     DataDir (an error when the postgres user cannot reach that cluster);
//   - DataDir links to its cluster elsewhere: there;
//   - the postgres user can reach DataDir: DataDir, as always;
//   - otherwise a new directory under relocationRoot; a cluster left there
//     by an earlier data directory at the same path is set aside.
func (s *Server) place(ctx context.Context) error {
	s.dir = s.cfg.DataDir
	cred := serverCredential()
	if cred == nil {
		return nil // the server runs as this process's user, who made DataDir
	}
	blocked, err := blockedAt(ctx, cred, filepath.Dir(s.cfg.DataDir))
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	if fi, err := os.Lstat(filepath.Join(s.cfg.DataDir, "pgdata")); err == nil && fi.IsDir() {
		if blocked != "" {
			return fmt.Errorf("postgres: the postgres user cannot reach the cluster in %s: %s is not searchable by it (chmod o+x it, or move the data directory)", s.cfg.DataDir, blocked)
		}
		return nil
	}
	link := filepath.Join(s.cfg.DataDir, clusterLink)
	dir := relocatedDir(s.cfg.DataDir)
	target, _ := os.Readlink(link)
	linked := target == dir
	if blocked == "" && !linked {
		// A link to some other cluster came with a copied data directory.
		if err := os.Remove(link); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("postgres: %w", err)
		}
		return nil
	}
	reason := blocked + " is not searchable by the postgres user"
	if blocked == "" {
		reason = "it was made there when the postgres user could not reach the data directory"
	}
	s.dir = dir
	if err := s.relocate(ctx, cred, linked); err != nil {
		return fmt.Errorf("postgres: the postgres user cannot reach %s (%s), and the cluster cannot be kept in %s instead: %w", s.cfg.DataDir, reason, dir, err)
	}
	s.cfg.Logger.Info("private PostgreSQL cluster kept outside the data directory",
		slog.String("data_dir", s.cfg.DataDir), slog.String("cluster_dir", s.dir), slog.String("reason", reason))
	return nil
}

// relocatedDir returns the directory under relocationRoot for the cluster
// of dataDir, an absolute path: one per data directory, the same each time.
func relocatedDir(dataDir string) string {
	sum := sha256.Sum256([]byte(dataDir))
	return filepath.Join(relocationRoot, hex.EncodeToString(sum[:8]))
}

// relocate makes s.dir ready to hold the cluster. An existing s.dir is kept
// when DataDir links to it (linked); otherwise it was left by an earlier data
// directory at the same path, and is renamed aside (never deleted) and made
// again. A path that is
// not a directory owned by the postgres user is refused.
func (s *Server) relocate(ctx context.Context, cred *syscall.Credential, linked bool) error {
	if err := makeRelocationRoot(); err != nil {
		return err
	}
	fi, err := os.Lstat(s.dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return err
	case !fi.IsDir() || fi.Sys().(*syscall.Stat_t).Uid != cred.Uid:
		return fmt.Errorf("%s is not a directory owned by the postgres user; refusing to use it", s.dir)
	case linked:
		return nil
	default:
		if pm, ok := runningPostmaster(filepath.Join(s.dir, "pgdata")); ok {
			return fmt.Errorf("%s holds a running server (pid %d) left by an earlier data directory at the same path; stop it first", s.dir, pm.pid)
		}
		// The cluster may hold every survey loaded so far, and the link
		// may be missing for a passing reason (a volume not mounted yet, a
		// restore without links): keep it aside rather than delete it.
		aside := s.dir + ".set-aside-" + time.Now().UTC().Format("20060102T150405Z")
		if err := os.Rename(s.dir, aside); err != nil {
			return err
		}
		s.cfg.Logger.Warn("set aside the private PostgreSQL cluster of an earlier data directory at the same path, "+
			"whose link to it is gone; delete it when its data is not needed",
			slog.String("cluster_dir", aside), slog.String("data_dir", s.cfg.DataDir))
	}
	if err := os.Mkdir(s.dir, 0o700); err != nil {
		return err
	}
	s.created = true
	// Say whose cluster it is, for whoever tidies relocationRoot by hand.
	if err := os.WriteFile(filepath.Join(s.dir, "data_dir"), []byte(s.cfg.DataDir+"\n"), 0o644); err != nil {
		return err
	}
	if err := os.Lchown(s.dir, int(cred.Uid), int(cred.Gid)); err != nil {
		return err
	}
	link := filepath.Join(s.cfg.DataDir, clusterLink)
	if err := os.Remove(link); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := os.Symlink(s.dir, link); err != nil {
		return err
	}
	blocked, err := blockedAt(ctx, cred, s.dir)
	if err != nil {
		return err
	}
	if blocked != "" {
		return fmt.Errorf("%s is not searchable by the postgres user either", blocked)
	}
	return nil
}

// makeRelocationRoot makes relocationRoot (mode 0711: the postgres user may
// pass, nobody but root may list it) unless it exists, and checks that it is
// a real directory only root can write to.
func makeRelocationRoot() error {
	err := os.Mkdir(relocationRoot, 0o711)
	switch {
	case err == nil:
		if err := os.Chmod(relocationRoot, 0o711); err != nil { // whatever the umask
			return err
		}
	case !errors.Is(err, fs.ErrExist):
		return err
	}
	fi, err := os.Lstat(relocationRoot)
	if err != nil {
		return err
	}
	if !fi.IsDir() || fi.Sys().(*syscall.Stat_t).Uid != 0 || fi.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("%s is not a directory only root can write to; refusing to use it", relocationRoot)
	}
	return nil
}

// blockedAt returns the first directory on the way from / down to dir, an
// absolute path, that a process with cred cannot enter, or "" when it can
// enter them all. Rather than second-guess mode bits, groups and ACLs, it
// asks the kernel: a shell running with cred, as the server will, changes
// into each directory in turn.
func blockedAt(ctx context.Context, cred *syscall.Credential, dir string) (string, error) {
	dirs := []string{dir}
	for p := dir; p != filepath.Dir(p); {
		p = filepath.Dir(p)
		dirs = append(dirs, p)
	}
	slices.Reverse(dirs)
	const script = `for d in "$@"; do cd "$d" 2>/dev/null || { printf '%s' "$d"; exit 3; }; done`
	cmd := exec.CommandContext(ctx, "/bin/sh", append([]string{"-c", script, "sh"}, dirs...)...)
	cmd.Dir = "/"
	cmd.Env = []string{"PATH=/usr/bin:/bin", "LC_ALL=C"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	out, err := cmd.Output()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return "", nil
	case errors.As(err, &exit) && exit.ExitCode() == 3:
		return string(out), nil
	default:
		return "", fmt.Errorf("check which directories the postgres user can enter: %w", err)
	}
}
