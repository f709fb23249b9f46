// Package accounttest builds a real service layer for tests: an in-memory store under an
// account.Service, so that the window's tests drive what the app runs, not a stand-in.
package accounttest

import (
	"testing"
	"time"

	"github.com/hstockplus/hstockplus/account"
	"github.com/hstockplus/hstockplus/cache"
)

// Env is a service layer on an in-memory store. Store is there for tests to arrange what the
// app would have stored earlier (a journal entry left unconfirmed by a crash, say) and to check
// what the service wrote; the code under test never gets it.
type Env struct {
	Svc   *account.Service
	Store *cache.Store
}

// New builds the service layer on a fresh in-memory store, closed when the test ends.
func New(t testing.TB, api account.API) *Env { return NewAt(t, api, nil) }

// NewAt is New with the store's clock (nil: the real one).
func NewAt(t testing.TB, api account.API, now func() time.Time) *Env {
	t.Helper()
	st, err := cache.OpenInMemory(cache.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return On(t, st, api)
}

// On builds a service layer on an existing store (a restart on the same data).
func On(t testing.TB, st *cache.Store, api account.API) *Env {
	t.Helper()
	svc, err := account.New(account.Params{Store: st, API: api, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	return &Env{Svc: svc, Store: st}
}

// NewWith builds the service layer from p on a fresh in-memory store (p.Store is set).
func NewWith(t testing.TB, p account.Params) *Env {
	t.Helper()
	st, err := cache.OpenInMemory(cache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	p.Store = st
	if p.Logf == nil {
		p.Logf = t.Logf
	}
	svc, err := account.New(p)
	if err != nil {
		t.Fatal(err)
	}
	return &Env{Svc: svc, Store: st}
}

// OpenDir builds the service layer on the on-disk store in dir (created if need be) under a fixed
// test key, as the app opens its own: for measuring what a restart reads. Close closes it.
func OpenDir(t testing.TB, dir string, api account.API) *Env {
	t.Helper()
	st, err := cache.Open(dir, cache.Options{EncryptionKey: testKey[:]})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return On(t, st, api)
}

// Close closes the store (a restart follows with OpenDir on the same dir).
func (e *Env) Close() error { return e.Store.Close() }

var testKey = [32]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32}
