package cache

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
)

// fakeKeyring is an in-memory keyring that can fail or hang.
type fakeKeyring struct {
	mu   sync.Mutex
	m    map[string]string
	err  error
	hang chan struct{}
}

func (f *fakeKeyring) wait() error {
	if f.hang != nil {
		<-f.hang
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}

func (f *fakeKeyring) Get(service, user string) (string, error) {
	if err := f.wait(); err != nil {
		return "", err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.m[service+"|"+user]
	if !ok {
		return "", keyring.ErrNotFound
	}
	return v, nil
}

func (f *fakeKeyring) Set(service, user, pw string) error {
	if err := f.wait(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.m == nil {
		f.m = map[string]string{}
	}
	f.m[service+"|"+user] = pw
	return nil
}

func (f *fakeKeyring) Delete(service, user string) error {
	if err := f.wait(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.m[service+"|"+user]; !ok {
		return keyring.ErrNotFound
	}
	delete(f.m, service+"|"+user)
	return nil
}

func exerciseSecrets(t *testing.T, s Secrets) {
	t.Helper()
	if _, err := s.Get(SecretAPIKey); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing secret: %v", err)
	}
	if err := s.Set(SecretAPIKey, "k-123"); err != nil {
		t.Fatal(err)
	}
	if err := s.Set(SecretAPIKey, "k-456"); err != nil {
		t.Fatal(err)
	}
	if err := s.Set("other", "ü ñ 🔑"); err != nil {
		t.Fatal(err)
	}
	if v, err := s.Get(SecretAPIKey); err != nil || v != "k-456" {
		t.Fatalf("%q %v", v, err)
	}
	if v, err := s.Get("other"); err != nil || v != "ü ñ 🔑" {
		t.Fatalf("%q %v", v, err)
	}
	if err := s.Delete(SecretAPIKey); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(SecretAPIKey); err != nil {
		t.Fatal("deleting twice:", err)
	}
	if _, err := s.Get(SecretAPIKey); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted secret: %v", err)
	}
}

func TestFileSecrets(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenSecrets(dir, ModeFile)
	if err != nil {
		t.Fatal(err)
	}
	withPassphrase(t, s)
	if s.Backend() != BackendFile {
		t.Fatal(s.Backend())
	}
	exerciseSecrets(t, s)
	path := filepath.Join(dir, secretsFile)
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 {
		t.Fatalf("secrets file mode %v", st.Mode().Perm())
	}
	b, _ := os.ReadFile(path)
	if strings.Contains(string(b), "ü ñ") {
		t.Fatal("a secret is in clear text in the file")
	}
	// No temporary files left behind.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Fatalf("left %s", e.Name())
		}
	}
	// A new handle reads what the first wrote, once unlocked.
	s2, _ := OpenSecrets(dir, ModeFile)
	withPassphrase(t, s2)
	if v, err := s2.Get("other"); err != nil || v != "ü ñ 🔑" {
		t.Fatalf("%q %v", v, err)
	}
	// Auto mode follows the file once secrets are there.
	s3, err := OpenSecrets(dir, ModeAuto)
	if err != nil || s3.Backend() != BackendFile {
		t.Fatalf("auto after file: %v %v", s3, err)
	}
	// A damaged file is an error, not an empty store.
	if err := os.WriteFile(path, []byte("{garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s2.Get("other"); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("damaged file: %v", err)
	}
	if err := s2.Set("x", "y"); err == nil {
		t.Fatal("a damaged file was overwritten")
	}
}

func TestFileSecretsLoosePermissions(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix permission bits")
	}
	dir := t.TempDir()
	s, _ := OpenSecrets(dir, ModeFile)
	withPassphrase(t, s)
	if err := s.Set(SecretAPIKey, "k"); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, secretsFile)
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	fs := s.(*FileSecrets)
	if fs.LoosePermissions() {
		t.Fatal("loose before reading")
	}
	if v, err := s.Get(SecretAPIKey); err != nil || v != "k" {
		t.Fatal(v, err)
	}
	if !fs.LoosePermissions() {
		t.Fatal("loose permissions not reported")
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Fatalf("permissions not fixed: %v", st.Mode().Perm())
	}
}

func TestKeyringSecrets(t *testing.T) {
	fk := &fakeKeyring{}
	k := newKeyringSecrets(fk, "scope1")
	exerciseSecrets(t, k)
	// Entries are scoped by data directory.
	other := newKeyringSecrets(fk, "scope2")
	if err := k.Set(SecretDBKey, "one"); err != nil {
		t.Fatal(err)
	}
	if _, err := other.Get(SecretDBKey); !errors.Is(err, ErrNotFound) {
		t.Fatalf("scopes leak: %v", err)
	}
	if _, ok := fk.m[KeyringService+"|"+SecretDBKey+"/scope1"]; !ok {
		t.Fatalf("entries %v", fk.m)
	}
}

func TestKeyringTimeout(t *testing.T) {
	fk := &fakeKeyring{hang: make(chan struct{})}
	defer close(fk.hang)
	k := newKeyringSecrets(fk, "s")
	k.timeout, k.probeTimeout = 100*time.Millisecond, 100*time.Millisecond
	t0 := time.Now()
	if _, err := k.Get("x"); !errors.Is(err, ErrKeyringTimeout) {
		t.Fatalf("hanging keyring: %v", err)
	}
	// The next call, while the first still hangs, times out too instead of piling up.
	if err := k.Set("x", "y"); !errors.Is(err, ErrKeyringTimeout) {
		t.Fatalf("second call: %v", err)
	}
	if d := time.Since(t0); d > 2*time.Second {
		t.Fatalf("took %v", d)
	}
	if err := k.probe(); err == nil {
		t.Fatal("probe of a hanging keyring succeeded")
	}
}

func TestOpenSecretsAuto(t *testing.T) {
	// The OS keyring replaced by go-keyring's mock.
	keyring.MockInit()
	dir := t.TempDir()
	s, err := OpenSecrets(dir, ModeAuto)
	if err != nil || s.Backend() != BackendKeyring {
		t.Fatalf("%v %v", s, err)
	}
	if err := s.Set(SecretAPIKey, "abc"); err != nil {
		t.Fatal(err)
	}
	if readBackendMarker(dir) != BackendKeyring {
		t.Fatal("backend not recorded")
	}
	again, _ := OpenSecrets(dir, ModeAuto)
	if v, err := again.Get(SecretAPIKey); err != nil || v != "abc" {
		t.Fatalf("%q %v", v, err)
	}
	// The keyring stops answering: the data directory's secrets are there, so no silent switch
	// to an empty file.
	keyring.MockInitWithError(errors.New("no D-Bus"))
	if _, err := OpenSecrets(dir, ModeAuto); !errors.Is(err, ErrKeyringUnavailable) {
		t.Fatalf("keyring gone: %v", err)
	}
	if _, err := OpenSecrets(dir, ModeKeyring); !errors.Is(err, ErrKeyringUnavailable) {
		t.Fatalf("keyring mode: %v", err)
	}
	// A new data directory without a keyring gets the file.
	dir2 := t.TempDir()
	s2, err := OpenSecrets(dir2, ModeAuto)
	if err != nil || s2.Backend() != BackendFile {
		t.Fatalf("%v %v", s2, err)
	}
	withPassphrase(t, s2)
	if err := s2.Set(SecretAPIKey, "f"); err != nil {
		t.Fatal(err)
	}
	// … and keeps it when the keyring comes back.
	keyring.MockInit()
	s3, err := OpenSecrets(dir2, ModeAuto)
	if err != nil || s3.Backend() != BackendFile {
		t.Fatalf("%v %v", s3, err)
	}
	if _, err := OpenSecrets(dir2, "bogus"); err == nil {
		t.Fatal("bogus mode accepted")
	}
}

func TestEncryptionKeyHelper(t *testing.T) {
	s, _ := OpenSecrets(t.TempDir(), ModeFile)
	withPassphrase(t, s)
	// An existing database without its key: never invent one.
	if _, _, err := EncryptionKey(s, true); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("existing db, no key: %v", err)
	}
	if _, err := s.Get(SecretDBKey); !errors.Is(err, ErrNotFound) {
		t.Fatal("a key was stored for an existing database")
	}
	k1, created, err := EncryptionKey(s, false)
	if err != nil || !created || len(k1) != 32 {
		t.Fatalf("%x %v %v", k1, created, err)
	}
	k2, created, err := EncryptionKey(s, true)
	if err != nil || created || string(k1) != string(k2) {
		t.Fatalf("second read: %v %v", created, err)
	}
	// A new directory with a key already there reuses it rather than replacing it.
	k3, created, _ := EncryptionKey(s, false)
	if created || string(k3) != string(k1) {
		t.Fatal("key replaced")
	}
	if err := s.Set(SecretDBKey, "zz-not-hex"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := EncryptionKey(s, true); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("malformed key: %v", err)
	}
	if _, _, err := EncryptionKey(s, false); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("malformed key, new db: %v", err)
	}
}

// testPassphrase opens every secrets file of the tests; they derive its key with small Argon2id
// parameters (the parameters are the file's own: the app's are NewKDF's).
const testPassphrase = "correct horse battery staple"

func init() { NewKDF.Time, NewKDF.MemoryKiB = 1, 256 }

// withPassphrase creates a file secrets store with testPassphrase, or unlocks it. Others are left.
func withPassphrase(t testing.TB, s Secrets) {
	t.Helper()
	f, ok := s.(*FileSecrets)
	if !ok {
		return
	}
	st, err := f.State()
	if err != nil {
		t.Fatal(err)
	}
	switch st {
	case FileMissing, FileLegacy:
		err = f.Create(testPassphrase)
	case FileLocked:
		err = f.Unlock(testPassphrase)
	}
	if err != nil {
		t.Fatal(err)
	}
}
