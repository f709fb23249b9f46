package cache

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/hstockplus/hstockplus/client"
)

func TestWrongKeyNeverWipes(t *testing.T) {
	dir := t.TempDir()
	key := testKey(t)
	s := diskStore(t, dir, key)
	if _, _, err := s.AddDeliveries(1, DeliveryAccount, "keep:me"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if !DatabaseExists(dir) {
		t.Fatal("DatabaseExists false for an existing database")
	}
	if DatabaseExists(t.TempDir()) {
		t.Fatal("DatabaseExists true for an empty directory")
	}
	before := dirSnapshot(t, DBDir(dir))
	for _, bad := range [][]byte{testKey(t), nil, key[:16]} {
		_, err := Open(dir, Options{EncryptionKey: bad})
		if !errors.Is(err, ErrWrongKey) {
			t.Fatalf("key of %d bytes: %v, want ErrWrongKey", len(bad), err)
		}
	}
	if after := dirSnapshot(t, DBDir(dir)); after != before {
		t.Fatalf("a failed open changed the database files:\nbefore %s\nafter  %s", before, after)
	}
	s = diskStore(t, dir, key)
	ds, err := s.Deliveries(1)
	if err != nil || len(ds) != 1 || ds[0].Value != "keep:me" {
		t.Fatalf("%v %v", ds, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// The "start afresh" choice moves the old database aside; it is still there, still readable.
	moved, err := MoveAside(dir)
	if err != nil {
		t.Fatal(err)
	}
	if DatabaseExists(dir) {
		t.Fatal("the database is still in place")
	}
	fresh := diskStore(t, dir, testKey(t))
	if err := fresh.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(moved, DBDir(dir)+"-old"); err != nil {
		t.Fatal(err)
	}
	oldDir := t.TempDir()
	if err := os.Rename(DBDir(dir)+"-old", DBDir(oldDir)); err != nil {
		t.Fatal(err)
	}
	old := diskStore(t, oldDir, key)
	defer old.Close()
	if ds, _ := old.Deliveries(1); len(ds) != 1 {
		t.Fatal("the moved database lost its data")
	}
}

// dirSnapshot describes the names, sizes and contents of the files in dir.
func dirSnapshot(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() == "LOCK" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s:%d:%x ", e.Name(), len(data), bytes.Count(data, []byte{0}))
	}
	return b.String()
}

func TestSecondOpenIsErrLocked(t *testing.T) {
	dir := t.TempDir()
	key := testKey(t)
	s := diskStore(t, dir, key)
	defer s.Close()
	_, err := Open(dir, Options{EncryptionKey: key})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second open: %v, want ErrLocked", err)
	}
	if strings.Contains(err.Error(), "goroutine") || len(err.Error()) > 300 {
		t.Fatalf("not a clear message: %q", err)
	}
}

func TestInstanceLockAndActivation(t *testing.T) {
	dir := t.TempDir()
	release, err := AcquireInstanceLock(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := AcquireInstanceLock(dir); !errors.Is(err, ErrLocked) {
		t.Fatalf("second lock: %v, want ErrLocked", err)
	}
	if err := SignalRunningInstance(dir); err == nil {
		t.Fatal("signalled an instance that does not listen")
	}
	var activated atomic.Int32
	stop, err := ListenActivation(dir, func() { activated.Add(1) })
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if err := SignalRunningInstance(dir); err != nil {
			t.Fatal(err)
		}
	}
	// The listener answers, then calls back: wait for it.
	for deadline := time.Now().Add(5 * time.Second); activated.Load() < 2 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	if activated.Load() != 2 {
		t.Fatalf("activated %d times", activated.Load())
	}
	stop()
	stop()
	if _, err := os.Stat(filepath.Join(dir, instanceAddrFile)); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("address file left behind")
	}
	release()
	release()
	r2, err := AcquireInstanceLock(dir)
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	r2()
}

func TestCloseIsCleanAndFinal(t *testing.T) {
	dir := t.TempDir()
	key := testKey(t)
	s := diskStore(t, dir, key)
	if _, err := s.SaveServices("en", time.Time{}, genServices(100, 0)); err != nil {
		t.Fatal(err)
	}
	if err := s.RunGC(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal("second close:", err)
	}
	if _, _, err := s.Services("en"); !errors.Is(err, ErrClosed) {
		t.Fatalf("after close: %v", err)
	}
	if _, err := s.BeginAdd(client.AddRequest{}, "", client.Decimal{}); !errors.Is(err, ErrClosed) {
		t.Fatalf("after close: %v", err)
	}
	if err := s.RunGC(); !errors.Is(err, ErrClosed) {
		t.Fatalf("after close: %v", err)
	}
	// Reopens at once: the lock was released.
	s = diskStore(t, dir, key)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestGCLoopRuns(t *testing.T) {
	dir := t.TempDir()
	key := testKey(t)
	var logMu sync.Mutex
	var gcErrs []string
	logf := func(format string, args ...any) {
		if msg := fmt.Sprintf(format, args...); strings.Contains(msg, "value log GC") {
			logMu.Lock()
			gcErrs = append(gcErrs, msg)
			logMu.Unlock()
		}
	}
	s, err := Open(dir, Options{EncryptionKey: key, GCInterval: 20 * time.Millisecond, Logf: logf})
	if err != nil {
		t.Fatal(err)
	}
	// Overwritten snapshots leave garbage in the value log for the loop to collect.
	for v := 0; v < 3; v++ {
		if _, err := s.SaveServices("en", time.Time{}, genServices(2000, v)); err != nil {
			t.Fatal(err)
		}
	}
	for deadline := time.Now().Add(time.Second); s.gcRuns.Load() < 2; {
		if time.Now().After(deadline) {
			t.Fatalf("the GC loop ran %d times in 1s with a 20ms interval", s.gcRuns.Load())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Close stops the loop: no tick is handled after it returns.
	n := s.gcRuns.Load()
	time.Sleep(60 * time.Millisecond)
	if m := s.gcRuns.Load(); m != n {
		t.Fatalf("the GC loop ran %d more times after Close", m-n)
	}
	logMu.Lock()
	defer logMu.Unlock()
	if len(gcErrs) > 0 {
		t.Fatalf("GC errors: %q", gcErrs)
	}

	// A negative interval disables the loop; RunGC still works by hand.
	s, err = Open(dir, Options{EncryptionKey: key, GCInterval: -1, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.RunGC(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(60 * time.Millisecond)
	if n := s.gcRuns.Load(); n != 0 {
		t.Fatalf("the GC loop ran %d times with GCInterval < 0", n)
	}
}

func TestMigrationPath(t *testing.T) {
	dir := t.TempDir()
	key := testKey(t)
	s := diskStore(t, dir, key)
	if v, err := s.SchemaVersionOnDisk(); err != nil || v != SchemaVersion {
		t.Fatalf("%d %v", v, err)
	}
	if _, _, err := s.AddDeliveries(1, DeliveryAccount, "a:b"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// Pretend the code moved on to version SchemaVersion+1 with one migration step.
	oldSchema, oldMigrations := currentSchema, migrations
	defer func() { currentSchema, migrations = oldSchema, oldMigrations }()
	currentSchema = SchemaVersion + 1
	var ran int
	migrations = append([]migration(nil), oldMigrations...)
	migrations = append(migrations, migration{From: SchemaVersion, Name: "test step", Apply: func(s *Store) error {
		ran++
		_, err := s.db.NewTransaction(false).Get(vaultKey(1, DeliveryAccount, 1))
		return err // the data is readable from inside a migration
	}})
	// The hook can refuse (e.g. the user declined a backup): nothing changes.
	_, err := Open(dir, Options{EncryptionKey: key, OnMigrate: func(from, to int) error { return errors.New("not now") }})
	if err == nil || ran != 0 {
		t.Fatalf("refused migration: %v, ran %d", err, ran)
	}
	var hooked string
	s, err = Open(dir, Options{EncryptionKey: key, OnMigrate: func(from, to int) error {
		hooked = fmt.Sprintf("%d→%d", from, to)
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if ran != 1 || hooked != fmt.Sprintf("%d→%d", SchemaVersion, SchemaVersion+1) {
		t.Fatalf("ran %d, hook %q", ran, hooked)
	}
	if v, _ := s.SchemaVersionOnDisk(); v != SchemaVersion+1 {
		t.Fatalf("version %d", v)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Reopened at the same version: no second run.
	s = diskStore(t, dir, key)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if ran != 1 {
		t.Fatal("migration ran twice")
	}
	// An older app meets the newer database: refused, untouched.
	currentSchema = SchemaVersion
	if _, err := Open(dir, Options{EncryptionKey: key}); !errors.Is(err, ErrSchemaTooNew) {
		t.Fatalf("newer schema: %v", err)
	}
}

func TestImageCacheLRU(t *testing.T) {
	now, advance := fixedClock(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	s, err := OpenInMemory(Options{ImageCacheBytes: 1000, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	img := func(b byte, n int) []byte { return bytes.Repeat([]byte{b}, n) }
	for i, u := range []string{"u1", "u2", "u3", "u4"} {
		if err := s.PutImage("https://x/"+u, img(byte(i), 200), "image/webp"); err != nil {
			t.Fatal(err)
		}
		advance(time.Second)
	}
	// Touch u1 so that u2 is the least recently used.
	if data, ct, err := s.Image("https://x/u1"); err != nil || len(data) != 200 || ct != "image/webp" {
		t.Fatalf("%d %q %v", len(data), ct, err)
	}
	advance(time.Second)
	if err := s.PutImage("https://x/u5", img(5, 250), "image/png"); err != nil {
		t.Fatal(err)
	}
	used, n, err := s.ImageCacheUsage()
	if err != nil || used > 1000 || n != 4 {
		t.Fatalf("usage %d bytes, %d images, %v", used, n, err)
	}
	if _, _, err := s.Image("https://x/u2"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("u2 should have been evicted: %v", err)
	}
	for _, u := range []string{"u1", "u3", "u4", "u5"} {
		if _, _, err := s.Image("https://x/" + u); err != nil {
			t.Fatalf("%s: %v", u, err)
		}
	}
	// Replacing an image does not count it twice.
	if err := s.PutImage("https://x/u5", img(6, 100), "image/png"); err != nil {
		t.Fatal(err)
	}
	if used2, n2, _ := s.ImageCacheUsage(); used2 != used-150 || n2 != 4 {
		t.Fatalf("after replace: %d bytes, %d images", used2, n2)
	}
	if err := s.PutImage("https://x/big", img(1, 251), ""); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("big image: %v", err)
	}
}

func TestImageIndexSurvivesReopen(t *testing.T) {
	dir := t.TempDir()
	key := testKey(t)
	s := diskStore(t, dir, key)
	if err := s.PutImage("https://x/a", []byte("abc"), "image/png"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Image("https://x/a"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = diskStore(t, dir, key)
	defer s.Close()
	if used, n, err := s.ImageCacheUsage(); err != nil || used != 3 || n != 1 {
		t.Fatalf("%d %d %v", used, n, err)
	}
	if data, _, err := s.Image("https://x/a"); err != nil || string(data) != "abc" {
		t.Fatalf("%q %v", data, err)
	}
}

// TestEncryptedAtRest writes a known delivered password, an SMS code and the API key, the way the
// app does (secrets through Secrets, deliveries through the vault), and checks that no file of the
// data directory contains them: neither while the store is open (write-ahead log, value log) nor
// after it is closed (tables). Both secret backends are checked; the keyring is go-keyring's mock.
func TestEncryptedAtRest(t *testing.T) {
	for _, mode := range []string{ModeFile, ModeAuto} {
		t.Run("secrets="+map[string]string{ModeFile: "file", ModeAuto: "keyring"}[mode], func(t *testing.T) {
			keyring.MockInit()
			dir := t.TempDir()
			sec, err := OpenSecrets(dir, mode)
			if err != nil {
				t.Fatal(err)
			}
			withPassphrase(t, sec)
			apiKey := "hsp_live_4f9c2a7e1b8d4c6fa0e3b5d7c9f1a2e4"
			if err := sec.Set(SecretAPIKey, apiKey); err != nil {
				t.Fatal(err)
			}
			key, created, err := EncryptionKey(sec, DatabaseExists(dir))
			if err != nil || !created {
				t.Fatal(err, created)
			}
			s := diskStore(t, dir, key)
			password := "correct-horse-battery-staple-7731"
			credential := "buyer.mailbox@example.com:" + password
			code, sms := "918273", "Your verification code is 918273. Do not share it."
			sp, err := s.BeginAdd(client.AddRequest{Service: 2, Quantity: 1, Link: "https://secret-link.example/" + password}, "Gmail", client.MustDecimal("25.00"))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.MarkPlaced(sp.ID, 4242); err != nil {
				t.Fatal(err)
			}
			if _, err := s.RecordOrderStatus(4242, client.OrderStatus{Status: client.StatusCompleted, Accounts: []string{credential}}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.RecordSMSCode(77, client.SMSCode{Status: "completed", Code: code, SMSContent: sms}); err != nil {
				t.Fatal(err)
			}
			// A value big enough for the value log, and a catalog for the tables.
			big := bytes.Repeat([]byte(password), (2<<20)/len(password))
			if err := s.PutImage("https://x/big.png", big[:1<<20], "image/png"); err != nil {
				t.Fatal(err)
			}
			rows := genServices(2000, 0)
			rows[7].Description = "marker " + password
			if _, err := s.SaveServices("en", time.Time{}, rows); err != nil {
				t.Fatal(err)
			}
			needles := map[string][]byte{
				"password":    []byte(password),
				"API key":     []byte(apiKey),
				"SMS text":    []byte(sms),
				"db key":      key,
				"db key text": []byte(fmt.Sprintf("%x", key)),
			}
			check := func(when string) {
				t.Helper()
				for what, n := range needles {
					if hits := grepDir(t, dir, n); len(hits) > 0 {
						t.Errorf("%s: the %s is readable in %v", when, what, hits)
					}
				}
			}
			check("store open")
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			check("store closed")
			// And the data is really there.
			s = diskStore(t, dir, key)
			defer s.Close()
			ds, err := s.Deliveries(4242)
			if err != nil || len(ds) != 1 || ds[0].Value != credential {
				t.Fatalf("%v %v", ds, err)
			}
			if got, _ := sec.Get(SecretAPIKey); got != apiKey {
				t.Fatal("API key lost")
			}
		})
	}
}

// TestOpenAfterKillDuringVlogCreation: a kill between the creation of a value log (or memtable
// log) file and the writing of its header leaves an empty file; Badger alone refuses to open such a
// directory once (found by TestCrashSafety).
func TestOpenAfterKillDuringVlogCreation(t *testing.T) {
	for _, name := range []string{"000009.vlog", "00009.mem"} {
		t.Run(name, func(t *testing.T) { testOpenWithEmptyLog(t, name) })
	}
}

func testOpenWithEmptyLog(t *testing.T, name string) {
	dir := t.TempDir()
	key := testKey(t)
	s := diskStore(t, dir, key)
	if _, _, err := s.AddDeliveries(1, DeliveryAccount, "a:b"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(DBDir(dir), name), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s = diskStore(t, dir, key)
	defer s.Close()
	if ds, err := s.Deliveries(1); err != nil || len(ds) != 1 {
		t.Fatalf("%v %v", ds, err)
	}
}
