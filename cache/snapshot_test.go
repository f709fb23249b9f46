package cache

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/hstockplus/hstockplus/client"
)

func TestSnapshotSaveLoad(t *testing.T) {
	s := memStore(t)
	if _, _, err := s.Services("en"); !errors.Is(err, ErrNoSnapshot) {
		t.Fatalf("empty store: %v, want ErrNoSnapshot", err)
	}
	rows := genServices(3000, 0)
	fetched := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	info, err := s.SaveServices("", fetched, rows)
	if err != nil {
		t.Fatal(err)
	}
	if !info.Changed || info.Rows != 3000 || info.Lang != "en" || info.Gen == 0 {
		t.Fatalf("info %+v", info)
	}
	got, li, err := s.Services("en")
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != fmt.Sprint(rows) {
		t.Fatal("loaded rows differ")
	}
	if !li.FetchedAt.Equal(fetched) || li.Gen != info.Gen {
		t.Fatalf("load info %+v", li)
	}
	// "jp" is "ja"; languages are separate snapshots; products are separate from services.
	if _, err := s.SaveServices("jp", fetched, rows[:10]); err != nil {
		t.Fatal(err)
	}
	if ja, _, err := s.Services("ja"); err != nil || len(ja) != 10 {
		t.Fatalf("ja: %d rows, %v", len(ja), err)
	}
	if _, _, err := s.Products("en"); !errors.Is(err, ErrNoSnapshot) {
		t.Fatalf("products: %v", err)
	}

	// The same rows again: no new generation, only the fetch time moves.
	later := fetched.Add(time.Hour)
	again, err := s.SaveServices("en", later, rows)
	if err != nil {
		t.Fatal(err)
	}
	if again.Changed || again.Gen != info.Gen || !again.FetchedAt.Equal(later) {
		t.Fatalf("unchanged save: %+v", again)
	}

	// The other kinds.
	cats := []client.Category{{Category: "Instagram", Subcategories: []string{"Followers", "Likes"}}, {Category: "Empty"}}
	shops := []client.Shop{{ID: "s1", Name: "Sh***1", ProductCount: 4, Rating: 4.5, ReviewCount: 10}}
	countries := []client.SMSCountry{{Code: "us", Name: "United States"}}
	projects := []client.SMSProject{{ProjectID: "p1", Name: "OpenAI", Price: client.MustDecimal("0.5000"), CountryID: "us", CountryTitle: "United States"}}
	if _, err := s.SaveCategories("ru", fetched, cats); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveShops(fetched, shops); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveSMSCountries("en", fetched, countries); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveSMSProjects("en", "US", fetched, projects); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveProducts("en", fetched, rows[:5]); err != nil {
		t.Fatal(err)
	}
	if v, _, err := s.Categories("ru"); err != nil || fmt.Sprintf("%#v", v) != fmt.Sprintf("%#v", cats) {
		t.Fatalf("categories %#v %v", v, err)
	}
	if v, _, err := s.Shops(); err != nil || fmt.Sprintf("%#v", v) != fmt.Sprintf("%#v", shops) {
		t.Fatalf("shops %#v %v", v, err)
	}
	if v, _, err := s.SMSCountries("en"); err != nil || fmt.Sprintf("%#v", v) != fmt.Sprintf("%#v", countries) {
		t.Fatalf("countries %#v %v", v, err)
	}
	if v, _, err := s.SMSProjects("en", "us"); err != nil || v[0].Price.String() != "0.5000" {
		t.Fatalf("projects %#v %v", v, err)
	}
	if _, _, err := s.SMSProjects("en", ""); !errors.Is(err, ErrNoSnapshot) {
		t.Fatalf("projects of all countries: %v", err)
	}
	if v, _, err := s.Products("en"); err != nil || len(v) != 5 {
		t.Fatalf("products %d %v", len(v), err)
	}
	list, err := s.Snapshots()
	if err != nil || len(list) != 7 {
		t.Fatalf("%d snapshots, %v", len(list), err)
	}
	if info, err := s.Snapshot(KindSMSProjects, "en", "us"); err != nil || info.Rows != 1 {
		t.Fatalf("%+v %v", info, err)
	}
	// An empty list is a valid snapshot.
	if _, err := s.SaveShops(fetched, nil); err != nil {
		t.Fatal(err)
	}
	if v, info, err := s.Shops(); err != nil || len(v) != 0 || info.Rows != 0 {
		t.Fatalf("empty shops: %v %+v %v", v, info, err)
	}
}

func countRowKeys(t *testing.T, s *Store) map[uint64]int {
	t.Helper()
	gens := map[uint64]int{}
	err := s.db.View(func(txn *badger.Txn) error {
		o := badger.DefaultIteratorOptions
		o.PrefetchValues = false
		o.Prefix = []byte{pfxSnapRows}
		it := txn.NewIterator(o)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			gens[keyU64(it.Item().Key(), 1)]++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return gens
}

func TestSnapshotOldGenerationsDeleted(t *testing.T) {
	s := memStore(t)
	var gens []uint64
	for v := 0; v < 4; v++ {
		info, err := s.SaveServices("en", time.Time{}, genServices(2000, v))
		if err != nil {
			t.Fatal(err)
		}
		gens = append(gens, info.Gen)
	}
	waitFor(t, func() bool { return len(countRowKeys(t, s)) == 2 })
	live := countRowKeys(t, s)
	if live[gens[2]] == 0 || live[gens[3]] == 0 {
		t.Fatalf("live generations %v, want %d and %d", live, gens[2], gens[3])
	}
}

func TestSnapshotOrphansSweptOnOpen(t *testing.T) {
	dir := t.TempDir()
	key := testKey(t)
	s := diskStore(t, dir, key)
	if _, err := s.SaveServices("en", time.Time{}, genServices(1000, 0)); err != nil {
		t.Fatal(err)
	}
	// What a crash between writing the rows and flipping the pointer leaves: rows of a generation
	// nobody points to.
	if err := s.db.Update(func(txn *badger.Txn) error {
		gen, err := nextSeq(txn, "gen")
		if err != nil {
			return err
		}
		for i, ch := range encodeChunks(servicesCodec, genServices(500, 1)) {
			if err := txn.Set(rowsKey(gen, i), ch); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n := len(countRowKeys(t, s)); n != 2 {
		t.Fatalf("%d generations before reopening", n)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = diskStore(t, dir, key)
	defer s.Close()
	waitFor(t, func() bool { return len(countRowKeys(t, s)) == 1 })
	if rows, _, err := s.Services("en"); err != nil || len(rows) != 1000 {
		t.Fatalf("%d rows, %v", len(rows), err)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 10s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestSnapshotAtomicity races readers against a writer that alternates two different catalogs:
// every load must be entirely one or entirely the other.
func TestSnapshotAtomicity(t *testing.T) {
	dir := t.TempDir()
	s := diskStore(t, dir, testKey(t))
	defer s.Close()
	n := 20_000
	if testing.Short() {
		n = 5000
	}
	mk := func(tag string, count int) []client.Service {
		rows := genServices(count, 0)
		for i := range rows {
			rows[i].Name = tag + rows[i].Name
			rows[i].Rate = client.MustDecimal(map[string]string{"A:": "1.00", "B:": "2.00"}[tag])
		}
		return rows
	}
	a, b := mk("A:", n), mk("B:", n+123)
	if _, err := s.SaveServices("en", time.Time{}, a); err != nil {
		t.Fatal(err)
	}
	var stop atomic.Bool
	var loads, writes atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for r := 0; r < 2; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				rows, info, err := s.Services("en")
				if err != nil {
					errs <- err
					return
				}
				if len(rows) != info.Rows || (len(rows) != n && len(rows) != n+123) {
					errs <- fmt.Errorf("a load has %d rows (info %d)", len(rows), info.Rows)
					return
				}
				tag, rate := rows[0].Name[:2], rows[0].Rate.String()
				for i := range rows {
					if !strings.HasPrefix(rows[i].Name, tag) || rows[i].Rate.String() != rate {
						errs <- fmt.Errorf("mixed snapshot: row 0 is %q, row %d is %q", rows[0].Name, i, rows[i].Name)
						return
					}
				}
				if (tag == "A:") != (len(rows) == n) {
					errs <- fmt.Errorf("snapshot %s with %d rows", tag, len(rows))
					return
				}
				loads.Add(1)
			}
		}()
	}
	deadline := time.Now().Add(3 * time.Second)
	for i := 0; time.Now().Before(deadline) || i < 6; i++ {
		rows := a
		if i%2 == 0 {
			rows = b
		}
		if _, err := s.SaveServices("en", time.Time{}, rows); err != nil {
			t.Fatal(err)
		}
		writes.Add(1)
	}
	stop.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	t.Logf("%d saves, %d consistent loads", writes.Load(), loads.Load())
	if loads.Load() == 0 {
		t.Fatal("no load completed")
	}
}

func TestDiff(t *testing.T) {
	s := memStore(t)
	if _, err := s.DiffServices("en"); !errors.Is(err, ErrNoSnapshot) {
		t.Fatalf("diff of nothing: %v", err)
	}
	svc := func(n int64, rate string, stock int64) client.Service {
		return client.Service{Service: n, Name: fmt.Sprint("svc ", n), Rate: client.MustDecimal(rate), Stock: stock}
	}
	old := []client.Service{
		svc(1, "1.00", 10), // unchanged
		svc(2, "1.00", 10), // price up
		svc(3, "1.00", 10), // price down
		svc(4, "1.00", 0),  // back in stock
		svc(5, "1.00", 10), // sold out
		svc(6, "1.00", 10), // removed
		svc(7, "0.50", 10), // same price, other scale: no change
		svc(8, "2.00", 0),  // price down and back in stock
		{ID: "abc", Name: "no number", Rate: client.MustDecimal("3"), Stock: 1}, // matched by id
	}
	if _, err := s.SaveServices("en", time.Time{}, old); err != nil {
		t.Fatal(err)
	}
	d, err := s.DiffServices("en")
	if err != nil || !d.Empty() || d.From.Gen != 0 || d.To.Gen == 0 {
		t.Fatalf("first snapshot: %+v %v", d, err)
	}
	cur := []client.Service{
		svc(1, "1.00", 10),
		svc(2, "1.50", 10),
		svc(3, "0.90", 10),
		svc(4, "1.00", 5),
		svc(5, "1.00", 0),
		svc(7, "0.5000", 10),
		svc(8, "1.00", 3),
		svc(9, "1.00", 1), // added
		{ID: "abc", Name: "no number", Rate: client.MustDecimal("3"), Stock: 1},
	}
	if _, err := s.SaveServices("en", time.Time{}, cur); err != nil {
		t.Fatal(err)
	}
	d, err = s.DiffServices("en")
	if err != nil {
		t.Fatal(err)
	}
	ids := func(list []client.Service) []int64 {
		var out []int64
		for _, r := range list {
			out = append(out, r.Service)
		}
		return out
	}
	cids := func(list []Change[client.Service]) []int64 {
		var out []int64
		for _, c := range list {
			if c.Old.Service != c.New.Service {
				t.Fatalf("change pairs %d with %d", c.Old.Service, c.New.Service)
			}
			out = append(out, c.New.Service)
		}
		return out
	}
	check := func(name string, got []int64, want ...int64) {
		t.Helper()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: %v, want %v", name, got, want)
		}
	}
	check("added", ids(d.Added), 9)
	check("removed", ids(d.Removed), 6)
	check("price up", cids(d.PriceUp), 2)
	check("price down", cids(d.PriceDown), 3, 8)
	check("back in stock", cids(d.BackInStock), 4, 8)
	check("sold out", cids(d.SoldOut), 5)
	if d.PriceUp[0].Old.Rate.String() != "1.00" || d.PriceUp[0].New.Rate.String() != "1.50" {
		t.Errorf("price up carries %s → %s", d.PriceUp[0].Old.Rate, d.PriceUp[0].New.Rate)
	}
	if d.From.Gen == 0 || d.To.Gen <= d.From.Gen || d.Empty() {
		t.Errorf("from %d to %d", d.From.Gen, d.To.Gen)
	}

	// Saving the same rows again keeps the diff (the last real change).
	if _, err := s.SaveServices("en", time.Time{}, cur); err != nil {
		t.Fatal(err)
	}
	d2, err := s.DiffServices("en")
	if err != nil || d2.To.Gen != d.To.Gen || len(d2.Added) != 1 {
		t.Fatalf("diff after an unchanged save: %+v %v", d2, err)
	}

	// SMS projects: price by project and country; shops and categories: added/removed.
	p := func(id, c, price string) client.SMSProject {
		return client.SMSProject{ProjectID: id, CountryID: c, Price: client.MustDecimal(price)}
	}
	if _, err := s.SaveSMSProjects("en", "", time.Time{}, []client.SMSProject{p("a", "us", "0.50"), p("a", "de", "0.50"), p("b", "us", "1")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveSMSProjects("en", "", time.Time{}, []client.SMSProject{p("a", "us", "0.40"), p("a", "de", "0.60"), p("c", "us", "1")}); err != nil {
		t.Fatal(err)
	}
	pd, err := s.DiffSMSProjects("en", "")
	if err != nil || len(pd.PriceDown) != 1 || pd.PriceDown[0].New.CountryID != "us" || len(pd.PriceUp) != 1 ||
		len(pd.Added) != 1 || pd.Added[0].ProjectID != "c" || len(pd.Removed) != 1 || pd.Removed[0].ProjectID != "b" {
		t.Fatalf("projects diff %+v %v", pd, err)
	}
	if _, err := s.SaveShops(time.Time{}, []client.Shop{{ID: "1"}, {ID: "2"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveShops(time.Time{}, []client.Shop{{ID: "2"}, {ID: "3"}}); err != nil {
		t.Fatal(err)
	}
	sd, err := s.DiffShops()
	if err != nil || len(sd.Added) != 1 || sd.Added[0].ID != "3" || len(sd.Removed) != 1 || sd.Removed[0].ID != "1" {
		t.Fatalf("shops diff %+v %v", sd, err)
	}
	if _, err := s.SaveCategories("en", time.Time{}, []client.Category{{Category: "A"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveCategories("en", time.Time{}, []client.Category{{Category: "A"}, {Category: "B"}}); err != nil {
		t.Fatal(err)
	}
	if cd, err := s.DiffCategories("en"); err != nil || len(cd.Added) != 1 || len(cd.Removed) != 0 {
		t.Fatalf("categories diff %+v %v", cd, err)
	}
	if _, err := s.SaveSMSCountries("en", time.Time{}, []client.SMSCountry{{Code: "us"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveSMSCountries("en", time.Time{}, nil); err != nil {
		t.Fatal(err)
	}
	if cd, err := s.DiffSMSCountries("en"); err != nil || len(cd.Removed) != 1 {
		t.Fatalf("countries diff %+v %v", cd, err)
	}
	if _, err := s.SaveProducts("en", time.Time{}, []client.Service{svc(1, "1", 1)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveProducts("en", time.Time{}, []client.Service{svc(1, "1", 0)}); err != nil {
		t.Fatal(err)
	}
	if pd, err := s.DiffProducts("en"); err != nil || len(pd.SoldOut) != 1 {
		t.Fatalf("products diff %+v %v", pd, err)
	}
}

func TestDiffDuplicateKeys(t *testing.T) {
	var d Diff[client.Service]
	mk := func(n int64, name string) client.Service {
		return client.Service{Service: n, Name: name, Rate: client.MustDecimal("1")}
	}
	diffRows(&d, []client.Service{mk(1, "a"), mk(1, "b"), mk(2, "c")}, []client.Service{mk(1, "x"), mk(1, "y")}, serviceDiffer)
	if len(d.Added) != 0 || len(d.Removed) != 1 || d.Removed[0].Service != 2 {
		t.Fatalf("%+v", d)
	}
}

// TestInMemoryLargeCatalog: an in-memory store (demo, tests), whose Badger refuses values over
// 1 MiB, saves and reads back a catalogue larger than a chunk of an on-disk store.
func TestInMemoryLargeCatalog(t *testing.T) {
	s := memStore(t)
	rows := genServices(20000, 3)
	if _, err := s.SaveServices("en", time.Time{}, rows); err != nil {
		t.Fatal(err)
	}
	got, _, err := s.Services("en")
	if err != nil || len(got) != len(rows) || got[19999].Name != rows[19999].Name {
		t.Fatalf("%d rows, %v", len(got), err)
	}
}

// TestSavedCataloguesDoNotPileUpOnDisk: saving changed catalogues again and again keeps the
// store's files bounded — the space of the generations replaced is given back. (Chunks large
// enough for Badger's value log were not: each save kept its bytes.)
func TestSavedCataloguesDoNotPileUpOnDisk(t *testing.T) {
	if testing.Short() {
		t.Skip("writes about 120 MB")
	}
	dir := t.TempDir()
	s := diskStore(t, dir, testKey(t))
	defer s.Close()
	var snap int64
	for i := range 14 {
		info, err := s.SaveServices("en", time.Now(), genServices(40000, i))
		if err != nil {
			t.Fatal(err)
		}
		snap = max(snap, info.Bytes)
		time.Sleep(50 * time.Millisecond) // the generation before is deleted in the background
		if err := s.RunGC(); err != nil {
			t.Fatal(err)
		}
	}
	var vlog, sst int64
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch filepath.Ext(p) {
		case ".vlog":
			vlog += info.Size()
		case ".sst":
			sst += info.Size()
		}
		return nil
	})
	// The value log's files are made at twice their size (64 MiB); the tables hold a few
	// generations at most before compaction.
	if vlog > 128<<20+2*snap || sst > 4*snap {
		t.Errorf("after 14 saves of %d bytes: value log %d MiB, tables %d MiB", snap, vlog>>20, sst>>20)
	}
}
