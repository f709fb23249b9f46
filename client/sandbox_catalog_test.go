package client_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hstockplus/hstockplus/client"
	"github.com/hstockplus/hstockplus/client/sandbox"
)

// Integration tests of the catalogue reads against the sandbox (helpers in
// sandbox_helpers_test.go): every read action end to end, and a large catalogue in one answer.

func TestIntegrationCategoriesAndLang(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	ctx := itCtx(t)

	en, err := e.c.Categories(ctx)
	if err != nil {
		t.Fatal(err)
	}
	index := func(cats []client.Category, name string) int {
		return slices.IndexFunc(cats, func(c client.Category) bool { return c.Category == name })
	}
	ig, mail := index(en, "Instagram"), index(en, "Accounts-Email")
	if ig < 0 || mail < 0 || !slices.Contains(en[ig].Subcategories, "Followers") || !slices.Contains(en[mail].Subcategories, "Gmail") {
		t.Fatalf("English categories: %+v", en)
	}
	followers := slices.Index(en[ig].Subcategories, "Followers")

	// Every category and subcategory, by its English name, filters the catalogue; together they
	// cover it.
	all := e.allRows(t, ctx)
	covered := 0
	for _, c := range en {
		pg, err := e.c.Services(ctx, client.ServicesParams{Category: c.Category})
		if err != nil {
			t.Fatal(err)
		}
		if len(pg.Services) == 0 || pg.Total != len(pg.Services) {
			t.Fatalf("category %q: %d rows, total %d", c.Category, len(pg.Services), pg.Total)
		}
		for _, s := range pg.Services {
			if s.Category != c.Category || !slices.Contains(c.Subcategories, s.Subcategory) {
				t.Fatalf("category %q gave row %d of %q/%q", c.Category, s.Service, s.Category, s.Subcategory)
			}
		}
		covered += len(pg.Services)
	}
	if covered != len(all) {
		t.Fatalf("categories cover %d rows of %d", covered, len(all))
	}

	want := map[string][2]string{ // Accounts-Email, Instagram's Followers
		"ja": {"アカウント-メール", "フォロワー"},
		"jp": {"アカウント-メール", "フォロワー"},
		"ru": {"Аккаунты-Почта", "Подписчики"},
		"zh": {"账号-邮箱", "粉丝"},
		"es": {"Accounts-Email", "Followers"}, // supported, no translation: English
	}
	enGmail, err := e.c.Services(ctx, client.ServicesParams{Category: "Accounts-Email", Subcategory: "Gmail"})
	if err != nil {
		t.Fatal(err)
	}
	for lang, w := range want {
		lc := e.newClient(t, client.WithLang(lang))
		if lang == "jp" && lc.Lang() != "ja" {
			t.Fatalf("jp is sent as %q", lc.Lang())
		}
		got, err := lc.Categories(ctx)
		if err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		if len(got) != len(en) {
			t.Fatalf("%s: %d categories, English has %d", lang, len(got), len(en))
		}
		for i := range got {
			if len(got[i].Subcategories) != len(en[i].Subcategories) {
				t.Fatalf("%s: %q has %d subcategories, English %d", lang, got[i].Category, len(got[i].Subcategories), len(en[i].Subcategories))
			}
		}
		if got[mail].Category != w[0] || got[ig].Category != "Instagram" || got[ig].Subcategories[followers] != w[1] {
			t.Fatalf("%s: %q, %q/%q", lang, got[mail].Category, got[ig].Category, got[ig].Subcategories[followers])
		}
		// Filters take the English names whatever the language; the rows come back translated.
		pg, err := lc.Services(ctx, client.ServicesParams{Category: "Accounts-Email", Subcategory: "Gmail"})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(numbers(pg.Services), numbers(enGmail.Services)) || len(pg.Services) == 0 {
			t.Fatalf("%s: English filter gave %v, want %v", lang, numbers(pg.Services), numbers(enGmail.Services))
		}
		for i, s := range pg.Services {
			if s.Category != w[0] {
				t.Fatalf("%s: row category %q, want %q", lang, s.Category, w[0])
			}
			if translated := s.Name != enGmail.Services[i].Name; translated != (lang != "es") {
				t.Fatalf("%s: name %q vs English %q", lang, s.Name, enGmail.Services[i].Name)
			}
		}
	}
}

func TestIntegrationShops(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	ctx := itCtx(t)

	first, err := e.c.Shops(ctx, 0, 0) // server defaults: page 1, 20 a page
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Shops) != 20 || first.Total != 30 || first.Page.Page != 1 || first.Limit != 20 || first.TotalPages != 2 {
		t.Fatalf("first page: %d shops, %+v", len(first.Shops), first.Page)
	}
	second, err := e.c.Shops(ctx, 2, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(second.Shops) != 10 || second.Page.Page != 2 {
		t.Fatalf("second page: %d shops, %+v", len(second.Shops), second.Page)
	}
	past, err := e.c.Shops(ctx, 3, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(past.Shops) != 0 || past.Total != 30 {
		t.Fatalf("past the end: %+v", past)
	}
	whole, err := e.c.Shops(ctx, 1, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(whole.Shops) != 30 || whole.TotalPages != 1 {
		t.Fatalf("one page of 100: %d shops, %+v", len(whole.Shops), whole.Page)
	}
	if !slices.Equal(append(slices.Clone(first.Shops), second.Shops...), whole.Shops) {
		t.Fatal("pages 1 and 2 differ from the single page")
	}
	// Pages of 7 cover the same shops once each.
	var paged []client.Shop
	for p := 1; ; p++ {
		pg, err := e.c.Shops(ctx, p, 7)
		if err != nil {
			t.Fatal(err)
		}
		paged = append(paged, pg.Shops...)
		if p >= pg.TotalPages {
			break
		}
	}
	if !slices.Equal(paged, whole.Shops) {
		t.Fatal("pages of 7 differ from the single page")
	}

	products := 0
	for _, s := range whole.Shops {
		if !hex24.MatchString(s.ID) || !strings.Contains(s.Name, "***") || s.Rating < 1 || s.Rating > 5 || s.ReviewCount <= 0 || s.ProductCount < 0 {
			t.Fatalf("shop %+v", s)
		}
		products += s.ProductCount
	}
	if want := len(filterRows(e.allRows(t, ctx), client.Service.IsProduct)); products != want {
		t.Fatalf("shops hold %d products, the catalogue has %d", products, want)
	}
}

func TestIntegrationServicesFilters(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	ctx := itCtx(t)
	all := e.allRows(t, ctx)

	seen := map[string]bool{}
	for i, s := range all {
		if s.Service != int64(i+1) || !hex24.MatchString(s.ID) || seen[s.ID] || s.Name == "" || s.Category == "" ||
			s.Subcategory == "" || !s.Rate.IsPositive() || s.Min < 1 || s.Min > s.Max || s.Stock < 0 {
			t.Fatalf("row %d: %+v", i, s)
		}
		seen[s.ID] = true
		switch s.EntityType {
		case client.EntitySMM:
			if s.Description != "" || s.ImageURL != "" || s.IsProduct() || !s.AutoDelivery {
				t.Fatalf("SMM row %+v", s)
			}
		case client.EntityProduct:
			if s.Description == "" || s.ImageURL != strings.TrimSuffix(e.rn.URL, "/api/v2")+"/img/"+s.ID+".png" {
				t.Fatalf("product row %+v", s)
			}
		default:
			t.Fatalf("entity type %q", s.EntityType)
		}
	}
	// The picture a product row points at is served.
	prod := pick(t, all, "a product", client.Service.IsProduct)
	res, err := http.Get(prod.ImageURL)
	if err != nil {
		t.Fatal(err)
	}
	img, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" || !strings.HasPrefix(string(img), "\x89PNG") {
		t.Fatalf("image: %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}

	whole, err := e.c.Services(ctx, client.ServicesParams{})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(all); whole.Total != n || whole.Page.Page != n || whole.Limit != n || whole.TotalPages != 1 {
		t.Fatalf("limit 0: %+v", whole.Page)
	}

	// page/limit
	pg, err := e.c.Services(ctx, client.ServicesParams{Page: 2, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(numbers(pg.Services), numbers(all[10:20])) || pg.Page.Page != 2 || pg.Limit != 10 ||
		pg.Total != len(all) || pg.TotalPages != (len(all)+9)/10 {
		t.Fatalf("page 2 of 10: %v %+v", numbers(pg.Services), pg.Page)
	}
	pg, err = e.c.Services(ctx, client.ServicesParams{Page: 1000, Limit: 10})
	if err != nil || len(pg.Services) != 0 || pg.Total != len(all) {
		t.Fatalf("past the end: %v %+v", err, pg)
	}

	check := func(name string, p client.ServicesParams, want []client.Service) {
		t.Helper()
		pg, err := e.c.Services(ctx, p)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !slices.Equal(numbers(pg.Services), numbers(want)) || pg.Total != len(want) {
			t.Fatalf("%s: %v (total %d), want %v", name, numbers(pg.Services), pg.Total, numbers(want))
		}
	}
	check("category", client.ServicesParams{Category: "Instagram"},
		filterRows(all, func(s client.Service) bool { return s.Category == "Instagram" }))
	check("category+subcategory", client.ServicesParams{Category: "Instagram", Subcategory: "Followers"},
		filterRows(all, func(s client.Service) bool { return s.Category == "Instagram" && s.Subcategory == "Followers" }))
	check("subcategory alone", client.ServicesParams{Subcategory: "Followers"},
		filterRows(all, func(s client.Service) bool { return s.Subcategory == "Followers" }))
	smm := filterRows(all, func(s client.Service) bool { return s.EntityType == client.EntitySMM })
	products := filterRows(all, client.Service.IsProduct)
	if len(smm)+len(products) != len(all) {
		t.Fatal("rows that are neither smm nor product")
	}
	check("entityType smm", client.ServicesParams{EntityType: "smm"}, smm)
	check("entityType product", client.ServicesParams{EntityType: "PRODUCT"}, products)
	proxies := filterRows(all, func(s client.Service) bool { return s.Category == "Proxies" })
	pg, err = e.c.Services(ctx, client.ServicesParams{Category: "Proxies", EntityType: "product", Page: 2, Limit: 5})
	if err != nil || !slices.Equal(numbers(pg.Services), numbers(proxies[5:10])) || pg.Total != len(proxies) || pg.TotalPages != (len(proxies)+4)/5 {
		t.Fatalf("category+entityType, page 2 of 5: %v %v %+v", err, numbers(pg.Services), pg.Page)
	}

	// shopId: the products of a shop are its product count.
	shops, err := e.c.Shops(ctx, 1, 100)
	if err != nil {
		t.Fatal(err)
	}
	var shop client.Shop
	for _, s := range shops.Shops {
		if s.ProductCount > shop.ProductCount {
			shop = s
		}
	}
	pg, err = e.c.Services(ctx, client.ServicesParams{ShopID: shop.ID, EntityType: client.EntityProduct})
	if err != nil || len(pg.Services) != shop.ProductCount || shop.ProductCount == 0 {
		t.Fatalf("shop %+v: %v, %d products", shop, err, len(pg.Services))
	}
	pp, err := e.c.Products(ctx, client.ServicesParams{ShopID: shop.ID})
	if err != nil || !slices.Equal(numbers(pp.Services), numbers(pg.Services)) {
		t.Fatalf("products of the shop: %v %v", err, numbers(pp.Services))
	}
	withSMM, err := e.c.Services(ctx, client.ServicesParams{ShopID: shop.ID})
	if err != nil || len(withSMM.Services) < len(pg.Services) {
		t.Fatalf("services of the shop: %v", err)
	}
	for _, s := range withSMM.Services {
		if s.IsProduct() && !slices.Contains(numbers(pg.Services), s.Service) {
			t.Fatalf("row %d is not one of the shop's products", s.Service)
		}
	}
	check("unknown shop", client.ServicesParams{ShopID: "ffffffffffffffffffffffff"}, nil)

	// productIds: service numbers and MongoDB ids, mixed; an SMM row among them is left out.
	p1, p2, p3 := products[0], products[len(products)/2], products[len(products)-1]
	ids := []string{strconv.FormatInt(p3.Service, 10), p1.ID, strings.ToUpper(p2.ID), strconv.FormatInt(smm[0].Service, 10), smm[1].ID}
	want := []client.Service{p1, p2, p3} // catalogue order
	check("productIds", client.ServicesParams{ProductIDs: ids}, want)
	check("productIds with smm", client.ServicesParams{ProductIDs: ids, EntityType: client.EntitySMM}, nil)
	pp, err = e.c.Products(ctx, client.ServicesParams{ProductIDs: ids})
	if err != nil || !slices.Equal(numbers(pp.Services), numbers(want)) {
		t.Fatalf("products with productIds: %v %v", err, pp)
	}
	if !sameRows(pp.Services, want) {
		t.Fatalf("products rows differ from the services rows:\n%+v\n%+v", pp.Services, want)
	}
	// More than 100 ids are refused before sending.
	before := e.srv.Stats().Requests["services"]
	many := make([]string, client.MaxProductIDs+1)
	for i := range many {
		many[i] = strconv.Itoa(i + 1)
	}
	if _, err := e.c.Services(ctx, client.ServicesParams{ProductIDs: many}); !errors.Is(err, client.ErrInvalidArgument) {
		t.Fatalf("101 product ids: %v", err)
	}
	if e.srv.Stats().Requests["services"] != before {
		t.Fatal("101 product ids were sent")
	}

	// lang on one call overrides the client's; filters stay English.
	ru, err := e.c.Services(ctx, client.ServicesParams{Lang: "ru", Category: "Instagram", Subcategory: "Followers"})
	if err != nil {
		t.Fatal(err)
	}
	en := filterRows(all, func(s client.Service) bool { return s.Category == "Instagram" && s.Subcategory == "Followers" })
	if !slices.Equal(numbers(ru.Services), numbers(en)) {
		t.Fatalf("ru: %v, want %v", numbers(ru.Services), numbers(en))
	}
	for i, s := range ru.Services {
		if s.Subcategory != "Подписчики" || s.Name == en[i].Name || !s.Rate.Equal(en[i].Rate.Decimal) {
			t.Fatalf("ru row %+v vs %+v", s, en[i])
		}
	}
	if _, err := e.c.Services(ctx, client.ServicesParams{Lang: "xx"}); !errors.Is(err, client.ErrInvalidArgument) {
		t.Fatalf("unsupported lang: %v", err)
	}
}

func TestIntegrationAllServicesPaging(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	ctx := itCtx(t)

	for _, tc := range []struct {
		name string
		p    client.ServicesParams
		all  func(context.Context, client.ServicesParams, int, func(int, int)) ([]client.Service, client.SkipReport, error)
		act  string
	}{
		{"services", client.ServicesParams{}, e.c.AllServices, "services"},
		{"services filtered", client.ServicesParams{EntityType: client.EntitySMM, Category: "TikTok"}, e.c.AllServices, "services"},
		{"products", client.ServicesParams{}, e.c.AllProducts, "products"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := e.srv.Stats().Requests[tc.act]
			var oneCalls [][2]int
			one, _, err := tc.all(ctx, tc.p, 0, func(done, total int) { oneCalls = append(oneCalls, [2]int{done, total}) })
			if err != nil {
				t.Fatal(err)
			}
			n := len(one)
			if n == 0 || e.srv.Stats().Requests[tc.act] != before+1 || !slices.Equal(oneCalls, [][2]int{{n, n}}) {
				t.Fatalf("pageSize 0: %d rows, progress %v, %d requests", n, oneCalls, e.srv.Stats().Requests[tc.act]-before)
			}
			for _, size := range []int{1, 7, 50, n, n + 5} {
				before := e.srv.Stats().Requests[tc.act]
				var calls [][2]int
				paged, _, err := tc.all(ctx, tc.p, size, func(done, total int) { calls = append(calls, [2]int{done, total}) })
				if err != nil {
					t.Fatalf("pageSize %d: %v", size, err)
				}
				if !sameRows(paged, one) {
					t.Fatalf("pageSize %d: %d rows differ from the %d of one request", size, len(paged), n)
				}
				pages := (n + size - 1) / size
				if got := e.srv.Stats().Requests[tc.act] - before; got != pages {
					t.Fatalf("pageSize %d: %d requests, want %d", size, got, pages)
				}
				if len(calls) != pages || calls[len(calls)-1] != [2]int{n, n} {
					t.Fatalf("pageSize %d: progress %v", size, calls)
				}
				for i, c := range calls {
					if c[1] != n || c[0] != min((i+1)*size, n) {
						t.Fatalf("pageSize %d: progress %v", size, calls)
					}
				}
			}
		})
	}
}

// TestIntegrationAllServicesEmpty: a filter that matches nothing gives no rows both ways.
func TestIntegrationAllServicesEmpty(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	ctx := itCtx(t)
	p := client.ServicesParams{ShopID: "ffffffffffffffffffffffff"}
	for _, size := range []int{0, 10} {
		var calls [][2]int
		rows, _, err := e.c.AllServices(ctx, p, size, func(done, total int) { calls = append(calls, [2]int{done, total}) })
		if err != nil || len(rows) != 0 || !slices.Equal(calls, [][2]int{{0, 0}}) {
			t.Fatalf("pageSize %d: %v, %d rows, progress %v", size, err, len(rows), calls)
		}
	}
	if n := e.srv.Stats().Requests["services"]; n != 2 {
		t.Fatalf("%d requests, want 2", n)
	}
}

func TestIntegrationInventoryAndBalance(t *testing.T) {
	e := newEnv(t, sandbox.Options{Balance: "99.5"})
	ctx := itCtx(t)
	all := e.allRows(t, ctx)

	b, err := e.c.Balance(ctx)
	if err != nil || b.Balance.String() != "99.50" || b.Currency != "USD" {
		t.Fatalf("balance %v %+v", err, b)
	}

	smm := pick(t, all, "an SMM row in stock", func(s client.Service) bool { return !s.IsProduct() && s.Stock > 0 })
	inv, err := e.c.Inventory(ctx, smm.Service)
	if err != nil {
		t.Fatal(err)
	}
	if inv.Service != smm.Service || inv.Stock != smm.Stock || !inv.Available || inv.IsProduct() || !inv.AutoDelivery ||
		!inv.Rate.Equal(smm.Rate.Decimal) || inv.Rate.Scale() != 4 || len(inv.Subproducts) != 0 {
		t.Fatalf("SMM inventory %+v for %+v", inv, smm)
	}
	out := pick(t, all, "a sold-out row", func(s client.Service) bool { return s.Stock == 0 })
	if inv, err := e.c.Inventory(ctx, out.Service); err != nil || inv.Available || inv.Stock != 0 {
		t.Fatalf("sold-out inventory %v %+v", err, inv)
	}

	prod := pick(t, all, "a product with three subproducts", func(s client.Service) bool {
		return s.IsProduct() && s.Stock > 0 && strings.HasPrefix(s.Name, "Gmail")
	})
	inv, err = e.c.Inventory(ctx, prod.Service)
	if err != nil {
		t.Fatal(err)
	}
	var stock int64
	for _, sp := range inv.Subproducts {
		if !hex24.MatchString(sp.SubproductID) || sp.Name == "" || sp.Stock < 0 || !sp.Rate.IsPositive() || sp.Rate.Scale() != 4 {
			t.Fatalf("subproduct %+v", sp)
		}
		stock += sp.Stock
	}
	if !inv.IsProduct() || len(inv.Subproducts) != 3 || inv.Stock != stock || inv.Stock != prod.Stock || !inv.Available ||
		inv.Min != prod.Min || inv.Max != prod.Max || !inv.Rate.Equal(prod.Rate.Decimal) || !inv.Subproducts[0].Rate.Equal(prod.Rate.Decimal) {
		t.Fatalf("product inventory %+v for %+v", inv, prod)
	}
	names := []string{"Fresh", "Aged 1 Year", "Aged 3+ Years"}
	for i, sp := range inv.Subproducts {
		if sp.Name != names[i] {
			t.Fatalf("subproduct names %+v", inv.Subproducts)
		}
	}
	// Subproduct names are translated; everything else is the same.
	ja, err := e.newClient(t, client.WithLang("jp")).Inventory(ctx, prod.Service)
	if err != nil {
		t.Fatal(err)
	}
	if ja.Subproducts[0].Name == "Fresh" || ja.Subproducts[0].SubproductID != inv.Subproducts[0].SubproductID || ja.Stock != inv.Stock {
		t.Fatalf("ja inventory %+v", ja)
	}
}

// TestIntegrationOrderLifecycle places twenty orders (SMM, products that spill over to a second
// subproduct, Custom Comments) and follows them to their terminal states: the 5th and 15th are
// Canceled with a full refund, the 10th and 20th Partial with the rest refunded. Every charge and
// refund is checked against the balance, exactly.

// A large catalogue in one answer.

func TestIntegrationLargeCatalog(t *testing.T) {
	if testing.Short() {
		t.Skip("large catalogue: not with -short")
	}
	t.Parallel()
	n := 100_000
	if raceBuild {
		n = 20_000 // the race detector makes decoding tens of times slower
	}
	e := newEnv(t, sandbox.Options{Services: n, Seed: 9})
	ctx := itCtx(t)
	var progress [][2]int
	rows, _, err := e.c.AllServices(ctx, client.ServicesParams{}, 0, func(done, total int) { progress = append(progress, [2]int{done, total}) })
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != n || e.srv.Stats().Requests["services"] != 1 || !slices.Equal(progress, [][2]int{{n, n}}) {
		t.Fatalf("%d rows in %d requests, progress %v", len(rows), e.srv.Stats().Requests["services"], progress)
	}
	ids := make(map[string]bool, n)
	products := 0
	for i, s := range rows {
		if s.Service != int64(i+1) || ids[s.ID] || !hex24.MatchString(s.ID) || s.Name == "" || !s.Rate.IsPositive() {
			t.Fatalf("row %d: %+v", i, s)
		}
		ids[s.ID] = true
		if s.IsProduct() {
			products++
		}
	}
	if !strings.HasSuffix(rows[n-1].Name, " #"+strconv.Itoa((n-1)/232+1)) || products == 0 || products == n {
		t.Fatalf("last row %+v, %d products", rows[n-1], products)
	}
	// A page from the far end agrees with the whole.
	pg, err := e.c.Services(ctx, client.ServicesParams{Page: n / 100, Limit: 100})
	if err != nil || pg.Total != n || !slices.Equal(numbers(pg.Services), numbers(rows[n-100:])) {
		t.Fatalf("last page: %v %+v", err, pg.Page)
	}
}
