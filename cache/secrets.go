package cache

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/zalando/go-keyring"
)

// Secrets: the API key and the database key live in the OS keyring (Windows Credential Manager,
// macOS Keychain, the Secret Service on Linux) through github.com/zalando/go-keyring. Where no
// keyring answers they live in <dataDir>/secrets.json, a file only the user can read (0600), and
// Backend says "file" so the UI can tell the user. They never go to Fyne preferences or to a log.
//
// The file's values are sealed with AES-GCM under a key derived from a passphrase the user chose,
// with Argon2id (memory-hard; see passphrase.go): without the passphrase the file opens to nobody,
// the user included. Files of the first version (sealed under a constant) are read only to move
// their values under a passphrase. Where the user declines to choose one, MemorySecrets keeps the
// secrets for the session only.
//
// Keyring entries are named "<name>/<store id>" under the service KeyringService, where the store
// id is a random, non-secret id kept in <dataDir>/store-id: two data directories (a demo and a
// real account, tests) never share or overwrite each other's keys.

// KeyringService is the service name of the app's keyring entries.
const KeyringService = "com.hstockplus.desktop"

// Names of the secrets the app keeps.
const (
	SecretAPIKey = "api-key"
	SecretDBKey  = "db-key"
)

// Backends, as Secrets.Backend reports them.
const (
	BackendKeyring = "keyring"
	BackendFile    = "file"
	BackendMemory  = "memory"
)

// Modes of OpenSecrets.
const (
	ModeAuto    = ""        // the backend recorded for this data directory, else the keyring if it answers, else the file
	ModeKeyring = "keyring" // the keyring only
	ModeFile    = "file"    // the file only (HSTOCKPLUS_KEYRING=file)
)

// KeyringTimeout bounds the probe that decides whether a keyring answers at all: on a Linux
// without a Secret Service, D-Bus may hang. The probe looks up an entry that does not exist, which
// never prompts the user.
var KeyringTimeout = 3 * time.Second

// KeyringPromptTimeout bounds the other keyring calls, which may wait for the user to unlock the
// keyring (a password prompt).
var KeyringPromptTimeout = 2 * time.Minute

// ErrKeyringTimeout is returned when the keyring did not answer within KeyringTimeout.
var ErrKeyringTimeout = errors.New("cache: the OS keyring did not answer in time")

// Secrets stores small named secrets.
type Secrets interface {
	// Get returns the secret name, or an error wrapping ErrNotFound.
	Get(name string) (string, error)
	// Set stores the secret name, replacing an older value.
	Set(name, value string) error
	// Delete removes the secret name; a missing secret is not an error.
	Delete(name string) error
	// Backend is BackendKeyring or BackendFile.
	Backend() string
}

const (
	storeIDFile        = "store-id"
	secretsFile        = "secrets.json"
	secretsBackendFile = "secrets-backend"
)

// OpenSecrets opens the secret store of dataDir in mode (ModeAuto, ModeKeyring or ModeFile).
//
// In ModeAuto the backend that already holds this data directory's secrets is used (recorded in
// <dataDir>/secrets-backend): when that is the keyring and it does not answer, the error wraps
// ErrKeyringUnavailable rather than silently switching to an empty file. A new data directory
// gets the keyring if it answers within KeyringTimeout, else the file.
func OpenSecrets(dataDir string, mode string) (Secrets, error) {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	switch mode {
	case ModeFile:
		return &FileSecrets{path: filepath.Join(dataDir, secretsFile), marker: filepath.Join(dataDir, secretsBackendFile)}, nil
	case ModeKeyring, ModeAuto:
	default:
		return nil, fmt.Errorf("cache: unknown secrets mode %q (want %q, %q or %q)", mode, ModeAuto, ModeKeyring, ModeFile)
	}
	id, err := storeID(dataDir)
	if err != nil {
		return nil, err
	}
	kr := newKeyringSecrets(osKeyring{}, id)
	recorded := readBackendMarker(dataDir)
	if mode == ModeAuto && recorded == BackendFile {
		return &FileSecrets{path: filepath.Join(dataDir, secretsFile), marker: filepath.Join(dataDir, secretsBackendFile)}, nil
	}
	if mode == ModeAuto && recorded == "" {
		if _, err := os.Stat(filepath.Join(dataDir, secretsFile)); err == nil {
			return &FileSecrets{path: filepath.Join(dataDir, secretsFile), marker: filepath.Join(dataDir, secretsBackendFile)}, nil
		}
	}
	if err := kr.probe(); err != nil {
		if mode == ModeKeyring || recorded == BackendKeyring {
			return nil, fmt.Errorf("%w: %v", ErrKeyringUnavailable, err)
		}
		return &FileSecrets{path: filepath.Join(dataDir, secretsFile), marker: filepath.Join(dataDir, secretsBackendFile)}, nil
	}
	if recorded == "" {
		if err := writeFileAtomic(filepath.Join(dataDir, secretsBackendFile), []byte(BackendKeyring+"\n")); err != nil {
			return nil, err
		}
	}
	return kr, nil
}

func readBackendMarker(dataDir string) string {
	b, err := os.ReadFile(filepath.Join(dataDir, secretsBackendFile))
	if err != nil {
		return ""
	}
	switch v := strings.TrimSpace(string(b)); v {
	case BackendKeyring, BackendFile:
		return v
	}
	return ""
}

// storeID returns the random id of dataDir, creating it on first use.
func storeID(dataDir string) (string, error) {
	p := filepath.Join(dataDir, storeIDFile)
	if b, err := os.ReadFile(p); err == nil {
		if id := strings.TrimSpace(string(b)); len(id) >= 16 {
			return id, nil
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("cache: %w", err)
	}
	var r [12]byte
	if _, err := rand.Read(r[:]); err != nil {
		return "", err
	}
	id := hex.EncodeToString(r[:])
	if err := writeFileAtomic(p, []byte(id+"\n")); err != nil {
		return "", err
	}
	return id, nil
}

// EncryptionKey returns the database key kept in s, creating a random one when there is none and
// dbExists is false (a new database). For an existing database whose key is missing or malformed
// it returns an error wrapping ErrWrongKey and never replaces the key: the database would be lost.
func EncryptionKey(s Secrets, dbExists bool) (key []byte, created bool, err error) {
	v, err := s.Get(SecretDBKey)
	switch {
	case err == nil:
		key, derr := hex.DecodeString(strings.TrimSpace(v))
		if derr != nil || len(key) != EncryptionKeySize {
			return nil, false, fmt.Errorf("%w: the database key kept in the %s is malformed", ErrWrongKey, s.Backend())
		}
		return key, false, nil
	case errors.Is(err, ErrNotFound):
		if dbExists {
			return nil, false, fmt.Errorf("%w: the database exists but its key is not in the %s", ErrWrongKey, s.Backend())
		}
	default:
		return nil, false, fmt.Errorf("cache: reading the database key: %w", err)
	}
	key = make([]byte, EncryptionKeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, false, err
	}
	enc := hex.EncodeToString(key)
	if err := s.Set(SecretDBKey, enc); err != nil {
		return nil, false, fmt.Errorf("cache: storing the database key: %w", err)
	}
	if back, err := s.Get(SecretDBKey); err != nil || back != enc {
		return nil, false, fmt.Errorf("cache: the database key did not read back from the %s", s.Backend())
	}
	return key, true, nil
}

// ---- keyring ----

type keyringAPI interface {
	Get(service, user string) (string, error)
	Set(service, user, password string) error
	Delete(service, user string) error
}

type osKeyring struct{}

func (osKeyring) Get(service, user string) (string, error) { return keyring.Get(service, user) }
func (osKeyring) Set(service, user, pw string) error       { return keyring.Set(service, user, pw) }
func (osKeyring) Delete(service, user string) error        { return keyring.Delete(service, user) }

// KeyringSecrets keeps secrets in the OS keyring. Every call is bounded (KeyringTimeout for the
// probe, KeyringPromptTimeout for the others) and calls are serialized; a call that hangs makes
// the following ones time out too.
type KeyringSecrets struct {
	api          keyringAPI
	scope        string
	probeTimeout time.Duration
	timeout      time.Duration
	sem          chan struct{}
}

func newKeyringSecrets(api keyringAPI, scope string) *KeyringSecrets {
	return &KeyringSecrets{api: api, scope: scope, probeTimeout: KeyringTimeout, timeout: KeyringPromptTimeout,
		sem: make(chan struct{}, 1)}
}

func (k *KeyringSecrets) account(name string) string { return name + "/" + k.scope }

// Backend returns BackendKeyring.
func (k *KeyringSecrets) Backend() string { return BackendKeyring }

func (k *KeyringSecrets) call(fn func() error) error { return k.callWithin(k.timeout, fn) }

func (k *KeyringSecrets) callWithin(d time.Duration, fn func() error) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case k.sem <- struct{}{}:
	case <-t.C:
		return ErrKeyringTimeout
	}
	done := make(chan error, 1)
	go func() {
		defer func() { <-k.sem }()
		done <- fn()
	}()
	select {
	case err := <-done:
		return err
	case <-t.C:
		return ErrKeyringTimeout
	}
}

func (k *KeyringSecrets) probe() error {
	var err error
	cerr := k.callWithin(k.probeTimeout, func() error {
		_, err = k.api.Get(KeyringService, k.account("probe"))
		return nil
	})
	if cerr != nil {
		return cerr
	}
	if err == nil || errors.Is(err, keyring.ErrNotFound) {
		return nil
	}
	return err
}

// Get returns the secret name.
func (k *KeyringSecrets) Get(name string) (string, error) {
	var v string
	err := k.call(func() (err error) {
		v, err = k.api.Get(KeyringService, k.account(name))
		return err
	})
	if errors.Is(err, keyring.ErrNotFound) {
		return "", fmt.Errorf("%w: secret %q", ErrNotFound, name)
	}
	if err != nil {
		return "", fmt.Errorf("cache: keyring: %w", err)
	}
	return v, nil
}

// Set stores the secret name.
func (k *KeyringSecrets) Set(name, value string) error {
	if err := k.call(func() error { return k.api.Set(KeyringService, k.account(name), value) }); err != nil {
		return fmt.Errorf("cache: keyring: %w", err)
	}
	return nil
}

// Delete removes the secret name.
func (k *KeyringSecrets) Delete(name string) error {
	err := k.call(func() error { return k.api.Delete(KeyringService, k.account(name)) })
	if err != nil && !errors.Is(err, keyring.ErrNotFound) {
		return fmt.Errorf("cache: keyring: %w", err)
	}
	return nil
}

// ---- file ----

// FileSecrets keeps secrets in a file readable only by the user (see the package notes above on
// what its sealing is and is not).
type FileSecrets struct {
	path   string
	marker string
	mu     sync.Mutex
	loose  bool
	key    []byte // the sealing key, once unlocked (or created) with the passphrase
}

type secretsDoc struct {
	Version int    `json:"version"`
	Note    string `json:"note"`
	// Salt: version 1 only (its sealing key came from a constant and this salt).
	Salt string `json:"salt,omitempty"`
	// KDF and Check: version 2. Check is a known text sealed under the key, to tell a wrong
	// passphrase from a right one before anything else is read.
	KDF    *kdfParams        `json:"kdf,omitempty"`
	Check  string            `json:"check,omitempty"`
	Values map[string]string `json:"values"`
}

const secretsNote = "HstockPlus secrets (API key, database key). Keep this file private: it is readable only by you and must stay so."

// Backend returns BackendFile.
func (f *FileSecrets) Backend() string { return BackendFile }

// Path is the file's path.
func (f *FileSecrets) Path() string { return f.path }

// LoosePermissions reports whether the file was found readable by others (Unix: group or other
// permission bits set). The permissions have been reset to 0600; the UI should warn that the
// secrets may have been exposed (the API key should be regenerated).
func (f *FileSecrets) LoosePermissions() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.loose
}

func (f *FileSecrets) load() (*secretsDoc, error) {
	st, err := os.Stat(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cache: secrets file: %w", err)
	}
	if runtime.GOOS != "windows" && st.Mode().Perm()&0o077 != 0 {
		f.loose = true
		if err := os.Chmod(f.path, 0o600); err != nil {
			return nil, fmt.Errorf("cache: secrets file %s is readable by others and cannot be made private: %w", f.path, err)
		}
	}
	b, err := os.ReadFile(f.path)
	if err != nil {
		return nil, fmt.Errorf("cache: secrets file: %w", err)
	}
	var d secretsDoc
	if err := json.Unmarshal(b, &d); err != nil || (d.Version != 1 && d.Version != 2) || (d.Version == 2 && (d.KDF == nil || d.Check == "")) {
		return nil, fmt.Errorf("%w: secrets file %s", ErrCorrupt, f.path)
	}
	if d.Values == nil {
		d.Values = map[string]string{}
	}
	return &d, nil
}

// legacyKey is the sealing key of a version 1 file: derived from a constant and the file's own
// salt, so anyone who can read the file can unseal it. Only read, to move the values under a
// passphrase.
func legacyKey(salt string) []byte {
	k := sha256.Sum256([]byte("hstockplus secrets file v1\x00" + salt))
	return k[:]
}

func gcm(key []byte) (cipher.AEAD, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

// sealingKey is the key the values of d are sealed with: the unlocked key of a version 2 file,
// the legacy one of a version 1 file. ErrSecretsLocked when the passphrase is needed.
func (f *FileSecrets) sealingKey(d *secretsDoc) ([]byte, error) {
	if d.Version == 1 {
		return legacyKey(d.Salt), nil
	}
	if f.key == nil {
		return nil, ErrSecretsLocked
	}
	return f.key, nil
}

func seal(key []byte, name, value string) (string, error) {
	g, err := gcm(key)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, g.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(g.Seal(nonce, nonce, []byte(value), []byte(name))), nil
}

func unseal(key []byte, name, sealed string) (string, bool) {
	raw, err := base64.StdEncoding.DecodeString(sealed)
	g, gerr := gcm(key)
	if err != nil || gerr != nil || len(raw) < g.NonceSize() {
		return "", false
	}
	plain, err := g.Open(nil, raw[:g.NonceSize()], raw[g.NonceSize():], []byte(name))
	if err != nil {
		return "", false
	}
	return string(plain), true
}

// Get returns the secret name. ErrSecretsLocked until Unlock.
func (f *FileSecrets) Get(name string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d, err := f.load()
	if err != nil {
		return "", err
	}
	if d == nil {
		return "", fmt.Errorf("%w: secret %q", ErrNotFound, name)
	}
	key, err := f.sealingKey(d)
	if err != nil {
		return "", err
	}
	sealed, ok := d.Values[name]
	if !ok {
		return "", fmt.Errorf("%w: secret %q", ErrNotFound, name)
	}
	plain, ok := unseal(key, name, sealed)
	if !ok {
		return "", fmt.Errorf("%w: secret %q in %s", ErrCorrupt, name, f.path)
	}
	return plain, nil
}

// Set stores the secret name (the whole file is rewritten atomically). The file must have been
// unlocked, or created with a passphrase: ErrSecretsLocked otherwise — a secret is never written
// under the legacy key.
func (f *FileSecrets) Set(name, value string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	d, err := f.load()
	if err != nil {
		return err
	}
	if d == nil || d.Version != 2 || f.key == nil {
		return ErrSecretsLocked
	}
	sealed, err := seal(f.key, name, value)
	if err != nil {
		return err
	}
	d.Values[name] = sealed
	if err := f.save(d); err != nil {
		return err
	}
	f.writeMarker()
	return nil
}

// writeMarker records that this data directory's secrets are in the file.
func (f *FileSecrets) writeMarker() {
	if f.marker != "" {
		if b, err := os.ReadFile(f.marker); err != nil || strings.TrimSpace(string(b)) == "" {
			_ = writeFileAtomic(f.marker, []byte(BackendFile+"\n"))
		}
	}
}

// Delete removes the secret name.
func (f *FileSecrets) Delete(name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	d, err := f.load()
	if err != nil || d == nil {
		return err
	}
	if _, ok := d.Values[name]; !ok {
		return nil
	}
	delete(d.Values, name)
	return f.save(d)
}

func (f *FileSecrets) save(d *secretsDoc) error {
	d.Note = secretsNote
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(f.path, b)
}

// writeFileAtomic writes b to path through a temporary file in the same directory, synced and
// renamed over path, with mode 0600: a crash leaves the old file or the new one.
func writeFileAtomic(path string, b []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	name := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			_ = tmp.Close()
			_ = os.Remove(name)
		}
	}()
	if err := tmp.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		return fmt.Errorf("cache: %w", err)
	}
	if _, err := tmp.Write(b); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	if err := os.Rename(name, path); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	ok = true
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // the rename itself; not supported everywhere
		_ = d.Close()
	}
	return nil
}

// constantTimeEqual compares two strings without leaking where they differ.
func constantTimeEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
