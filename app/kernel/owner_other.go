//go:build !unix

package kernel

import "os"

// fileOwner is unknown here (Direct runs no launcher script outside unix systems).
func fileOwner(os.FileInfo) (int, bool) { return 0, false }
