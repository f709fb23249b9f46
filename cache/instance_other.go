//go:build !unix && !windows

package cache

import "os"

// Platforms without file locks (js, wasip1, plan9): Badger's own directory lock still refuses a
// second opener of the database.
func lockFile(*os.File) error   { return nil }
func unlockFile(*os.File) error { return nil }
func writeLockOwner(*os.File)   {}
