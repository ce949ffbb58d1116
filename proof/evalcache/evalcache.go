// Package evalcache keeps what the external evaluators of the proofs answered (cfn-guard, the
// CloudFormation validation engine, the IAM policy evaluator), keyed by a SHA-256 of everything
// the answer depends on: the evaluator's own files (its program, its installed packages, the
// interpreter that runs it), then each input the caller names (arguments, rules, the template or
// request). The same input to the same evaluator gets the answer it got before, without running
// it again, as Go's build cache does for a compiled package; an input or an evaluator file that
// differs by one byte runs the evaluator. Each evaluator is deterministic: its answer depends on
// nothing else (no clock, no network, no environment it reads). An answer is kept as the
// evaluator printed it (a path that changes each run replaced by a placeholder) and parsed again
// on every use, so that a change to the parsing applies to kept answers too.
//
// What the key leaves out: the interpreter binary (node) is identified by its resolved path, size,
// modification time and --version rather than its 120 MB of content, and files outside the
// directories an evaluator is opened with (a package it loads from elsewhere) are not hashed.
// Each caller runs its evaluator so that nothing else reaches it (cfn-guard without the colour
// variables that change its output) and names the environment variables it still reads.
//
// An entry is its answer after the answer's SHA-256, written to a temporary file, synced and
// renamed: a reader sees a whole entry or none, and an entry that does not match its hash (a disk
// that lost a write) is a miss, never an empty answer.
//
// PRIVATEPATCH_EVAL_CACHE=off turns the cache off (every evaluation runs); any other non-empty
// value is the directory to keep it in (absolute); by default it is privatepatch/evaluations under the user's
// cache directory ($XDG_CACHE_HOME or ~/.cache on Linux). Entries unused for five days are removed.
package evalcache

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"sync"
	"time"
)

// Env is the environment variable that turns the cache off or moves it.
const Env = "PRIVATEPATCH_EVAL_CACHE"

// unusedFor is how long an entry may go unread before a trim removes it; trimEvery is how often a
// process trims (the time of the last trim is kept in the cache directory).
const (
	unusedFor = 5 * 24 * time.Hour
	trimEvery = 24 * time.Hour
)

// Cache is one evaluator's answers. The zero Cache (off) never finds an answer and keeps none.
type Cache struct {
	dir       string
	evaluator [sha256.Size]byte
}

// Dir is the cache directory Env chooses: "" when the cache is off.
func Dir() (string, error) {
	switch v := os.Getenv(Env); v {
	case "off":
		return "", nil
	case "":
		base, err := os.UserCacheDir()
		if err != nil {
			return "", fmt.Errorf("no user cache directory for the evaluations' cache (set %s=DIR or %s=off): %w", Env, Env, err)
		}
		return filepath.Join(base, "privatepatch", "evaluations"), nil
	default:
		// Relative, it would name another directory in each package's tests (each runs in its own).
		if !filepath.IsAbs(v) {
			return "", fmt.Errorf("%s=%s: give an absolute directory, or off", Env, v)
		}
		return v, nil
	}
}

// Open returns the cache of the evaluator named name, identified by the contents of files (a
// directory: every file under it, by relative path; a symbolic link to a directory is refused),
// interpreters (by resolved path, size, modification time and what --version prints) and the
// values of the environment variables named in env. Every file must exist.
func Open(name string, files, interpreters, env []string) (Cache, error) {
	dir, err := Dir()
	if err != nil || dir == "" {
		return Cache{}, err
	}
	return OpenIn(dir, name, files, interpreters, env)
}

// OpenIn is Open with the cache in dir, whatever Env says.
func OpenIn(dir, name string, files, interpreters, env []string) (Cache, error) {
	h := sha256.New()
	writePart(h, []byte("privatepatch evalcache 2\x00"+name))
	for _, f := range files {
		abs, err := filepath.Abs(f)
		if err != nil {
			return Cache{}, err
		}
		d, err := contentDigest(abs)
		if err != nil {
			return Cache{}, err
		}
		// By the path from the project root's parent: the same files named from test/ and from
		// proof/authz/ are one evaluator.
		writePart(h, []byte(filepath.Base(filepath.Dir(abs))+"/"+filepath.Base(abs)), d[:])
	}
	for _, f := range interpreters {
		id, err := interpreterIdentity(f)
		if err != nil {
			return Cache{}, err
		}
		writePart(h, []byte(id))
	}
	for _, v := range env {
		value, set := os.LookupEnv(v)
		writePart(h, []byte(fmt.Sprintf("%s=%t:%s", v, set, value)))
	}
	c := Cache{dir: dir}
	h.Sum(c.evaluator[:0])
	trimOnce.Do(func() { trim(dir, time.Now()) })
	return c, nil
}

// On reports whether the cache keeps answers.
func (c Cache) On() bool { return c.dir != "" }

// Key is the key of one evaluation: the evaluator and each part of its input, in order.
func (c Cache) Key(input ...[]byte) string {
	h := sha256.New()
	h.Write(c.evaluator[:])
	writePart(h, input...)
	return hex.EncodeToString(h.Sum(nil))
}

// Get returns the answer kept for key. The empty key is never found.
func (c Cache) Get(key string) ([]byte, bool) {
	if !c.On() || key == "" {
		return nil, false
	}
	file := c.file(key)
	data, err := os.ReadFile(file)
	if err != nil || len(data) < sha256.Size {
		return nil, false
	}
	answer := data[sha256.Size:]
	if sum := sha256.Sum256(answer); string(sum[:]) != string(data[:sha256.Size]) {
		return nil, false
	}
	// Mark it used (at most once an hour, as Go's cache does), so the trim keeps it.
	now := time.Now()
	if info, err := os.Stat(file); err == nil && now.Sub(info.ModTime()) > time.Hour {
		os.Chtimes(file, now, now)
	}
	return answer, true
}

// Put keeps the answer for key; the empty key keeps nothing. A failure to write only loses the
// entry: the caller has its answer and the next run evaluates again. The file is not synced: an
// entry a crash leaves torn fails its checksum in Get and is evaluated again, and a sync for each
// of thousands of answers made a cold run slower (authz's empty-cache test: 4.6-5.1 s with it,
// 3.7-4.1 s without).
func (c Cache) Put(key string, answer []byte) {
	if !c.On() || key == "" {
		return
	}
	file := c.file(key)
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), ".tmp-*")
	if err != nil {
		return
	}
	sum := sha256.Sum256(answer)
	_, werr := tmp.Write(append(sum[:], answer...))
	if cerr := tmp.Close(); werr != nil || cerr != nil {
		os.Remove(tmp.Name())
		return
	}
	if os.Rename(tmp.Name(), file) != nil {
		os.Remove(tmp.Name())
	}
}

func (c Cache) file(key string) string { return filepath.Join(c.dir, key[:2], key) }

// writePart writes each part with its length first, so that parts cannot run into each other.
func writePart(w io.Writer, parts ...[]byte) {
	for _, p := range parts {
		binary.Write(w, binary.BigEndian, uint64(len(p)))
		w.Write(p)
	}
}

var digests sync.Map // path -> [sha256.Size]byte, once a process

// contentDigest hashes a file, or every file under a directory (sorted, by relative path),
// following symbolic links to files; a symbolic link to a directory is an error (its files would
// go unhashed).
func contentDigest(path string) ([sha256.Size]byte, error) {
	if d, ok := digests.Load(path); ok {
		return d.([sha256.Size]byte), nil
	}
	h := sha256.New()
	var files []string
	err := filepath.WalkDir(path, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		if e.Type()&fs.ModeSymlink != 0 {
			info, err := os.Stat(p)
			if err != nil {
				return err
			}
			if info.IsDir() {
				return fmt.Errorf("%s is a symbolic link to a directory (set %s=off)", p, Env)
			}
		}
		files = append(files, p)
		return nil
	})
	if err == nil && len(files) == 0 {
		err = fmt.Errorf("no files under %s", path)
	}
	sort.Strings(files)
	for _, f := range files {
		if err != nil {
			break
		}
		var data []byte
		if data, err = os.ReadFile(f); err == nil {
			rel, _ := filepath.Rel(path, f)
			writePart(h, []byte(rel), data)
		}
	}
	var d [sha256.Size]byte
	if err != nil {
		return d, fmt.Errorf("identifying an evaluator for its cache: %w", err)
	}
	h.Sum(d[:0])
	digests.Store(path, d)
	return d, nil
}

var interpreters sync.Map // path -> identity, once a process

// interpreterIdentity is an interpreter's resolved path, size, modification time and --version.
func interpreterIdentity(path string) (string, error) {
	if id, ok := interpreters.Load(path); ok {
		return id.(string), nil
	}
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "", fmt.Errorf("identifying an evaluator's interpreter for its cache: %w", err)
	}
	info, err := os.Stat(real)
	if err != nil {
		return "", err
	}
	version, err := exec.Command(real, "--version").Output()
	if err != nil {
		return "", fmt.Errorf("identifying an evaluator's interpreter for its cache: %s --version: %w", real, err)
	}
	id := fmt.Sprintf("%s\x00%d\x00%d\x00%s", real, info.Size(), info.ModTime().UnixNano(), version)
	interpreters.Store(path, id)
	return id, nil
}

var trimOnce sync.Once

// trim removes the entries unused for unusedFor, at most once every trimEvery.
func trim(dir string, now time.Time) {
	mark := filepath.Join(dir, "trimmed")
	if info, err := os.Stat(mark); err == nil && now.Sub(info.ModTime()) < trimEvery {
		return
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return
	}
	if os.MkdirAll(dir, 0o755) != nil || os.WriteFile(mark, nil, 0o644) != nil {
		return
	}
	os.Chtimes(mark, now, now)
	filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || p == mark {
			return nil
		}
		if info, err := e.Info(); err == nil && now.Sub(info.ModTime()) > unusedFor {
			os.Remove(p)
		}
		return nil
	})
}
