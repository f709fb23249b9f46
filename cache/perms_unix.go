//go:build unix

package cache

import "golang.org/x/sys/unix"

// enforceModes: Unix permission bits are what keeps other users out.
const enforceModes = true

// setPrivateUmask adds 077 to the process umask (keeping anything stricter already in it).
func setPrivateUmask() {
	if old := unix.Umask(0o077); old|0o077 != 0o077 {
		unix.Umask(old | 0o077)
	}
}
