package cache

// Scoped is the secrets of one profile inside s: each name gets "@scope" appended, so several
// profiles keep their API key and database key side by side in one keyring scope or one sealed
// file. Scope "" is s itself (the names an earlier version used).
func Scoped(s Secrets, scope string) Secrets {
	if scope == "" || s == nil {
		return s
	}
	return &ScopedSecrets{inner: s, suffix: "@" + scope}
}

// ScopedSecrets is a Secrets made by Scoped.
type ScopedSecrets struct {
	inner  Secrets
	suffix string
}

// Get implements Secrets.
func (s *ScopedSecrets) Get(name string) (string, error) { return s.inner.Get(name + s.suffix) }

// Set implements Secrets.
func (s *ScopedSecrets) Set(name, value string) error { return s.inner.Set(name+s.suffix, value) }

// Delete implements Secrets.
func (s *ScopedSecrets) Delete(name string) error { return s.inner.Delete(name + s.suffix) }

// Backend implements Secrets.
func (s *ScopedSecrets) Backend() string { return s.inner.Backend() }

// Unwrap is the secrets s is scoped in.
func (s *ScopedSecrets) Unwrap() Secrets { return s.inner }

// Unscoped is the secrets s is scoped in (s itself when it is not scoped).
func Unscoped(s Secrets) Secrets {
	for {
		sc, ok := s.(*ScopedSecrets)
		if !ok {
			return s
		}
		s = sc.inner
	}
}
