package cache

import (
	"errors"
	"strings"

	badger "github.com/dgraph-io/badger/v4"
)

// Errors returned by the store. Test them with errors.Is: the returned errors wrap them with the
// details (directory, cause).
var (
	// ErrLocked means another running instance of the app holds this data directory.
	ErrLocked = errors.New("cache: another instance of the app is using this data directory")

	// ErrWrongKey means the database cannot be decrypted: its encryption key is missing from the
	// secret store, or is not the key the database was written with. Nothing has been deleted or
	// changed; see MoveAside for the "start afresh" choice.
	ErrWrongKey = errors.New("cache: the database's encryption key is missing or wrong")

	// ErrNotFound is returned for a missing record or secret.
	ErrNotFound = errors.New("cache: not found")

	// ErrNoSnapshot means no catalog snapshot of that kind and language was ever saved.
	ErrNoSnapshot = errors.New("cache: no snapshot saved")

	// ErrSchemaTooNew means the database was written by a newer version of the app.
	ErrSchemaTooNew = errors.New("cache: the database was written by a newer version of the app")

	// ErrBadTransition is returned when a journal entry is asked to move to a state it cannot reach
	// from its current one (e.g. a placed entry marked failed).
	ErrBadTransition = errors.New("cache: journal entry cannot move to that state")

	// ErrCorrupt is returned for a record that cannot be decoded.
	ErrCorrupt = errors.New("cache: corrupt record")

	// ErrClosed is returned by every method after Close.
	ErrClosed = errors.New("cache: store is closed")

	// ErrTooLarge is returned for an image bigger than the cache may keep.
	ErrTooLarge = errors.New("cache: too large for the image cache")

	// ErrKeyringUnavailable means the OS keyring, which holds this data directory's secrets, did not
	// answer. The secrets were not moved anywhere; retry, or open the secrets in "file" mode if they
	// were never in the keyring.
	ErrKeyringUnavailable = errors.New("cache: the OS keyring holding this data directory's secrets did not answer")

	// ErrSecretsLocked means the secrets file is sealed under a passphrase not given yet
	// (FileSecrets.Unlock), or has none yet (FileSecrets.Create).
	ErrSecretsLocked = errors.New("cache: the secrets file needs its passphrase")

	// ErrWrongPassphrase means the passphrase does not open the secrets file.
	ErrWrongPassphrase = errors.New("cache: wrong passphrase")
)

// Badger wraps its own errors with fmt "%+v" (not %w), so errors.Is cannot see through them; the
// message is all there is.
func isBadgerLockError(err error) bool {
	if err == nil {
		return false
	}
	m := err.Error()
	return strings.Contains(m, "Cannot acquire directory lock") ||
		strings.Contains(m, "Another process is using this Badger database") ||
		strings.Contains(m, "Cannot create lock file")
}

func isBadgerKeyError(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, badger.ErrEncryptionKeyMismatch) || errors.Is(err, badger.ErrInvalidEncryptionKey) {
		return true
	}
	m := err.Error()
	return strings.Contains(m, badger.ErrEncryptionKeyMismatch.Error()) ||
		strings.Contains(m, "Encryption key's length should be")
}

// isBadgerNewFileError recognizes Badger's failure to open an empty value log or memtable file
// left by a crash (z.NewFile, "Create a new file", reported as an error by valueLog.open and
// openMemTables).
func isBadgerNewFileError(err error) bool {
	return err != nil && strings.Contains(err.Error(), "Create a new file")
}
