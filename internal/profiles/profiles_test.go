package profiles

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

func TestAdoptSaveLoad(t *testing.T) {
	dir := t.TempDir()
	if _, found, err := Load(dir); found || err != nil {
		t.Fatalf("empty dir: %v %v", found, err)
	}
	s := Adopt(true, "HstockPlus", "https://panel.example/api/v2", "ja")
	if s.Active != MainID || len(s.Profiles) != 2 {
		t.Fatalf("adopted %+v", s)
	}
	main, _ := s.Get(MainID)
	if main.StoreDir(dir) != dir || main.Scope() != "" {
		t.Fatalf("the first profile must stay where it was, under its old secret names: %+v", main)
	}
	p, err := s.Add("Second shop", "https://other.example/api/v2", "en")
	if err != nil || p.ID != "p2" || p.StoreDir(dir) != filepath.Join(dir, "profiles", "p2") || p.Scope() != "p2" {
		t.Fatalf("Add = %+v, %v", p, err)
	}
	if _, err := s.Add(" second SHOP ", "", ""); !errors.Is(err, ErrName) {
		t.Fatalf("a taken name: %v", err)
	}
	if err := s.Rename(p.ID, "Resale"); err != nil {
		t.Fatal(err)
	}
	s.Active = p.ID
	if err := s.Save(dir); err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" {
		if fi, _ := os.Stat(filepath.Join(dir, File)); fi.Mode().Perm() != 0o600 {
			t.Fatalf("mode %v", fi.Mode())
		}
	}
	back, found, err := Load(dir)
	if err != nil || !found || back.Active != p.ID || len(back.Profiles) != 3 {
		t.Fatalf("Load = %+v %v %v", back, found, err)
	}
	if got, ok := back.Find("resale"); !ok || got.ID != p.ID || got.Endpoint != "https://other.example/api/v2" {
		t.Fatalf("Find = %+v", got)
	}
	q, _ := back.Add("Third", "", "")
	if q.ID != "p3" {
		t.Fatalf("ids are not reused: %s", q.ID)
	}
}

func TestAdoptWithoutAnAccountIsTheDemo(t *testing.T) {
	s := Adopt(false, "HstockPlus", "", "")
	if s.Active != DemoID || len(s.Profiles) != 1 || !s.Profiles[0].Demo {
		t.Fatalf("%+v", s)
	}
}

func TestRemoveKeepsTheDataAside(t *testing.T) {
	dir := t.TempDir()
	s := Adopt(true, "HstockPlus", "", "")
	p, _ := s.Add("Other", "", "")
	store := p.StoreDir(dir)
	if err := os.MkdirAll(filepath.Join(store, "db"), 0o700); err != nil {
		t.Fatal(err)
	}
	_ = os.WriteFile(filepath.Join(store, "db", "000001.vlog"), []byte("journal"), 0o600)
	s.Active = p.ID
	got, err := s.Remove(p.ID)
	if err != nil || got.ID != p.ID || s.Active != MainID {
		t.Fatalf("Remove = %+v %v; active %s", got, err, s.Active)
	}
	moved, err := KeepAside(dir, got, time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(moved, "db", "000001.vlog")); err != nil || string(b) != "journal" {
		t.Fatalf("kept aside in %s: %q %v", moved, b, err)
	}
	if _, err := os.Stat(store); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("the store is still in place")
	}
	// The adopted first profile: its database folder moves, the data directory stays.
	_ = os.MkdirAll(filepath.Join(dir, "db"), 0o700)
	main, _ := s.Get(MainID)
	if _, err := s.Remove(MainID); err != nil {
		t.Fatal(err)
	}
	if moved, err := KeepAside(dir, main, time.Now()); err != nil || filepath.Dir(moved) != filepath.Join(dir, removedDir) {
		t.Fatalf("main kept aside in %q: %v", moved, err)
	}
	if _, err := s.Remove(DemoID); !errors.Is(err, ErrLast) {
		t.Fatalf("removing the last: %v", err)
	}
}
