package gui

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/hstockplus/hstockplus/account/accounttest"
	"github.com/hstockplus/hstockplus/client"
	"github.com/hstockplus/hstockplus/client/sandbox"
)

func sampleRows() []client.Service {
	d := client.MustDecimal
	return []client.Service{
		{Service: 3, Name: "Instagram Followers", Category: "Instagram", Subcategory: "Followers", Rate: d("0.50"), Stock: 100, Refill: true, AutoDelivery: true, EntityType: client.EntitySMM},
		{Service: 1, Name: "Café Likes", Category: "Instagram", Subcategory: "Likes", Rate: d("1.2500"), Stock: 0, AutoDelivery: true, EntityType: client.EntitySMM},
		{Service: 2, Name: "Gmail Account - USA", Category: "Accounts-Email", Subcategory: "Gmail", Rate: d("25.00"), Stock: 50, AutoDelivery: false, EntityType: client.EntityProduct, Description: "Verified with recovery"},
		{Service: 10, Name: "Подписчики Telegram", Category: "Telegram", Subcategory: "Members", Rate: d("0.0396"), Stock: 7, AutoDelivery: true, EntityType: client.EntitySMM},
		{Service: 11, Name: "フォロワー", Category: "TikTok", Subcategory: "Followers", Rate: d("2.00"), Stock: 9, AutoDelivery: true, EntityType: client.EntitySMM},
		{Service: 12, Name: "متابعين انستغرام", Category: "Instagram", Subcategory: "Followers", Rate: d("0.75"), Stock: 9, AutoDelivery: true, EntityType: client.EntitySMM},
		{Service: 13, Name: "粉丝 抖音", Category: "TikTok", Subcategory: "Followers", Rate: d("0.10"), Stock: 1, AutoDelivery: true, EntityType: client.EntitySMM},
	}
}

func numbers(ix *catalogIndex, got []int32) []int64 {
	var out []int64
	for _, i := range got {
		out = append(out, ix.rows[i].Service)
	}
	return out
}

func TestCatalogIndexSearchAnyLanguage(t *testing.T) {
	ix := buildCatalogIndex(sampleRows())
	cases := map[string][]int64{
		"":              {1, 2, 3, 10, 11, 12, 13},
		"INSTAGRAM":     {1, 3, 12},
		"cafe":          {1},  // accent-insensitive
		"CAFÉ likes":    {1},  // every word must match
		"подписчики":    {10}, // Cyrillic, case-folded
		"ПОДПИСЧИКИ":    {10},
		"フォロワー":         {11},
		"ﾌｫﾛﾜｰ":         {11}, // half-width katakana folds to full width
		"متابعين":       {12},
		"抖音":            {13},
		"recovery":      {2}, // description
		"accounts-e":    {2}, // category
		"10":            {10},
		"gmail nothing": nil,
	}
	for q, want := range cases {
		got := numbers(ix, ix.filter(catalogFilter{Text: q}, nil))
		if !slices.Equal(got, want) {
			t.Errorf("search %q = %v, want %v", q, got, want)
		}
	}
}

func TestCatalogIndexFiltersAndSort(t *testing.T) {
	ix := buildCatalogIndex(sampleRows())
	d := func(s string) *client.Decimal { v := client.MustDecimal(s); return &v }
	cases := []struct {
		name string
		f    catalogFilter
		want []int64
	}{
		{"category", catalogFilter{Category: "Instagram"}, []int64{1, 3, 12}},
		{"subcategory", catalogFilter{Category: "Instagram", Subcategory: "Followers"}, []int64{3, 12}},
		{"products", catalogFilter{Kind: client.EntityProduct}, []int64{2}},
		{"smm", catalogFilter{Kind: client.EntitySMM, Category: "Accounts-Email"}, nil},
		{"in stock", catalogFilter{InStock: true, Category: "Instagram"}, []int64{3, 12}},
		{"auto only", catalogFilter{AutoOnly: true, Category: "Accounts-Email"}, nil},
		{"refill", catalogFilter{RefillOnly: true}, []int64{3}},
		{"favourites", catalogFilter{FavOnly: true, Favourites: map[int64]bool{2: true, 11: true}}, []int64{2, 11}},
		// Prices compare per unit: an SMM rate is per 1000.
		{"price range", catalogFilter{MinPrice: d("0.0005"), MaxPrice: d("0.00125")}, []int64{1, 3, 12}},
		{"price exact bounds 4 places", catalogFilter{MinPrice: d("0.0000396"), MaxPrice: d("0.0000396")}, []int64{10}},
		{"products by their unit price", catalogFilter{MinPrice: d("20"), MaxPrice: d("25")}, []int64{2}},
		{"sort price", catalogFilter{Sort: sortByPrice}, []int64{10, 13, 3, 12, 1, 11, 2}},
		{"sort price desc", catalogFilter{Sort: sortByPrice, Desc: true}, []int64{2, 11, 1, 12, 3, 13, 10}},
		{"sort stock desc", catalogFilter{Sort: sortByStock, Desc: true, Category: "Instagram"}, []int64{3, 12, 1}},
		{"sort name", catalogFilter{Sort: sortByName, Category: "Instagram"}, []int64{1, 3, 12}},
	}
	for _, c := range cases {
		if got := numbers(ix, ix.filter(c.f, nil)); !slices.Equal(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}

func TestCatalogIndexCategoryCounts(t *testing.T) {
	ix := buildCatalogIndex(sampleRows())
	got := fmt.Sprint(ix.cats)
	want := "[{Instagram 3 3 0 [{Followers 2 2 0 []} {Likes 1 1 0 []}]} {Accounts-Email 1 0 1 [{Gmail 1 0 1 []}]} {Telegram 1 1 0 [{Members 1 1 0 []}]} {TikTok 2 2 0 [{Followers 2 2 0 []}]}]"
	if got != want {
		t.Fatalf("categories:\n got %s\nwant %s", got, want)
	}
	if c := ix.cats[0]; c.of("") != 3 || c.of(client.EntitySMM) != 3 || c.of(client.EntityProduct) != 0 {
		t.Fatalf("Instagram by kind: %d %d %d", c.of(""), c.of(client.EntitySMM), c.of(client.EntityProduct))
	}
}

// The category tree counts what the type filter shows.
func TestCatalogTreeCountsFollowTheType(t *testing.T) {
	u, _, _ := newSandboxUI(t, false)
	u.catalog.load(context.Background())
	before := u.catalog.treeLabel("c\x00Instagram")
	u.catalog.kind.SetSelectedIndex(2) // products
	if got := u.catalog.treeLabel("c\x00Instagram"); got == before || !strings.HasSuffix(got, "(0)") {
		t.Fatalf("Instagram with products only: %q (was %q)", got, before)
	}
	if got := u.catalog.treeLabel(allRowsID); got != fmt.Sprintf("All (%s)", groupDigits(int64(u.catalog.list.Length()))) {
		t.Fatalf("All = %q, list %d", got, u.catalog.list.Length())
	}
}

// "Each" and "per 1000" compare on the price of one unit: 0.50 per 1000 is cheaper than 0.42
// each. An unknown price sorts after every price and falls in no range.
func TestCatalogIndexComparesUnitPrices(t *testing.T) {
	d := client.MustDecimal
	ix := buildCatalogIndex([]client.Service{
		{Service: 1, Name: "Gmail", Rate: d("0.42"), EntityType: client.EntityProduct},
		{Service: 2, Name: "Likes", Rate: d("0.50"), EntityType: client.EntitySMM},
		{Service: 3, Name: "Unknown", RateUnknown: true, EntityType: client.EntitySMM},
		{Service: 4, Name: "Outlook", Rate: d("0.30"), EntityType: client.EntityProduct},
	})
	if got := numbers(ix, ix.filter(catalogFilter{Sort: sortByPrice}, nil)); !slices.Equal(got, []int64{2, 4, 1, 3}) {
		t.Fatalf("by price = %v", got)
	}
	one := client.MustDecimal("0.01")
	if got := numbers(ix, ix.filter(catalogFilter{MaxPrice: &one}, nil)); !slices.Equal(got, []int64{2}) {
		t.Fatalf("at most 0.01 each = %v", got)
	}
}

func bigCatalog(tb testing.TB, n int) []client.Service {
	tb.Helper()
	srv, err := sandbox.New(sandbox.Options{Services: n, Seed: 7})
	if err != nil {
		tb.Fatal(err)
	}
	api := newLoopbackClient(tb, srv)
	rows, _, err := api.AllServices(tb.Context(), client.ServicesParams{}, 0, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return rows
}

// BenchmarkCatalogKeystroke100k is one keystroke in the search box over 100,000 rows: filter
// and order (the orders are precomputed). Reports the median and p99 of single keystrokes.
func BenchmarkCatalogKeystroke100k(b *testing.B) {
	rows := bigCatalog(b, 100_000)
	start := time.Now()
	ix := buildCatalogIndex(rows)
	b.ReportMetric(float64(time.Since(start).Milliseconds()), "index-build-ms")
	queries := []string{"i", "in", "ins", "inst", "insta", "instagram", "instagram f", "instagram fo", "followers", "gmail usa", "zz"}
	var dst []int32
	var times []time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		f := catalogFilter{Text: queries[i%len(queries)], Sort: sortField(i % int(sortFieldCount)), Desc: i%2 == 0, InStock: i%3 == 0}
		t0 := time.Now()
		dst = ix.filter(f, dst)
		times = append(times, time.Since(t0))
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "median-ms")
	b.ReportMetric(float64(times[len(times)*99/100].Microseconds())/1000, "p99-ms")
}

// TestCatalogFilterMatchesAPlainScan: whatever the sequence of queries (typed forward, erased,
// words added, filters changed between), filter returns what a plain check of every row gives,
// in the order asked.
func TestCatalogFilterMatchesAPlainScan(t *testing.T) {
	rows := bigCatalog(t, 3000)
	ix := buildCatalogIndex(rows)
	rnd := rand.New(rand.NewPCG(7, 11))
	words := []string{"i", "in", "ins", "insta", "instagram", "followers", "fo", "gmail", "usa", "1", "12", "zz", "likes", "tik", "e"}
	min1 := client.MustDecimal("0.001")
	text := ""
	var dst []int32
	for step := range 3000 {
		switch r := rnd.IntN(10); {
		case r < 4 && text != "": // a letter erased
			text = text[:len(text)-1]
		case r < 7: // a letter typed
			w := words[rnd.IntN(len(words))]
			text += w[:1+rnd.IntN(len(w))]
		case r < 8:
			text += " "
		default:
			text = words[rnd.IntN(len(words))]
		}
		f := catalogFilter{Text: text, Sort: sortField(rnd.IntN(int(sortFieldCount))), Desc: rnd.IntN(2) == 0,
			InStock: rnd.IntN(4) == 0, Kind: []string{"", client.EntitySMM, client.EntityProduct}[rnd.IntN(3)]}
		if rnd.IntN(5) == 0 {
			f.Category = rows[rnd.IntN(len(rows))].Category
		}
		if rnd.IntN(6) == 0 {
			f.MinPrice = &min1
		}
		dst = ix.filter(f, dst)
		want := plainFilter(ix, f)
		if !slices.Equal(dst, want) {
			t.Fatalf("step %d, filter %+v: %d rows, a plain scan gives %d", step, f, len(dst), len(want))
		}
	}
}

// plainFilter is the filter by its definition: every row checked, then sorted.
func plainFilter(ix *catalogIndex, f catalogFilter) []int32 {
	terms := strings.Fields(foldText(f.Text))
	var out []int32
	for i := range ix.rows {
		s := ix.rows[i]
		text := foldText(strconv.FormatInt(s.Service, 10) + " " + s.ID + " " + s.Name + " " + s.Category + " " + s.Subcategory + " " + s.Type + " " + s.Description)
		ok := (!f.InStock || s.Stock > 0) && (f.Category == "" || s.Category == f.Category) &&
			(f.Kind == "" || (f.Kind == client.EntityProduct) == s.IsProduct()) &&
			(f.MinPrice == nil || ix.price[i] != unknownPrice && ix.price[i] >= f.MinPrice.Shift(unitScale).IntPart())
		for _, t := range terms {
			ok = ok && strings.Contains(text, t)
		}
		if ok {
			out = append(out, int32(i))
		}
	}
	rank := make([]int32, len(ix.rows))
	for p, i := range ix.orders[f.Sort] {
		rank[i] = int32(p)
	}
	slices.SortFunc(out, func(a, b int32) int { return int(rank[a]) - int(rank[b]) })
	if f.Desc {
		slices.Reverse(out)
	}
	return out
}

// TestCatalogOrdersAreTheDefinedOnes: each precomputed order is the rows sorted by their field,
// ties by service number — also for rows that come shuffled, with equal names, prices, stocks.
func TestCatalogOrdersAreTheDefinedOnes(t *testing.T) {
	rows := bigCatalog(t, 4000)
	rnd := rand.New(rand.NewPCG(3, 5))
	rnd.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
	for i := range rows {
		if i%7 == 0 {
			rows[i].Name = "Ёлка Café ＡＢＣ" // equal names across rows, folded
		}
	}
	ix := buildCatalogIndex(rows)
	keys := map[sortField]func(i int32) string{
		sortByName: func(i int32) string { return foldText(rows[i].Name) },
	}
	nums := map[sortField]func(i int32) int64{
		sortByNumber: func(i int32) int64 { return rows[i].Service },
		sortByPrice:  func(i int32) int64 { return unitPrice(&rows[i]) },
		sortByStock:  func(i int32) int64 { return rows[i].Stock },
	}
	for f := range sortFieldCount {
		want := make([]int32, len(rows))
		for i := range want {
			want[i] = int32(i)
		}
		slices.SortStableFunc(want, func(a, b int32) int {
			if k := keys[f]; k != nil {
				if c := strings.Compare(k(a), k(b)); c != 0 {
					return c
				}
			} else if c := compareInt(nums[f](a), nums[f](b)); c != 0 {
				return c
			}
			return compareInt(rows[a].Service, rows[b].Service)
		})
		if !slices.Equal(ix.orders[f], want) {
			t.Errorf("order %d differs from the rows sorted by its field", f)
		}
	}
	if got := foldText("Ёлка Café ＡＢＣ\x01"); got != "елка cafe abc " {
		t.Errorf("foldText = %q", got)
	}
}

// "What changed" after a refresh: worked out once the new rows are shown, it counts a price
// that changed at the server.
func TestWhatChangedAfterARefresh(t *testing.T) {
	srv, err := sandbox.New(sandbox.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	env := accounttest.New(t, newLoopbackClient(t, srv))
	u := New(test.NewTempApp(t), testDeps(t, env.Svc, false))
	u.catalog.load(t.Context())
	if u.catalog.changes.Disabled() == false {
		t.Fatal("What changed offered after the first download")
	}
	first := u.catalog.index.rows[0]
	if err := srv.SetRate(int(first.Service), "999.99"); err != nil {
		t.Fatal(err)
	}
	u.catalog.load(t.Context())
	if u.catalog.changes.Disabled() || u.catalog.changes.Text != "What changed (1)" {
		t.Fatalf("changes button %q, disabled %v", u.catalog.changes.Text, u.catalog.changes.Disabled())
	}
}
