// Package cache is the app's local store: offline catalog snapshots, the journal of spending calls,
// the orders and SMS numbers with their status history, the vault of delivered credentials and SMS
// codes with the notification marks, balance history and cached product images. It sits on Badger
// v4, encrypted at rest; its secrets (the API key and the database key) live in the OS keyring
// (secrets.go).
//
// Layout of a data directory:
//
//	<dataDir>/db/             the Badger database (encrypted: AES-256, key from Secrets)
//	<dataDir>/instance.lock   the single-instance lock (instance.go)
//	<dataDir>/instance.addr   where the running instance listens to be brought forward
//	<dataDir>/secrets.json    the secrets, only where no OS keyring answers (secrets.go)
//	<dataDir>/store-id        a random, non-secret id naming this directory's keyring entries
//
// Writes that matter (the journal, the vault, the notification marks) are synced to disk before the
// method returns: the database is opened with SyncWrites.
//
// All of it is private to the user: files 0600, directories 0700 (see perms.go: main calls
// PrivateFiles first thing, and Open and Close tighten what is already on disk).
package cache

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// SchemaVersion is the version of the key layout and record formats this code writes. A database
// with an older version is migrated on Open (see migrations); one with a newer version is refused
// with ErrSchemaTooNew and left untouched.
const SchemaVersion = 1

// migration upgrades a database from schema version From to From+1. It runs inside Open, before
// anything else touches the data, and must be idempotent: a crash in the middle runs it again.
type migration struct {
	From  int
	Name  string
	Apply func(s *Store) error
}

// migrations is the migration path, one entry per version step. Version 1 is the first layout.
var migrations []migration

// currentSchema is SchemaVersion; tests move it to exercise the migration path.
var currentSchema = SchemaVersion

// Defaults sized for a desktop app.
const (
	DefaultBlockCacheSize  = 16 << 20
	DefaultIndexCacheSize  = 8 << 20
	DefaultMemTableSize    = 8 << 20
	DefaultGCInterval      = 10 * time.Minute
	DefaultImageCacheBytes = 64 << 20
	DefaultSMSLifetime     = 20 * time.Minute
	// EncryptionKeySize is the size of the database key: AES-256.
	EncryptionKeySize = 32
)

// Options tune the store. The zero value is usable except for EncryptionKey, which Open requires.
type Options struct {
	// EncryptionKey is the 32-byte AES key of the database (see EncryptionKey). Required by Open.
	EncryptionKey []byte
	// BlockCacheSize and IndexCacheSize bound Badger's caches (defaults 16 MiB and 8 MiB).
	BlockCacheSize int64
	IndexCacheSize int64
	// MemTableSize is Badger's memtable size (default 8 MiB; Badger's own default is 64 MiB).
	MemTableSize int64
	// GCInterval is how often the value log is garbage collected (default 10 minutes; negative
	// disables the ticker — RunGC still works).
	GCInterval time.Duration
	// ImageCacheBytes caps the image cache (default 64 MiB); least recently used images go first.
	ImageCacheBytes int64
	// SMSLifetime is how long after it was placed an SMS number without a known expiry counts as
	// open (default 20 minutes).
	SMSLifetime time.Duration
	// Logf receives Badger's warnings and errors and the store's own notes. Nil discards them.
	// Nothing secret is ever passed to it.
	Logf func(format string, args ...any)
	// Now is the clock (default time.Now); tests set it.
	Now func() time.Time
	// OnMigrate, when set, is called before each migration step (e.g. to log it or to offer a
	// backup). Returning an error stops Open; nothing is changed.
	OnMigrate func(from, to int) error
}

func (o *Options) fill() {
	if o.BlockCacheSize <= 0 {
		o.BlockCacheSize = DefaultBlockCacheSize
	}
	if o.IndexCacheSize <= 0 {
		o.IndexCacheSize = DefaultIndexCacheSize
	}
	if o.MemTableSize <= 0 {
		o.MemTableSize = DefaultMemTableSize
	}
	if o.GCInterval == 0 {
		o.GCInterval = DefaultGCInterval
	}
	if o.ImageCacheBytes <= 0 {
		o.ImageCacheBytes = DefaultImageCacheBytes
	}
	if o.SMSLifetime <= 0 {
		o.SMSLifetime = DefaultSMSLifetime
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logf == nil {
		o.Logf = func(string, ...any) {}
	}
}

// Store is the open local store. Its methods are safe for concurrent use.
type Store struct {
	db       *badger.DB
	opts     Options
	inMemory bool
	dataDir  string // "" in memory

	// life guards the db against Close: every method holds it for reading.
	life   sync.RWMutex
	closed bool

	// wmu serializes the small read-modify-write transactions (journal, vault, events, counters),
	// so that they never conflict with each other.
	wmu sync.Mutex
	// snapMu serializes snapshot saves (one at a time: each is big).
	snapMu sync.Mutex
	// imgMu guards the image index.
	imgMu  sync.Mutex
	images *imageIndex

	done      chan struct{}
	bgMu      sync.Mutex
	closing   bool
	bg        sync.WaitGroup
	closeOnce sync.Once
	closeErr  error
	// gcRuns counts the ticks gcLoop has handled (a RunGC each); tests read it.
	gcRuns atomic.Int64

	recovered int
}

// DBDir is where the Badger database of a data directory lives.
func DBDir(dataDir string) string { return filepath.Join(dataDir, "db") }

// DatabaseExists reports whether dataDir already holds a database (then its encryption key must
// exist: see EncryptionKey).
func DatabaseExists(dataDir string) bool {
	entries, err := os.ReadDir(DBDir(dataDir))
	if err != nil {
		return false
	}
	for _, e := range entries {
		switch n := e.Name(); {
		case n == "KEYREGISTRY", n == "MANIFEST", filepath.Ext(n) == ".sst", filepath.Ext(n) == ".vlog", filepath.Ext(n) == ".mem":
			return true
		}
	}
	return false
}

// MoveAside renames the database of dataDir out of the way (to db.unreadable-<time>) so that a new
// one can be created, and returns the new name. It is the "start afresh" answer to ErrWrongKey:
// nothing is deleted, and the old database can be opened again if its key turns up. The store
// must not be open.
func MoveAside(dataDir string) (string, error) {
	src := DBDir(dataDir)
	dst := filepath.Join(dataDir, "db.unreadable-"+time.Now().UTC().Format("20060102-150405"))
	for i := 1; ; i++ {
		if _, err := os.Lstat(dst); errors.Is(err, os.ErrNotExist) {
			break
		}
		dst = filepath.Join(dataDir, fmt.Sprintf("db.unreadable-%s-%d", time.Now().UTC().Format("20060102-150405"), i))
	}
	if err := os.Rename(src, dst); err != nil {
		return "", fmt.Errorf("cache: moving the database aside: %w", err)
	}
	return dst, nil
}

// Open opens (or creates) the encrypted store of dataDir (the database itself is in DBDir).
//
// Errors: ErrLocked when another process has the database open; ErrWrongKey when
// opts.EncryptionKey is missing or is not the database's key (nothing is changed; the caller
// offers a choice: find the key, or MoveAside and start afresh); ErrSchemaTooNew.
func Open(dataDir string, opts Options) (*Store, error) {
	opts.fill()
	if len(opts.EncryptionKey) != EncryptionKeySize {
		return nil, fmt.Errorf("%w: need a %d-byte key, have %d bytes", ErrWrongKey, EncryptionKeySize, len(opts.EncryptionKey))
	}
	dir := DBDir(dataDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	// Badger creates its files 0666 less the umask (0644 unless main called PrivateFiles): the
	// modes of what is already there are tightened once Badger has opened (and again at Close).
	_ = os.Chmod(dir, privateDirMode)
	bo := badger.DefaultOptions(dir).
		WithEncryptionKey(opts.EncryptionKey).
		WithSyncWrites(true).
		WithBlockCacheSize(opts.BlockCacheSize).
		WithIndexCacheSize(opts.IndexCacheSize).
		WithMemTableSize(opts.MemTableSize).
		WithNumMemtables(3).
		WithNumLevelZeroTables(3).
		WithNumLevelZeroTablesStall(8).
		WithNumCompactors(2).
		WithValueLogFileSize(64 << 20).
		WithMetricsEnabled(false).
		WithLogger(badgerLogger{opts.Logf})
	db, err := openBadger(bo)
	for try := 0; try < 2 && isBadgerNewFileError(err); try++ {
		// A kill between the creation of a value log file and the writing of its header leaves
		// an empty file that makes Badger's first Open fail — after it has written the header.
		// The next Open succeeds (TestOpenAfterKillDuringVlogCreation).
		opts.Logf("cache: %s: a log file left empty by a crash was repaired; reopening", dir)
		db, err = openBadger(bo)
	}
	switch {
	case err == nil:
	case isBadgerLockError(err):
		return nil, fmt.Errorf("%w (%s)", ErrLocked, dataDir)
	case isBadgerKeyError(err):
		return nil, fmt.Errorf("%w: the database in %s was written with another key; nothing was changed", ErrWrongKey, dir)
	default:
		return nil, fmt.Errorf("cache: opening %s: %w", dir, err)
	}
	if err := MakePrivate(dataDir); err != nil {
		opts.Logf("cache: making %s private: %v", dataDir, err)
	}
	st, err := newStore(db, opts, false)
	if err != nil {
		return nil, err
	}
	st.dataDir = dataDir
	return st, nil
}

// OpenInMemory opens an unencrypted store that lives in memory only, for tests and demos.
func OpenInMemory(opts Options) (*Store, error) {
	opts.fill()
	opts.GCInterval = -1
	bo := badger.DefaultOptions("").
		WithInMemory(true).
		WithBlockCacheSize(opts.BlockCacheSize).
		WithMemTableSize(opts.MemTableSize).
		WithNumCompactors(2).
		WithMetricsEnabled(false).
		WithLogger(badgerLogger{opts.Logf})
	db, err := openBadger(bo)
	if err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	return newStore(db, opts, true)
}

// openBadger turns a panic inside Badger (it has a few on damaged files) into an error.
func openBadger(bo badger.Options) (db *badger.DB, err error) {
	defer func() {
		if r := recover(); r != nil {
			db, err = nil, fmt.Errorf("badger panicked while opening: %v", r)
		}
	}()
	return badger.Open(bo)
}

func newStore(db *badger.DB, opts Options, inMemory bool) (*Store, error) {
	s := &Store{db: db, opts: opts, inMemory: inMemory, done: make(chan struct{})}
	if err := s.migrate(); err != nil {
		_ = db.Close()
		return nil, err
	}
	n, err := s.recoverInterrupted()
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	s.recovered = n
	s.goBackground(func() {
		if err := s.sweepOrphanGenerations(); err != nil {
			s.logf("cache: sweeping old snapshot rows: %v", err)
		}
	})
	if !inMemory && opts.GCInterval > 0 {
		s.goBackground(func() { s.gcLoop(opts.GCInterval) })
	}
	return s, nil
}

// goBackground runs fn in a goroutine that Close waits for; once Close has begun it does nothing
// (what fn would have cleaned is swept at the next Open).
func (s *Store) goBackground(fn func()) {
	s.bgMu.Lock()
	defer s.bgMu.Unlock()
	if s.closing {
		return
	}
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		fn()
	}()
}

// Recovered is the number of journal entries found in state "sending" when the store was opened
// (the app had stopped while sending them) and moved to "unconfirmed".
func (s *Store) Recovered() int { return s.recovered }

// Close stops the background work and closes the database cleanly. It is safe to call twice.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.bgMu.Lock()
		s.closing = true
		s.bgMu.Unlock()
		close(s.done)
		s.bg.Wait()
		s.life.Lock()
		defer s.life.Unlock()
		s.closed = true
		s.flushImageAccess()
		s.closeErr = s.db.Close()
		if s.dataDir != "" {
			// The files Badger created during the session (0644 unless PrivateFiles was called).
			if err := MakePrivate(s.dataDir); err != nil {
				s.logf("cache: making %s private: %v", s.dataDir, err)
			}
		}
	})
	return s.closeErr
}

// enter guards a method against a concurrent Close; the caller defers s.life.RUnlock().
func (s *Store) enter() error {
	s.life.RLock()
	if s.closed {
		s.life.RUnlock()
		return ErrClosed
	}
	return nil
}

func (s *Store) now() time.Time { return s.opts.Now() }

func (s *Store) logf(format string, args ...any) {
	if s.opts.Logf != nil {
		s.opts.Logf(format, args...)
	}
}

func (s *Store) gcLoop(every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-s.done:
			return
		case <-t.C:
			if err := s.RunGC(); err != nil && !errors.Is(err, ErrClosed) {
				s.logf("cache: value log GC: %v", err)
			}
			s.gcRuns.Add(1)
		}
	}
}

// RunGC garbage-collects the value log until Badger has nothing more to rewrite. The ticker calls
// it every Options.GCInterval.
func (s *Store) RunGC() error {
	if err := s.enter(); err != nil {
		return err
	}
	defer s.life.RUnlock()
	if s.inMemory {
		return nil
	}
	for i := 0; i < 64; i++ {
		select {
		case <-s.done:
			return nil
		default:
		}
		err := s.db.RunValueLogGC(0.5)
		if errors.Is(err, badger.ErrNoRewrite) || errors.Is(err, badger.ErrRejected) {
			return nil
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// Size returns the on-disk size of the LSM tree and of the value log (as Badger last measured it).
func (s *Store) Size() (lsm, vlog int64) {
	if err := s.enter(); err != nil {
		return 0, 0
	}
	defer s.life.RUnlock()
	return s.db.Size()
}

// ---- schema ----

const metaSchema = "schema"

func (s *Store) schemaVersion() (int, bool, error) {
	var v int
	var found bool
	err := s.db.View(func(txn *badger.Txn) error {
		it, err := txn.Get(metaKey(metaSchema))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		found = true
		return it.Value(func(b []byte) error { return json.Unmarshal(b, &v) })
	})
	return v, found, err
}

func (s *Store) setSchemaVersion(v int) error {
	return s.db.Update(func(txn *badger.Txn) error { return setJSON(txn, metaKey(metaSchema), v) })
}

// SchemaVersionOnDisk returns the schema version recorded in the database.
func (s *Store) SchemaVersionOnDisk() (int, error) {
	if err := s.enter(); err != nil {
		return 0, err
	}
	defer s.life.RUnlock()
	v, _, err := s.schemaVersion()
	return v, err
}

func (s *Store) migrate() error {
	v, found, err := s.schemaVersion()
	if err != nil {
		return fmt.Errorf("cache: reading the schema version: %w", err)
	}
	if !found {
		// A new database (the schema key is the first thing written).
		return s.setSchemaVersion(currentSchema)
	}
	if v > currentSchema {
		return fmt.Errorf("%w (database version %d, this app knows %d)", ErrSchemaTooNew, v, currentSchema)
	}
	for v < currentSchema {
		var step *migration
		for i := range migrations {
			if migrations[i].From == v {
				step = &migrations[i]
				break
			}
		}
		if step == nil {
			return fmt.Errorf("cache: no migration from schema version %d", v)
		}
		if s.opts.OnMigrate != nil {
			if err := s.opts.OnMigrate(v, v+1); err != nil {
				return fmt.Errorf("cache: migration %d→%d refused: %w", v, v+1, err)
			}
		}
		s.logf("cache: migrating the database from version %d to %d (%s)", v, v+1, step.Name)
		if err := step.Apply(s); err != nil {
			return fmt.Errorf("cache: migration %d→%d (%s): %w", v, v+1, step.Name, err)
		}
		v++
		if err := s.setSchemaVersion(v); err != nil {
			return err
		}
	}
	return nil
}

// ---- small helpers ----

func getJSON(txn *badger.Txn, key []byte, v any) error {
	it, err := txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	return it.Value(func(b []byte) error {
		if err := json.Unmarshal(b, v); err != nil {
			return fmt.Errorf("%w: %v", ErrCorrupt, err)
		}
		return nil
	})
}

func setJSON(txn *badger.Txn, key []byte, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return txn.Set(key, b)
}

// nextSeq returns the next value of the named counter (1, 2, …) inside txn. Each counter has one
// writer lock: "gen" is taken under s.snapMu, the others under s.wmu.
func nextSeq(txn *badger.Txn, name string) (uint64, error) {
	k := metaKey("seq/" + name)
	var n uint64
	it, err := txn.Get(k)
	switch {
	case errors.Is(err, badger.ErrKeyNotFound):
	case err != nil:
		return 0, err
	default:
		if err := it.Value(func(b []byte) error {
			if len(b) != 8 {
				return fmt.Errorf("%w: counter %s", ErrCorrupt, name)
			}
			n = keyU64(b, 0)
			return nil
		}); err != nil {
			return 0, err
		}
	}
	n++
	return n, txn.Set(k, u64b(n))
}

// update runs fn in a read-write transaction under s.wmu. With SyncWrites the commit is on disk
// when it returns.
func (s *Store) update(fn func(txn *badger.Txn) error) error {
	if err := s.enter(); err != nil {
		return err
	}
	defer s.life.RUnlock()
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return s.db.Update(fn)
}

func (s *Store) view(fn func(txn *badger.Txn) error) error {
	if err := s.enter(); err != nil {
		return err
	}
	defer s.life.RUnlock()
	return s.db.View(fn)
}

// badgerLogger passes Badger's warnings and errors to Options.Logf and drops the chatter.
type badgerLogger struct{ f func(string, ...any) }

func (l badgerLogger) Errorf(f string, a ...any) {
	if l.f != nil {
		l.f("badger: "+f, a...)
	}
}
func (l badgerLogger) Warningf(f string, a ...any) {
	if l.f != nil {
		l.f("badger: "+f, a...)
	}
}
func (badgerLogger) Infof(string, ...any)  {}
func (badgerLogger) Debugf(string, ...any) {}

func jsonUnmarshal(b []byte, v any) error {
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	return nil
}
