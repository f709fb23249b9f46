package cache

import (
	"errors"
	"testing"
)

func TestScopedSecretsKeepProfilesApart(t *testing.T) {
	m := NewMemorySecrets()
	_ = m.Set(SecretAPIKey, "first")
	a, b := Scoped(m, "p2"), Scoped(m, "p3")
	if Scoped(m, "") != m || Unscoped(a) != m {
		t.Fatal("scope \"\" is the secrets themselves")
	}
	if _, err := a.Get(SecretAPIKey); !errors.Is(err, ErrNotFound) {
		t.Fatalf("p2 sees %v", err)
	}
	_ = a.Set(SecretAPIKey, "second")
	_ = b.Set(SecretAPIKey, "third")
	for s, want := range map[Secrets]string{m: "first", a: "second", b: "third"} {
		if v, err := s.Get(SecretAPIKey); err != nil || v != want {
			t.Fatalf("got %q %v, want %q", v, err, want)
		}
	}
	_ = a.Delete(SecretAPIKey)
	if v, _ := m.Get(SecretAPIKey); v != "first" {
		t.Fatal("deleting p2's key touched the first")
	}
	if a.Backend() != m.Backend() {
		t.Fatal("backend")
	}
}
