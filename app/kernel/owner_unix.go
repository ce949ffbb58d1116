//go:build unix

package kernel

import (
	"os"
	"syscall"
)

// fileOwner is the user id that owns the file info describes.
func fileOwner(info os.FileInfo) (int, bool) {
	stat, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return int(stat.Uid), true
}
