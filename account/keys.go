package account

import (
	"context"
	"errors"
	"time"

	"github.com/hstockplus/hstockplus/cache"
	"github.com/hstockplus/hstockplus/client"
)

// Keys keeps the API key in the secret store (the OS keyring, else a file only the user can
// read). It never logs the key.
type Keys struct {
	secrets cache.Secrets
}

// NewKeys wraps a secret store; nil keeps nothing (every call fails).
func NewKeys(s cache.Secrets) *Keys { return &Keys{secrets: s} }

// ErrNoSecretStore: there is no keyring and no private file to keep the key in.
var ErrNoSecretStore = errors.New("account: no keyring or private file is available for the API key")

// APIKey is the saved key, "" when none was saved.
func (k *Keys) APIKey() (string, error) {
	if k == nil || k.secrets == nil {
		return "", ErrNoSecretStore
	}
	v, err := k.secrets.Get(cache.SecretAPIKey)
	if errors.Is(err, cache.ErrNotFound) {
		return "", nil
	}
	return v, err
}

// SetAPIKey saves a new key. It may block while the keyring prompts: call it off the UI
// goroutine.
func (k *Keys) SetAPIKey(key string) error {
	if k == nil || k.secrets == nil {
		return ErrNoSecretStore
	}
	return k.secrets.Set(cache.SecretAPIKey, key)
}

// InFile reports whether the key is kept in a file (sealed under the user's passphrase), not in
// an OS keyring.
func (k *Keys) InFile() bool {
	return k != nil && k.secrets != nil && k.secrets.Backend() == cache.BackendFile
}

// InMemory reports whether secrets are kept for this session only (no keyring, no passphrase).
func (k *Keys) InMemory() bool {
	return k != nil && k.secrets != nil && k.secrets.Backend() == cache.BackendMemory
}

// NeedsPassphrase reports whether a passphrase must be chosen before a key can be saved: there
// is no OS keyring and the secrets file has none yet.
func (k *Keys) NeedsPassphrase() bool {
	f, ok := k.file()
	if !ok {
		return false
	}
	st, err := f.State()
	return err == nil && (st == cache.FileMissing || st == cache.FileLegacy)
}

// SetPassphrase seals the secrets file under a new passphrase (ErrWeakPassphrase when short).
// It derives a key with Argon2id: call it off the UI goroutine.
func (k *Keys) SetPassphrase(passphrase string) error {
	f, ok := k.file()
	if !ok {
		return ErrNoSecretStore
	}
	return f.Create(passphrase)
}

func (k *Keys) file() (*cache.FileSecrets, bool) {
	if k == nil {
		return nil, false
	}
	f, ok := cache.Unscoped(k.secrets).(*cache.FileSecrets)
	return f, ok
}

// Passphrase errors, for the window to tell apart.
var (
	ErrWrongPassphrase = cache.ErrWrongPassphrase
	ErrWeakPassphrase  = cache.ErrWeakPassphrase
	ErrSecretsLocked   = cache.ErrSecretsLocked
)

// MinPassphrase is the shortest passphrase accepted, in characters.
const MinPassphrase = cache.MinPassphrase

// TestConnection asks the balance of the account of endpoint and key, with a client of its own
// (a short retry, the given timeout): what Settings' and the welcome's "Test connection" show.
func TestConnection(ctx context.Context, endpoint, key, lang, userAgent string, timeout time.Duration) (*client.Balance, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	c, err := client.New(client.WithEndpoint(endpoint), client.WithAPIKey(key), client.WithLang(lang),
		client.WithUserAgent(userAgent), client.WithRetry(2, 250*time.Millisecond, 2*time.Second))
	if err != nil {
		return nil, err
	}
	b, err := c.Balance(ctx)
	if err == nil && b == nil {
		err = ErrEmptyAnswer
	}
	return b, err
}
