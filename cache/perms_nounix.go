//go:build !unix

package cache

// enforceModes: on Windows the data directory is under the user's profile, whose ACLs keep other
// users out, and os.Chmod only toggles the read-only attribute; elsewhere (js, wasip1, plan9) there
// is nothing useful to do.
const enforceModes = false

func setPrivateUmask() {}
