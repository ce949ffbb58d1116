// Package keptdir gives a checkout a directory of its own under the user's cache directory, kept
// between runs, for build outputs that go build and go test -c leave as they are when their build
// ids are current (so a binary whose sources did not change is not linked again).
package keptdir

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// Unused is how long a checkout's directory is kept without a run: then its checkout is taken to
// be removed, and the next run of any checkout removes it.
const Unused = 5 * 24 * time.Hour

// Lock returns the directory named name of the checkout at root (one per checkout: another
// clone's run must not replace a binary this one runs), created if need be, holding a lock on it
// against another run of the same checkout until unlock is called. It removes the directories of
// checkouts that have not run for Unused. It fails where there is no user cache directory; the
// caller then uses a temporary directory.
func Lock(root, name string) (dir string, unlock func(), err error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", nil, err
	}
	if root, err = filepath.Abs(root); err != nil {
		return "", nil, err
	}
	sum := sha256.Sum256([]byte(root))
	parent := filepath.Join(cache, "privatepatch", name)
	dir = filepath.Join(parent, hex.EncodeToString(sum[:6]))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", nil, err
	}
	lock, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return "", nil, err
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		fmt.Fprintf(os.Stderr, "waiting for another run of this checkout, which holds %s\n", lock.Name())
		if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
			lock.Close()
			return "", nil, err
		}
	}
	now := time.Now()
	if err := os.Chtimes(dir, now, now); err != nil {
		lock.Close()
		return "", nil, err
	}
	others, _ := os.ReadDir(parent)
	for _, other := range others {
		if info, err := other.Info(); err == nil && other.Name() != filepath.Base(dir) && now.Sub(info.ModTime()) > Unused {
			removeUnlocked(filepath.Join(parent, other.Name()))
		}
	}
	return dir, func() { lock.Close() }, nil
}

// removeUnlocked removes a checkout's directory unless a run holds its lock (one that started
// after five days, between making the directory and locking it, takes a temporary one instead).
func removeUnlocked(dir string) {
	lock, err := os.Open(filepath.Join(dir, ".lock"))
	if err == nil {
		defer lock.Close()
		if syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) != nil {
			return
		}
	}
	os.RemoveAll(dir)
}
