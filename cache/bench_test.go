package cache

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

func BenchmarkSaveSnapshot100k(b *testing.B) {
	dir := b.TempDir()
	s := diskStore(b, dir, testKey(b))
	defer s.Close()
	a, c := genServices(100_000, 0), genServices(100_000, 1)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := a
		if i%2 == 1 {
			r = c
		}
		if _, err := s.SaveServices("en", time.Now(), r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoadSnapshot100k(b *testing.B) {
	dir := b.TempDir()
	key := testKey(b)
	s := diskStore(b, dir, key)
	if _, err := s.SaveServices("en", time.Now(), genServices(100_000, 0)); err != nil {
		b.Fatal(err)
	}
	// Reopen so that the rows are read from the files, not the memtable.
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	s = diskStore(b, dir, key)
	defer s.Close()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rows, _, err := s.Services("en")
		if err != nil || len(rows) != 100_000 {
			b.Fatal(err, len(rows))
		}
	}
}

// TestOpenAndLoad100k measures what the app does when it starts offline: open the encrypted
// store and load a 100k-row catalog.
func TestOpenAndLoad100k(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	dir := t.TempDir()
	key := testKey(t)
	s := diskStore(t, dir, key)
	t0 := time.Now()
	if _, err := s.SaveServices("en", time.Now(), genServices(100_000, 0)); err != nil {
		t.Fatal(err)
	}
	save := time.Since(t0)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	t0 = time.Now()
	s, err := Open(dir, Options{EncryptionKey: key})
	if err != nil {
		t.Fatal(err)
	}
	opened := time.Since(t0)
	rows, info, err := s.Services("en")
	total := time.Since(t0)
	if err != nil || len(rows) != 100_000 {
		t.Fatal(err, len(rows))
	}
	runtime.ReadMemStats(&m1)
	var tables int64
	if ents, err := os.ReadDir(DBDir(dir)); err == nil {
		for _, e := range ents {
			if fi, err := e.Info(); err == nil && filepath.Ext(e.Name()) == ".sst" {
				tables += fi.Size()
			}
		}
	}
	t.Logf("100k services: save %v; open %v + load %v = %v; %.1f MiB encoded, %.1f MiB of tables on disk (compressed, encrypted); heap in use after load +%.1f MiB (rows and Badger's caches), allocated during open+load %.1f MiB",
		save.Round(time.Millisecond), opened.Round(time.Millisecond), (total - opened).Round(time.Millisecond), total.Round(time.Millisecond),
		float64(info.Bytes)/(1<<20), float64(tables)/(1<<20), float64(int64(m1.HeapInuse)-int64(m0.HeapInuse))/(1<<20), float64(m1.TotalAlloc-m0.TotalAlloc)/(1<<20))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}
