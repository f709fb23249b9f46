package cache

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hstockplus/hstockplus/client"
)

func memStore(t testing.TB) *Store {
	t.Helper()
	s, err := OpenInMemory(Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func testKey(t testing.TB) []byte {
	t.Helper()
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		t.Fatal(err)
	}
	return k
}

func diskStore(t testing.TB, dir string, key []byte) *Store {
	t.Helper()
	s, err := Open(dir, Options{EncryptionKey: key, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var platforms = []string{"Instagram", "TikTok", "YouTube", "Facebook", "Twitter", "Telegram", "Spotify", "Twitch", "Discord", "Reddit"}
var what = []string{"Followers", "Likes", "Views", "Comments", "Shares", "Subscribers", "Members", "Plays", "Saves", "Impressions"}
var flavours = []string{"[Real]", "[HQ]", "[Max 100K]", "[Refill 30D]", "[No Drop]", "[Instant]", "[Non Drop] [Lifetime]", "[Fast] [1K/Day]"}

// genServices makes n realistic catalog rows: SMM services and, one in four, marketplace products
// with descriptions and image URLs. variant shifts prices and stock so that two variants differ.
func genServices(n int, variant int) []client.Service {
	rows := make([]client.Service, n)
	for i := range rows {
		p := platforms[i%len(platforms)]
		w := what[(i/len(platforms))%len(what)]
		f := flavours[i%len(flavours)]
		s := client.Service{
			ID:           fmt.Sprintf("%024x", 0x507f1f77bcf86cd7+i),
			Service:      int64(i + 1),
			Name:         fmt.Sprintf("%s %s %s #%d", p, w, f, i+1),
			Type:         "Default",
			Category:     p,
			Subcategory:  w,
			Rate:         client.MustDecimal(fmt.Sprintf("%d.%04d", (i+variant)%50, (i*37+variant)%10000)),
			Min:          10,
			Max:          int64(10000 + i%90000),
			Stock:        int64((i + variant) % 7 * 1000),
			Refill:       i%3 == 0,
			Cancel:       i%5 == 0,
			EntityType:   client.EntitySMM,
			AutoDelivery: i%11 != 0,
		}
		if i%4 == 3 {
			s.EntityType = client.EntityProduct
			s.Category = "Accounts-" + p
			s.Description = fmt.Sprintf("Verified %s account, aged %d months, with recovery e-mail and phone. Delivered as login:password within minutes. Warranty 24h.", p, i%48+1)
			s.ImageURL = fmt.Sprintf("https://hstockplus.com/uploads/products/%s-%d.webp", p, i)
		}
		if i%17 == 0 {
			s.Type = "Custom Comments"
		}
		rows[i] = s
	}
	return rows
}

// grepDir reports the files under dir whose bytes contain needle.
func grepDir(t testing.TB, dir string, needle []byte) []string {
	t.Helper()
	var hits []string
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if bytes.Contains(b, needle) {
			hits = append(hits, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return hits
}

func fixedClock(start time.Time) (func() time.Time, func(time.Duration)) {
	now := start
	return func() time.Time { return now }, func(d time.Duration) { now = now.Add(d) }
}
