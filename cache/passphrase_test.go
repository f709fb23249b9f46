package cache

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"
)

// The secrets file opens to nobody without its passphrase: not with the empty one, not with a
// wrong one, not with the first version's constant-derived key — and its bytes hold neither the
// API key nor the database key.
func TestSecretsFileNeedsItsPassphrase(t *testing.T) {
	dir := t.TempDir()
	const apiKey, dbKey = "hsp_live_9d0c1b2a3f4e5d6c7b8a", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
	s, _ := OpenSecrets(dir, ModeFile)
	f := s.(*FileSecrets)
	if err := f.Set(SecretAPIKey, apiKey); !errors.Is(err, ErrSecretsLocked) {
		t.Fatalf("a secret was written without a passphrase: %v", err)
	}
	if err := f.Create("short"); !errors.Is(err, ErrWeakPassphrase) {
		t.Fatalf("a 5-character passphrase: %v", err)
	}
	if err := f.Create(testPassphrase); err != nil {
		t.Fatal(err)
	}
	if err := f.Set(SecretAPIKey, apiKey); err != nil {
		t.Fatal(err)
	}
	if err := f.Set(SecretDBKey, dbKey); err != nil {
		t.Fatal(err)
	}

	raw, err := os.ReadFile(filepath.Join(dir, secretsFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{apiKey, dbKey, testPassphrase} {
		if strings.Contains(string(raw), secret) || strings.Contains(string(raw), base64.StdEncoding.EncodeToString([]byte(secret))) {
			t.Fatalf("the file holds %q", secret)
		}
	}
	// The first version's derivation (a constant and a salt in the file) opens nothing.
	var doc secretsDoc
	if err := json.Unmarshal(raw, &doc); err != nil || doc.Version != 2 || doc.KDF == nil || doc.KDF.Alg != "argon2id" {
		t.Fatalf("file = %s", raw)
	}
	for _, salt := range []string{doc.Salt, doc.KDF.Salt, ""} {
		if v, ok := unseal(legacyKey(salt), SecretAPIKey, doc.Values[SecretAPIKey]); ok {
			t.Fatalf("the old derivation opened the API key: %q", v)
		}
	}

	// A new start: locked until the passphrase.
	again, _ := OpenSecrets(dir, ModeFile)
	g := again.(*FileSecrets)
	if st, _ := g.State(); st != FileLocked {
		t.Fatalf("state = %v", st)
	}
	if _, err := g.Get(SecretAPIKey); !errors.Is(err, ErrSecretsLocked) {
		t.Fatalf("read without the passphrase: %v", err)
	}
	for _, wrong := range []string{"", "correct horse battery", testPassphrase + " ", strings.ToUpper(testPassphrase)} {
		if err := g.Unlock(wrong); !errors.Is(err, ErrWrongPassphrase) {
			t.Fatalf("Unlock(%q) = %v", wrong, err)
		}
	}
	if _, err := g.Get(SecretAPIKey); !errors.Is(err, ErrSecretsLocked) {
		t.Fatalf("a wrong passphrase unlocked: %v", err)
	}
	if err := g.Unlock(testPassphrase); err != nil {
		t.Fatal(err)
	}
	if v, err := g.Get(SecretAPIKey); err != nil || v != apiKey {
		t.Fatalf("after Unlock: %q %v", v, err)
	}
	// A changed passphrase keeps the values.
	if err := g.Create("another passphrase"); err != nil {
		t.Fatal(err)
	}
	third, _ := OpenSecrets(dir, ModeFile)
	if err := third.(*FileSecrets).Unlock(testPassphrase); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("the old passphrase still opens it: %v", err)
	}
	if err := third.(*FileSecrets).Unlock("another passphrase"); err != nil {
		t.Fatal(err)
	}
	if v, _ := third.Get(SecretDBKey); v != dbKey {
		t.Fatalf("db key after the change = %q", v)
	}
}

// A first-version file (sealed under a constant) is read, then moved under a passphrase.
func TestLegacySecretsFileMovesUnderAPassphrase(t *testing.T) {
	dir := t.TempDir()
	salt := base64.StdEncoding.EncodeToString([]byte("0123456789abcdef"))
	sealed, err := seal(legacyKey(salt), SecretAPIKey, "old-key")
	if err != nil {
		t.Fatal(err)
	}
	old, _ := json.Marshal(secretsDoc{Version: 1, Salt: salt, Values: map[string]string{SecretAPIKey: sealed}})
	if err := os.WriteFile(filepath.Join(dir, secretsFile), old, 0o600); err != nil {
		t.Fatal(err)
	}
	s, _ := OpenSecrets(dir, ModeFile)
	f := s.(*FileSecrets)
	if st, _ := f.State(); st != FileLegacy {
		t.Fatalf("state = %v", st)
	}
	if v, err := f.Get(SecretAPIKey); err != nil || v != "old-key" {
		t.Fatalf("legacy read: %q %v", v, err)
	}
	if err := f.Set(SecretDBKey, "x"); !errors.Is(err, ErrSecretsLocked) {
		t.Fatalf("written under the legacy key: %v", err)
	}
	if err := f.Create(testPassphrase); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(filepath.Join(dir, secretsFile))
	var doc secretsDoc
	_ = json.Unmarshal(raw, &doc)
	if doc.Version != 2 {
		t.Fatalf("not moved: %s", raw)
	}
	if _, ok := unseal(legacyKey(salt), SecretAPIKey, doc.Values[SecretAPIKey]); ok {
		t.Fatal("still sealed under the legacy key")
	}
	again, _ := OpenSecrets(dir, ModeFile)
	if err := again.(*FileSecrets).Unlock(testPassphrase); err != nil {
		t.Fatal(err)
	}
	if v, _ := again.Get(SecretAPIKey); v != "old-key" {
		t.Fatalf("moved value = %q", v)
	}
}

// The app's own parameters are memory-hard: 64 MiB, and a tampered file cannot ask for more
// than the bound.
func TestKDFParameters(t *testing.T) {
	if NewKDF.Alg != "argon2id" {
		t.Fatal(NewKDF.Alg)
	}
	app := kdfParams{Alg: "argon2id", Time: 3, MemoryKiB: 64 << 10, Threads: 2, Salt: base64.StdEncoding.EncodeToString(make([]byte, 16))}
	if testing.Short() {
		t.Skip("derives one key with the app's parameters")
	}
	if _, err := deriveKey(testPassphrase, app); err != nil {
		t.Fatal(err)
	}
	huge := app
	huge.MemoryKiB = 64 << 20 // 64 GiB
	if _, err := deriveKey(testPassphrase, huge); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("a file asking for 64 GiB: %v", err)
	}
	noSalt := app
	noSalt.Salt = ""
	if _, err := deriveKey(testPassphrase, noSalt); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("no salt: %v", err)
	}
}

func TestMemorySecrets(t *testing.T) {
	m := NewMemorySecrets()
	if _, err := m.Get(SecretAPIKey); !errors.Is(err, ErrNotFound) {
		t.Fatal(err)
	}
	k, created, err := EncryptionKey(m, false)
	if err != nil || !created || len(k) != EncryptionKeySize || m.Backend() != BackendMemory {
		t.Fatalf("%v %v %v", created, err, m.Backend())
	}
}

// Secrets sealed in the file move into a keyring that appears later; the file goes, and the
// data directory opens from the keyring afterwards.
func TestMoveToKeyring(t *testing.T) {
	keyring.MockInitWithError(errors.New("no keyring yet"))
	dir := t.TempDir()
	s, err := OpenSecrets(dir, ModeAuto)
	if err != nil || s.Backend() != BackendFile {
		t.Fatalf("%v %v", s, err)
	}
	withPassphrase(t, s)
	_ = s.Set(SecretAPIKey, "k-1")
	_ = s.Set(SecretDBKey, "d-1")
	if KeyringAnswers(dir) {
		t.Fatal("a keyring answers while there is none")
	}
	keyring.MockInit()
	if !KeyringAnswers(dir) {
		t.Fatal("the keyring that appeared does not answer")
	}
	kr, err := MoveToKeyring(dir, s.(*FileSecrets))
	if err != nil || kr.Backend() != BackendKeyring {
		t.Fatalf("%v %v", kr, err)
	}
	if _, err := os.Stat(filepath.Join(dir, secretsFile)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the file remains: %v", err)
	}
	again, err := OpenSecrets(dir, ModeAuto)
	if err != nil || again.Backend() != BackendKeyring {
		t.Fatalf("%v %v", again, err)
	}
	if v, _ := again.Get(SecretDBKey); v != "d-1" {
		t.Fatalf("db key = %q", v)
	}
}
