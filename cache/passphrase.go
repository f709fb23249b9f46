package cache

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"golang.org/x/crypto/argon2"
)

// Without an OS keyring the secrets file is sealed under a key derived from a passphrase the
// user chooses, with Argon2id (RFC 9106), memory-hard: each guess costs its memory and time, so
// the file is no easier to open than the passphrase is to guess. The parameters are kept in the
// file, so they can be raised for new files without making old ones unreadable.

// kdfParams are the Argon2id parameters of a secrets file.
type kdfParams struct {
	Alg       string `json:"alg"`
	Salt      string `json:"salt"`
	Time      uint32 `json:"time"`
	MemoryKiB uint32 `json:"memory_kib"`
	Threads   uint8  `json:"threads"`
}

// NewKDF are the parameters of a new file: 64 MiB and 3 passes (RFC 9106's second recommended
// choice, lowered in threads for a 2-core machine): about a quarter of a second here.
var NewKDF = kdfParams{Alg: "argon2id", Time: 3, MemoryKiB: 64 << 10, Threads: 2}

// Bounds on what a file may ask (a tampered file must not make the app allocate gigabytes).
const (
	maxKDFMemoryKiB = 1 << 20 // 1 GiB
	maxKDFTime      = 20
)

const checkText = "hstockplus secrets v2"

// MinPassphrase is the shortest passphrase Create accepts, in characters.
const MinPassphrase = 8

// ErrWeakPassphrase: the passphrase is shorter than MinPassphrase.
var ErrWeakPassphrase = fmt.Errorf("cache: a passphrase needs at least %d characters", MinPassphrase)

func deriveKey(passphrase string, p kdfParams) ([]byte, error) {
	salt, err := base64.StdEncoding.DecodeString(p.Salt)
	if err != nil || len(salt) < 16 || p.Alg != "argon2id" || p.Time == 0 || p.Time > maxKDFTime ||
		p.MemoryKiB < 8*uint32(max(p.Threads, 1)) || p.MemoryKiB > maxKDFMemoryKiB || p.Threads == 0 {
		return nil, fmt.Errorf("%w: secrets file key parameters", ErrCorrupt)
	}
	return argon2.IDKey([]byte(passphrase), salt, p.Time, p.MemoryKiB, p.Threads, 32), nil
}

// FileState is where a secrets file stands.
type FileState int

const (
	// FileMissing: no secrets were ever saved here; Create makes the file with a passphrase.
	FileMissing FileState = iota
	// FileLegacy: a first-version file, sealed under a constant: Create moves its values under
	// a passphrase.
	FileLegacy
	// FileLocked: sealed under a passphrase not given yet: Unlock.
	FileLocked
	// FileUnlocked: ready.
	FileUnlocked
)

// State tells whether the file needs a passphrase chosen (FileMissing, FileLegacy), entered
// (FileLocked), or is ready.
func (f *FileSecrets) State() (FileState, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d, err := f.load()
	switch {
	case err != nil:
		return FileLocked, err
	case d == nil:
		return FileMissing, nil
	case d.Version == 1:
		return FileLegacy, nil
	case f.key == nil:
		return FileLocked, nil
	}
	return FileUnlocked, nil
}

// Unlock opens a version 2 file with its passphrase; ErrWrongPassphrase when it does not.
func (f *FileSecrets) Unlock(passphrase string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	d, err := f.load()
	if err != nil {
		return err
	}
	if d == nil || d.Version != 2 {
		return fmt.Errorf("%w: there is no passphrase to enter yet", ErrSecretsLocked)
	}
	key, err := deriveKey(passphrase, *d.KDF)
	if err != nil {
		return err
	}
	if got, ok := unseal(key, "check", d.Check); !ok || got != checkText {
		return ErrWrongPassphrase
	}
	f.key = key
	return nil
}

// Create seals the file under a new passphrase: a new file, or a first-version one whose values
// are moved (re-sealed) under it. An unlocked file gets the new passphrase (its values kept).
func (f *FileSecrets) Create(passphrase string) error {
	if len([]rune(passphrase)) < MinPassphrase {
		return ErrWeakPassphrase
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	old, err := f.load()
	if err != nil {
		return err
	}
	values := map[string]string{}
	if old != nil {
		okey, err := f.sealingKey(old)
		if err != nil {
			return err // locked: Unlock first
		}
		for name, sealed := range old.Values {
			plain, ok := unseal(okey, name, sealed)
			if !ok {
				return fmt.Errorf("%w: secret %q in %s", ErrCorrupt, name, f.path)
			}
			values[name] = plain
		}
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return err
	}
	p := NewKDF
	p.Salt = base64.StdEncoding.EncodeToString(salt)
	key, err := deriveKey(passphrase, p)
	if err != nil {
		return err
	}
	d := &secretsDoc{Version: 2, KDF: &p, Values: map[string]string{}}
	if d.Check, err = seal(key, "check", checkText); err != nil {
		return err
	}
	for name, v := range values {
		if d.Values[name], err = seal(key, name, v); err != nil {
			return err
		}
	}
	if err := f.save(d); err != nil {
		return err
	}
	f.key = key
	f.writeMarker()
	return nil
}

// MemorySecrets keeps secrets in memory only, for the session: where there is no OS keyring and
// the user chose not to set a passphrase, nothing is written anywhere.
type MemorySecrets struct {
	mu sync.Mutex
	m  map[string]string
}

// NewMemorySecrets makes an empty in-memory secret store.
func NewMemorySecrets() *MemorySecrets { return &MemorySecrets{m: map[string]string{}} }

// Get returns the secret name.
func (m *MemorySecrets) Get(name string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.m[name]
	if !ok {
		return "", fmt.Errorf("%w: secret %q", ErrNotFound, name)
	}
	return v, nil
}

// Set stores the secret name.
func (m *MemorySecrets) Set(name, value string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.m[name] = value
	return nil
}

// Delete removes the secret name.
func (m *MemorySecrets) Delete(name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.m, name)
	return nil
}

// Backend returns BackendMemory.
func (m *MemorySecrets) Backend() string { return BackendMemory }

// KeyringAnswers reports whether an OS keyring answers now (a probe that never prompts), for
// the data directory's secrets: where they are in the file, moving them there can be offered.
func KeyringAnswers(dataDir string) bool {
	id, err := storeID(dataDir)
	if err != nil {
		return false
	}
	return newKeyringSecrets(osKeyring{}, id).probe() == nil
}

// MoveToKeyring moves the API key and the database key of dataDir from the file (unlocked) into
// the OS keyring, checks that they read back, records the keyring as the data directory's
// backend and removes the file. It returns the keyring store.
func MoveToKeyring(dataDir string, from *FileSecrets) (Secrets, error) {
	id, err := storeID(dataDir)
	if err != nil {
		return nil, err
	}
	kr := newKeyringSecrets(osKeyring{}, id)
	if err := kr.probe(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKeyringUnavailable, err)
	}
	for _, name := range []string{SecretAPIKey, SecretDBKey} {
		v, err := from.Get(name)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if err := kr.Set(name, v); err != nil {
			return nil, err
		}
		if back, err := kr.Get(name); err != nil || back != v {
			return nil, fmt.Errorf("cache: the %s did not read back from the keyring", name)
		}
	}
	if err := writeFileAtomic(filepath.Join(dataDir, secretsBackendFile), []byte(BackendKeyring+"\n")); err != nil {
		return nil, err
	}
	if err := os.Remove(from.Path()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("cache: the secrets are in the keyring, but the file remains: %w", err)
	}
	return kr, nil
}
