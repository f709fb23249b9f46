package client_test

// Integration tests of the client against the simulated server (client/sandbox) on a real
// loopback socket, so that the faults that reset or drop the connection are real TCP events.
//
// The sandbox runs on an injectable clock that the tests move by hand, so order and SMS
// lifecycles are deterministic and nothing waits for them. Its fault generator is seeded: with
// requests sent one after another, the same requests meet the same faults on every run. The
// client's rate limiter is off and its retry backoff is a millisecond or two; the only real
// waits are the one-second Retry-After of the sandbox's 429 page, in the few reads that meet it.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/hstockplus/hstockplus/client"
	"github.com/hstockplus/hstockplus/client/sandbox"
)

// itKey is the sandbox's API key in these tests: distinctive, and with characters that a form
// body escapes ('/', '+', '='), so that the escaped forms are looked for in errors too.
const itKey = "sbx_It9Key/Zq7+Xw=SECRET-4c1e5d0b7a"

// raceBuild reports whether the test binary was built with -race (the build settings say so;
// a //go:build race file would need a second file).
var raceBuild = func() bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range bi.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
}()

// itClock is the sandbox's clock, moved by hand.
type itClock struct {
	mu sync.Mutex
	t  time.Time
}

func newITClock() *itClock {
	return &itClock{t: time.Date(2025, 6, 1, 12, 0, 0, 250_000_000, time.UTC)}
}

func (c *itClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *itClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// itEnv is a sandbox listening on loopback and a client of it.
type itEnv struct {
	srv *sandbox.Server
	rn  *sandbox.Running
	clk *itClock
	c   *client.Client
}

// newEnv starts a sandbox (key itKey, hand-moved clock unless opts say otherwise) and a client
// of it with the limiter off and a tiny backoff; extra options are applied after those.
func newEnv(t *testing.T, opts sandbox.Options, extra ...client.Option) *itEnv {
	t.Helper()
	clk := newITClock()
	if opts.Key == "" {
		opts.Key = itKey
	}
	if opts.Now == nil {
		opts.Now = clk.Now
	}
	srv, err := sandbox.New(opts)
	if err != nil {
		t.Fatalf("sandbox.New: %v", err)
	}
	rn, err := sandbox.Listen("127.0.0.1:0", srv)
	if err != nil {
		t.Fatalf("sandbox.Listen: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := rn.Close(ctx); err != nil {
			t.Errorf("closing the sandbox: %v", err)
		}
	})
	e := &itEnv{srv: srv, rn: rn, clk: clk}
	e.c = e.newClient(t, extra...)
	return e
}

// newClient builds another client of the sandbox.
func (e *itEnv) newClient(t *testing.T, extra ...client.Option) *client.Client {
	t.Helper()
	return newITClient(t, e.rn.URL, e.rn.Key, extra...)
}

func newITClient(t *testing.T, endpoint, key string, extra ...client.Option) *client.Client {
	t.Helper()
	opts := append([]client.Option{
		client.WithEndpoint(endpoint),
		client.WithAPIKey(key),
		client.WithRateLimit(0, 0), // perSecond <= 0: no client-side limit
		client.WithRetry(4, time.Millisecond, 2*time.Millisecond),
	}, extra...)
	c, err := client.New(opts...)
	if err != nil {
		t.Fatalf("client.New: %v", err)
	}
	return c
}

func itCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// allRows loads the whole catalogue in one request.
func (e *itEnv) allRows(t *testing.T, ctx context.Context) []client.Service {
	t.Helper()
	rows, err := e.c.AllServices(ctx, client.ServicesParams{}, 0, nil)
	if err != nil {
		t.Fatalf("AllServices: %v", err)
	}
	if len(rows) != e.srv.ServiceCount() {
		t.Fatalf("AllServices: %d rows, the sandbox has %d", len(rows), e.srv.ServiceCount())
	}
	return rows
}

// sandboxBalance is the balance as the sandbox holds it (not through the client).
func (e *itEnv) sandboxBalance(t *testing.T) decimal.Decimal {
	t.Helper()
	return decimal.RequireFromString(e.srv.BalanceString())
}

// balance is the balance through the client; it must agree with the sandbox's, to the string.
func (e *itEnv) balance(t *testing.T, ctx context.Context) decimal.Decimal {
	t.Helper()
	b, err := e.c.Balance(ctx)
	if err != nil {
		t.Fatalf("Balance: %v", err)
	}
	if b.Currency != "USD" {
		t.Fatalf("currency %q", b.Currency)
	}
	if got, want := b.Balance.String(), e.srv.BalanceString(); got != want {
		t.Fatalf("client balance %s, sandbox %s", got, want)
	}
	return b.Balance.Decimal
}

func pick(t *testing.T, rows []client.Service, what string, pred func(client.Service) bool) client.Service {
	t.Helper()
	for _, s := range rows {
		if pred(s) {
			return s
		}
	}
	t.Fatalf("no catalogue row is %s", what)
	return client.Service{}
}

func filterRows(rows []client.Service, pred func(client.Service) bool) []client.Service {
	var out []client.Service
	for _, s := range rows {
		if pred(s) {
			out = append(out, s)
		}
	}
	return out
}

func numbers(rows []client.Service) []int64 {
	out := make([]int64, len(rows))
	for i, s := range rows {
		out[i] = s.Service
	}
	return out
}

// sameRows compares rows by value (== on a Service would compare the decimals' pointers).
func sameRows(a, b []client.Service) bool {
	return slices.EqualFunc(a, b, func(x, y client.Service) bool { return fmt.Sprintf("%+v", x) == fmt.Sprintf("%+v", y) })
}

// smmCharge is the documented SMM charge: rate × quantity / 1000, half up to 4 places.
func smmCharge(rate client.Decimal, qty int64) decimal.Decimal {
	return rate.Mul(decimal.NewFromInt(qty)).Shift(-3).Round(4)
}

// fillUnits lists the unit prices of a product order of qty units in the order the platform
// fills it: the primary subproduct first, then the next ones, each at its own price.
func fillUnits(t *testing.T, inv *client.Inventory, qty int64) []decimal.Decimal {
	t.Helper()
	var out []decimal.Decimal
	for _, sp := range inv.Subproducts {
		for n := min(sp.Stock, qty-int64(len(out))); n > 0; n-- {
			out = append(out, sp.Rate.Decimal)
		}
	}
	if int64(len(out)) != qty {
		t.Fatalf("service %d cannot fill %d units: %+v", inv.Service, qty, inv.Subproducts)
	}
	return out
}

func sum(ds []decimal.Decimal) decimal.Decimal {
	var s decimal.Decimal
	for _, d := range ds {
		s = s.Add(d)
	}
	return s
}

func sameDecimal(t *testing.T, what string, got, want decimal.Decimal) {
	t.Helper()
	if !got.Equal(want) {
		t.Fatalf("%s: %s, want %s", what, got, want)
	}
}

// apiError asserts that err carries an *APIError with exactly msg.
func apiError(t *testing.T, what string, err error, msg string) *client.APIError {
	t.Helper()
	var ae *client.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("%s: %v (%T), want an *APIError %q", what, err, err, msg)
	}
	if ae.Message != msg || ae.HTTPStatus != http.StatusOK {
		t.Fatalf("%s: message %q at HTTP %d, want %q at 200", what, ae.Message, ae.HTTPStatus, msg)
	}
	return ae
}

var documentedSentinels = []error{
	client.ErrInvalidKey, client.ErrInvalidAction, client.ErrServiceIDRequired,
	client.ErrInsufficientBalance, client.ErrOrderNotFound, client.ErrServiceNotFound,
}

// onlySentinel asserts that err matches want and no other documented sentinel (nil: none).
func onlySentinel(t *testing.T, what string, err, want error) {
	t.Helper()
	for _, s := range documentedSentinels {
		if got := errors.Is(err, s); got != (s == want) {
			t.Fatalf("%s: errors.Is(err, %v) = %v; err = %v", what, s, got, err)
		}
	}
}

// notPlaced asserts err is a *SpendError saying the order was certainly not placed.
func notPlaced(t *testing.T, what string, err error) {
	t.Helper()
	var se *client.SpendError
	if !errors.As(err, &se) || !errors.Is(err, client.ErrNotSent) || errors.Is(err, client.ErrOutcomeUnknown) || !se.NotSent() {
		t.Fatalf("%s: %v (%T), want a *SpendError with ErrNotSent", what, err, err)
	}
}

// outcomeUnknown asserts err is a *SpendError saying the order may have been placed.
func outcomeUnknown(t *testing.T, what string, err error) {
	t.Helper()
	var se *client.SpendError
	if !errors.As(err, &se) || !errors.Is(err, client.ErrOutcomeUnknown) || errors.Is(err, client.ErrNotSent) || se.NotSent() {
		t.Fatalf("%s: %v (%T), want a *SpendError with ErrOutcomeUnknown", what, err, err)
	}
}

// delta is after - before of one counter.
func delta(before, after map[string]int, k string) int { return after[k] - before[k] }

var (
	hex24   = regexp.MustCompile(`^[0-9a-f]{24}$`)
	digits6 = regexp.MustCompile(`^[0-9]{6}$`)
)

// ---------------------------------------------------------------------------------------------
// 1. Every action end to end.

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
		all  func(context.Context, client.ServicesParams, int, func(int, int)) ([]client.Service, error)
		act  string
	}{
		{"services", client.ServicesParams{}, e.c.AllServices, "services"},
		{"services filtered", client.ServicesParams{EntityType: client.EntitySMM, Category: "TikTok"}, e.c.AllServices, "services"},
		{"products", client.ServicesParams{}, e.c.AllProducts, "products"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := e.srv.Stats().Requests[tc.act]
			var oneCalls [][2]int
			one, err := tc.all(ctx, tc.p, 0, func(done, total int) { oneCalls = append(oneCalls, [2]int{done, total}) })
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
				paged, err := tc.all(ctx, tc.p, size, func(done, total int) { calls = append(calls, [2]int{done, total}) })
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
		rows, err := e.c.AllServices(ctx, p, size, func(done, total int) { calls = append(calls, [2]int{done, total}) })
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
func TestIntegrationOrderLifecycle(t *testing.T) {
	e := newEnv(t, sandbox.Options{Balance: "100000.00"})
	ctx := itCtx(t)
	all := e.allRows(t, ctx)

	// A cheap SMM service whose rate has 4 places, so that charges need rounding.
	smm := pick(t, all, "a cheap SMM service", func(s client.Service) bool {
		return !s.IsProduct() && !s.IsCustomComments() && s.Rate.Scale() == 4 && s.Min <= 100 && s.Max >= 5000 && s.Stock >= 100_000
	})
	cc := pick(t, all, "a Custom Comments service", func(s client.Service) bool {
		return s.IsCustomComments() && s.Min <= 5 && s.Max >= 6 && s.Stock >= 100
	})
	var spill client.Service // a product whose primary subproduct cannot fill its max
	for _, s := range all {
		if !s.IsProduct() || !s.AutoDelivery || s.Stock == 0 {
			continue
		}
		inv, err := e.c.Inventory(ctx, s.Service)
		if err != nil {
			t.Fatal(err)
		}
		sp := inv.Subproducts
		if len(sp) >= 2 && sp[0].Stock > 0 && sp[0].Stock < s.Max && sp[1].Stock > 0 && !sp[0].Rate.Equal(sp[1].Rate.Decimal) {
			spill = s
			break
		}
	}
	if spill.Service == 0 {
		t.Fatal("no product spills over to a second subproduct")
	}
	prod := pick(t, all, "an automatic product", func(s client.Service) bool {
		return s.IsProduct() && s.AutoDelivery && s.Service != spill.Service && s.Max >= 10 && s.Stock >= 30
	})

	comments := func(n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "Great post #%d 👍\n", i+1)
		}
		return b.String()
	}
	type plan struct {
		svc      client.Service
		qty      int64 // 0: the spill product's primary stock + 1
		link     string
		comments string
	}
	plans := []plan{
		{smm, 1000, "https://instagram.com/p/1", ""}, // 1
		{spill, 0, "", ""},                           // 2: spills over
		{cc, 5, "https://instagram.com/p/3", comments(5)},
		{prod, 3, "", ""},
		{smm, 2000, "https://instagram.com/p/5", ""}, // 5: Canceled
		{smm, 101, "https://instagram.com/p/6", ""},
		{smm, 202, "https://instagram.com/p/7", ""},
		{smm, 303, "https://instagram.com/p/8", ""},
		{smm, 404, "https://instagram.com/p/9", ""},
		{smm, 777, "https://instagram.com/p/10", ""}, // 10: Partial
		{cc, 6, "https://instagram.com/p/11", comments(6)},
		{smm, 150, "https://instagram.com/p/12", ""},
		{smm, 1234, "https://instagram.com/p/13", ""},
		{smm, 999, "https://instagram.com/p/14", ""},
		{prod, 2, "", ""}, // 15: Canceled
		{smm, 111, "https://instagram.com/p/16", ""},
		{smm, 222, "https://instagram.com/p/17", ""},
		{smm, 333, "https://instagram.com/p/18", ""},
		{prod, 4, "buyer@example.com", ""}, // a product with a delivery e-mail
		{prod, 9, "", ""},                  // 20: Partial
	}
	type placed struct {
		plan
		id      int64
		initial decimal.Decimal
		units   []decimal.Decimal // products: unit prices in fill order
	}
	start := e.balance(t, ctx)
	bal := start
	smmStock := smm.Stock
	var orders []placed
	for i, p := range plans {
		o := placed{plan: p}
		if p.svc.IsProduct() {
			inv, err := e.c.Inventory(ctx, p.svc.Service)
			if err != nil {
				t.Fatal(err)
			}
			if o.qty == 0 {
				o.qty = inv.Subproducts[0].Stock + 1
			}
			o.units = fillUnits(t, inv, o.qty)
			o.initial = sum(o.units)
			if p.svc.Service != spill.Service && !p.svc.EstimateCost(o.qty).Equal(o.initial) {
				t.Fatalf("EstimateCost %s, charge %s", p.svc.EstimateCost(o.qty), o.initial)
			}
		} else {
			o.initial = smmCharge(p.svc.Rate, o.qty)
			if !p.svc.EstimateCost(o.qty).Round(4).Equal(o.initial) {
				t.Fatalf("EstimateCost %s, charge %s", p.svc.EstimateCost(o.qty), o.initial)
			}
		}
		res, err := e.c.Add(ctx, client.AddRequest{Service: p.svc.Service, Quantity: o.qty, Link: p.link, Comments: p.comments})
		if err != nil {
			t.Fatalf("order %d: %v", i+1, err)
		}
		o.id = res.Order
		if i > 0 && o.id <= orders[i-1].id {
			t.Fatalf("order ids %d then %d", orders[i-1].id, o.id)
		}
		st, err := e.c.Status(ctx, o.id)
		if err != nil {
			t.Fatal(err)
		}
		if st.Status != client.StatusPending || st.Status.Terminal() || st.Remains != o.qty || st.Currency != "USD" ||
			st.EntityType != p.svc.EntityType || st.Charge.Scale() != 4 || len(st.Accounts) != 0 {
			t.Fatalf("order %d just placed: %+v", i+1, st)
		}
		sameDecimal(t, fmt.Sprintf("order %d charge", i+1), st.Charge.Decimal, o.initial)
		bal = bal.Sub(o.initial)
		sameDecimal(t, fmt.Sprintf("balance after order %d", i+1), e.balance(t, ctx), bal)
		if p.svc.Service == smm.Service {
			smmStock -= o.qty
		}
		orders = append(orders, o)
	}
	if spill := orders[1]; len(spill.units) < 2 || spill.units[0].Equal(spill.units[len(spill.units)-1]) {
		t.Fatalf("the spill order did not spill: %v", spill.units)
	}

	// Three seconds in: automatic orders run, Canceled ones are still Pending.
	e.clk.Advance(3 * time.Second)
	for i, o := range orders {
		st, err := e.c.Status(ctx, o.id)
		if err != nil {
			t.Fatal(err)
		}
		want := client.StatusInProgress
		if (i+1)%10 == 5 {
			want = client.StatusPending
		}
		var wantAccounts int64 // products deliver their accounts one by one
		if o.svc.IsProduct() {
			wantAccounts = o.qty - st.Remains
		}
		if st.Status != want || st.Remains < 0 || st.Remains > o.qty || int64(len(st.Accounts)) != wantAccounts {
			t.Fatalf("order %d at 3s: %+v", i+1, st)
		}
		sameDecimal(t, "charge while running", st.Charge.Decimal, o.initial)
	}
	sameDecimal(t, "balance while running", e.balance(t, ctx), bal)

	// Two minutes in, everything has ended and the refunds are credited.
	e.clk.Advance(2 * time.Minute)
	final := start
	accounts := map[string]bool{}
	for i, o := range orders {
		st, err := e.c.Status(ctx, o.id)
		if err != nil {
			t.Fatal(err)
		}
		if !st.Status.Terminal() || st.Charge.Scale() != 4 {
			t.Fatalf("order %d: %+v", i+1, st)
		}
		var want decimal.Decimal
		delivered := o.qty - st.Remains
		switch (i + 1) % 10 {
		case 5:
			if st.Status != client.StatusCanceled || st.Remains != o.qty || len(st.Accounts) != 0 {
				t.Fatalf("order %d: %+v, want Canceled", i+1, st)
			}
		case 0:
			if st.Status != client.StatusPartial || delivered <= 0 || delivered >= o.qty {
				t.Fatalf("order %d: %+v, want Partial", i+1, st)
			}
			if o.svc.IsProduct() {
				want = sum(o.units[:delivered])
			} else {
				want = smmCharge(o.svc.Rate, delivered)
			}
			if !want.LessThan(o.initial) {
				t.Fatalf("order %d: no refund", i+1)
			}
		default:
			if st.Status != client.StatusCompleted || st.Remains != 0 {
				t.Fatalf("order %d: %+v, want Completed", i+1, st)
			}
			want = o.initial
		}
		sameDecimal(t, fmt.Sprintf("order %d final charge (%s)", i+1, st.Status), st.Charge.Decimal, want)
		final = final.Sub(want)
		if o.svc.IsProduct() {
			if int64(len(st.Accounts)) != delivered || st.EntityType != client.EntityProduct {
				t.Fatalf("order %d: %d accounts for %d delivered", i+1, len(st.Accounts), delivered)
			}
			for _, a := range st.Accounts {
				if !strings.Contains(a, ":") || accounts[a] {
					t.Fatalf("account %q malformed or delivered twice", a)
				}
				accounts[a] = true
			}
		} else if len(st.Accounts) != 0 || st.StartCount < 0 {
			t.Fatalf("SMM order %d: %+v", i+1, st)
		}
	}
	if len(accounts) == 0 {
		t.Fatal("no product account was delivered")
	}
	sameDecimal(t, "final balance", e.balance(t, ctx), final)
	sameDecimal(t, "final balance at the sandbox", e.sandboxBalance(t), final)

	// Stock is taken by orders and not given back by refunds.
	inv, err := e.c.Inventory(ctx, smm.Service)
	if err != nil || inv.Stock != smmStock {
		t.Fatalf("SMM stock %v %+v, want %d", err, inv, smmStock)
	}
	if st := e.srv.Stats(); st.OrdersPlaced != len(orders) || st.Requests["add"] != len(orders) {
		t.Fatalf("sandbox stats %+v", st)
	}
}

func TestIntegrationSMS(t *testing.T) {
	e := newEnv(t, sandbox.Options{Balance: "1000.00"})
	ctx := itCtx(t)

	countries, err := e.c.SMSCountries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(countries) != 20 || !slices.Contains(countries, client.SMSCountry{Code: "us", Name: "United States"}) {
		t.Fatalf("countries %+v", countries)
	}
	ja, err := e.newClient(t, client.WithLang("ja")).SMSCountries(ctx)
	if err != nil || len(ja) != len(countries) {
		t.Fatalf("ja countries %v %+v", err, ja)
	}
	translated := 0
	for i := range ja {
		if ja[i].Code != countries[i].Code || ja[i].Name == "" {
			t.Fatalf("ja country %+v vs %+v", ja[i], countries[i])
		}
		if ja[i].Name != countries[i].Name {
			translated++
		}
	}
	if translated == 0 {
		t.Fatal("no country name translated into ja")
	}

	every, err := e.c.SMSProjects(ctx, "")
	if err != nil || len(every) != 20*15 {
		t.Fatalf("all projects: %v, %d", err, len(every))
	}
	projects := map[string][]client.SMSProject{}
	for _, cc := range []string{"us", "gb"} {
		ps, err := e.c.SMSProjects(ctx, cc)
		if err != nil || len(ps) != 15 {
			t.Fatalf("%s projects: %v %d", cc, err, len(ps))
		}
		for _, p := range ps {
			if p.CountryID != cc || !hex24.MatchString(p.ProjectID) || !p.Price.IsPositive() || p.Price.Scale() != 4 || p.Name == "" || p.CountryTitle == "" {
				t.Fatalf("project %+v", p)
			}
		}
		projects[cc] = ps
	}
	us, gb := projects["us"], projects["gb"]
	if us[0].ProjectID == gb[0].ProjectID || us[0].Name != gb[0].Name {
		t.Fatalf("projects are per country: %+v %+v", us[0], gb[0])
	}
	ruProj, err := e.newClient(t, client.WithLang("ru")).SMSProjects(ctx, "us")
	if err != nil || ruProj[0].ProjectID != us[0].ProjectID || ruProj[0].CountryTitle == us[0].CountryTitle {
		t.Fatalf("ru projects: %v %+v", err, ruProj)
	}

	p, p2 := us[0], us[1]
	t0 := e.clk.Now()
	bal := e.balance(t, ctx)
	spent := decimal.Zero
	buy := func(r client.AddSMSRequest, n int, price client.Decimal) []client.SMSOrder {
		t.Helper()
		before := e.srv.Stats()
		got, err := e.c.AddSMS(ctx, r)
		if err != nil {
			t.Fatalf("AddSMS %+v: %v", r, err)
		}
		if len(got) != n {
			t.Fatalf("AddSMS %+v: %d numbers, want %d", r, len(got), n)
		}
		after := e.srv.Stats()
		if delta(before.Requests, after.Requests, "add_sms") != 1 || after.SMSPlaced-before.SMSPlaced != n {
			t.Fatalf("AddSMS %+v: sandbox stats %+v", r, after)
		}
		for _, o := range got {
			if o.Order <= 0 || !strings.HasPrefix(o.Phone, "+1") || o.Country != "us" || o.Status != "active" {
				t.Fatalf("number %+v", o)
			}
		}
		spent = spent.Add(price.Mul(decimal.NewFromInt(int64(n))))
		sameDecimal(t, "balance after AddSMS", e.balance(t, ctx), bal.Sub(spent))
		return got
	}
	five := buy(client.AddSMSRequest{ProjectID: p.ProjectID, Quantity: 5, Country: "us"}, 5, p.Price) // the 5th never gets a code
	one := buy(client.AddSMSRequest{ProjectID: p.ProjectID}, 1, p.Price)                              // quantity 0: the server's 1
	ten := buy(client.AddSMSRequest{ProjectID: p.ProjectID, Quantity: client.MaxSMSQuantity, Country: "US"}, 10, p.Price)
	reuse := buy(client.AddSMSRequest{ProjectID: p2.ProjectID, Phone: five[0].Phone}, 1, p2.Price) // another project, same number
	if reuse[0].Phone != five[0].Phone {
		t.Fatalf("reused %s, got %s", five[0].Phone, reuse[0].Phone)
	}
	phones := map[string]bool{}
	for _, o := range slices.Concat(five, one, ten) {
		if phones[o.Phone] {
			t.Fatalf("number %s sold twice", o.Phone)
		}
		phones[o.Phone] = true
	}

	// 11 numbers are refused before sending.
	before := e.srv.Stats().Requests["add_sms"]
	_, err = e.c.AddSMS(ctx, client.AddSMSRequest{ProjectID: p.ProjectID, Quantity: client.MaxSMSQuantity + 1})
	notPlaced(t, "11 numbers", err)
	if !errors.Is(err, client.ErrInvalidArgument) || e.srv.Stats().Requests["add_sms"] != before {
		t.Fatalf("11 numbers: %v, sent: %v", err, e.srv.Stats().Requests["add_sms"] != before)
	}

	// Right after the order: active, no code yet.
	st, err := e.c.SMSStatus(ctx, five[0].Order)
	if err != nil {
		t.Fatal(err)
	}
	if st.Status != "active" || st.Phone != five[0].Phone || st.Code != "" || st.Currency != "USD" ||
		st.Charge.String() != p.Price.String() || !st.ExpiresAt.Equal(t0.Add(sandbox.SMSLifetime)) || st.Expired(e.clk.Now()) {
		t.Fatalf("new number: %+v", st)
	}
	code, err := e.c.SMSCode(ctx, five[0].Order)
	if err != nil || code.Received() || code.Status != "waiting" || code.Message != "Waiting for code" {
		t.Fatalf("code at once: %v %+v", err, code)
	}
	e.clk.Advance(3 * time.Second)
	if st, err := e.c.SMSStatus(ctx, five[0].Order); err != nil || st.Status != "waiting" {
		t.Fatalf("after 3s: %v %+v", err, st)
	}

	// Poll sms_code, one simulated second at a time, until the code comes.
	for range 20 {
		if code, err = e.c.SMSCode(ctx, five[0].Order); err != nil {
			t.Fatal(err)
		}
		if code.Received() {
			break
		}
		e.clk.Advance(time.Second)
	}
	if !code.Received() || code.Status != "completed" || !digits6.MatchString(code.Code) ||
		code.SMSContent != "Your OpenAI verification code is "+code.Code {
		t.Fatalf("code: %+v", code)
	}

	// By 16 s every number has its code but the 5th.
	e.clk.Advance(t0.Add(16 * time.Second).Sub(e.clk.Now()))
	for i, o := range slices.Concat(five, one, ten, reuse) {
		n := i + 1 // the n-th number bought
		st, err := e.c.SMSStatus(ctx, o.Order)
		if err != nil {
			t.Fatal(err)
		}
		c, err := e.c.SMSCode(ctx, o.Order)
		if err != nil {
			t.Fatal(err)
		}
		if n%5 == 0 && o.Order != reuse[0].Order {
			if st.Status != "waiting" || st.Code != "" || c.Received() || c.Status != "waiting" {
				t.Fatalf("number %d (never gets a code): %+v %+v", n, st, c)
			}
			continue
		}
		if st.Status != "code_received" || !digits6.MatchString(st.Code) || c.Code != st.Code || c.Status != "completed" {
			t.Fatalf("number %d: %+v %+v", n, st, c)
		}
	}

	// After 20 minutes every number has expired; no money comes back.
	e.clk.Advance(sandbox.SMSLifetime)
	for i, o := range []client.SMSOrder{five[0], five[4]} {
		st, err := e.c.SMSStatus(ctx, o.Order)
		if err != nil {
			t.Fatal(err)
		}
		if st.Status != "expired" || !st.Expired(e.clk.Now()) || !st.Expired(st.ExpiresAt) || st.Expired(st.ExpiresAt.Add(-time.Millisecond)) {
			t.Fatalf("number %d after expiry: %+v", i, st)
		}
		c, err := e.c.SMSCode(ctx, o.Order)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 && (c.Status != "completed" || c.Code != code.Code || st.Code != code.Code) {
			t.Fatalf("expired number keeps its code: %+v %+v", st, c)
		}
		if i == 1 && (c.Status != "expired" || c.Received() || st.Code != "") {
			t.Fatalf("expired without a code: %+v %+v", st, c)
		}
	}
	sameDecimal(t, "balance after expiry", e.balance(t, ctx), bal.Sub(spent))
	sameDecimal(t, "money spent", spent, p.Price.Mul(decimal.NewFromInt(16)).Add(p2.Price.Decimal))
}

// ---------------------------------------------------------------------------------------------
// 2. Documented errors as typed errors; other messages passed through.

// formRewriter edits the form of every request before it leaves: the way to send what the
// client itself never sends (an unknown action, an add without a service).
type formRewriter struct {
	base http.RoundTripper
	edit func(url.Values)
}

func (f formRewriter) RoundTrip(r *http.Request) (*http.Response, error) {
	b, err := io.ReadAll(r.Body)
	r.Body.Close()
	if err != nil {
		return nil, err
	}
	v, err := url.ParseQuery(string(b))
	if err != nil {
		return nil, err
	}
	f.edit(v)
	body := v.Encode()
	r2 := r.Clone(r.Context())
	r2.Body = io.NopCloser(strings.NewReader(body))
	r2.ContentLength = int64(len(body))
	r2.GetBody = nil
	return f.base.RoundTrip(r2)
}

func rewritingClient(t *testing.T, e *itEnv, edit func(url.Values)) *client.Client {
	t.Helper()
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return e.newClient(t, client.WithHTTPClient(&http.Client{Transport: formRewriter{tr, edit}}))
}

// documentedErrorCases makes every documented error happen through a client of e and returns
// them by name. It checks each: the typed error, errors.Is on its sentinel and on no other, one
// request, and for Add/AddSMS ErrNotSent.
func documentedErrorCases(t *testing.T, e *itEnv, wrongKey string) map[string]error {
	t.Helper()
	ctx := itCtx(t)
	all := e.allRows(t, ctx)
	out := map[string]error{}
	type call struct {
		name, action string
		do           func() error
		spend        bool
	}
	run := func(c *client.Client, sentinel error, msg string, calls func(c *client.Client) []call) {
		t.Helper()
		for _, cl := range calls(c) {
			before := e.srv.Stats()
			err := cl.do()
			after := e.srv.Stats()
			name := cl.name
			if err == nil {
				t.Fatalf("%s: no error", name)
			}
			ae := apiError(t, name, err, msg)
			if !ae.Documented() {
				t.Fatalf("%s: %q not documented", name, msg)
			}
			onlySentinel(t, name, err, sentinel)
			if cl.spend {
				notPlaced(t, name, err)
				if after.OrdersPlaced != before.OrdersPlaced || after.SMSPlaced != before.SMSPlaced {
					t.Fatalf("%s: an order was placed", name)
				}
			} else if errors.Is(err, client.ErrNotSent) || errors.Is(err, client.ErrOutcomeUnknown) {
				t.Fatalf("%s: a read error carries a spend outcome", name)
			}
			if got := delta(before.Requests, after.Requests, cl.action); got != 1 {
				t.Fatalf("%s: %d %s requests, want 1 (API errors are not retried)", name, got, cl.action)
			}
			out[name] = err
		}
	}
	smm := pick(t, all, "an SMM row in stock", func(s client.Service) bool { return !s.IsProduct() && s.Stock >= s.Min && s.Max >= 2*s.Min })
	dear := pick(t, all, "a product dearer than 1.00", func(s client.Service) bool {
		return s.IsProduct() && s.Stock >= 1 && s.Min == 1 && s.Rate.GreaterThan(decimal.NewFromInt(1))
	})
	us, err := e.c.SMSProjects(ctx, "us")
	if err != nil {
		t.Fatal(err)
	}
	proj := us[0]
	bal := e.srv.BalanceString()
	okAdd := client.AddRequest{Service: smm.Service, Quantity: smm.Min, Link: "https://t.me/x"}

	// Invalid API key: every action.
	bad := e.newClient(t, client.WithAPIKey(wrongKey))
	run(bad, client.ErrInvalidKey, "Invalid API key", func(c *client.Client) []call {
		return []call{
			{"bad key categories", "categories", func() error { _, err := c.Categories(ctx); return err }, false},
			{"bad key shops", "shops", func() error { _, err := c.Shops(ctx, 1, 5); return err }, false},
			{"bad key services", "services", func() error { _, err := c.Services(ctx, client.ServicesParams{}); return err }, false},
			{"bad key products", "products", func() error { _, err := c.Products(ctx, client.ServicesParams{}); return err }, false},
			{"bad key all services", "services", func() error { _, err := c.AllServices(ctx, client.ServicesParams{}, 10, nil); return err }, false},
			{"bad key inventory", "inventory", func() error { _, err := c.Inventory(ctx, smm.Service); return err }, false},
			{"bad key balance", "balance", func() error { _, err := c.Balance(ctx); return err }, false},
			{"bad key status", "status", func() error { _, err := c.Status(ctx, 23501); return err }, false},
			{"bad key sms_countries", "sms_countries", func() error { _, err := c.SMSCountries(ctx); return err }, false},
			{"bad key sms_projects", "sms_projects", func() error { _, err := c.SMSProjects(ctx, "us"); return err }, false},
			{"bad key sms_code", "sms_code", func() error { _, err := c.SMSCode(ctx, 23501); return err }, false},
			{"bad key sms_status", "sms_status", func() error { _, err := c.SMSStatus(ctx, 23501); return err }, false},
			{"bad key add", "add", func() error { _, err := c.Add(ctx, okAdd); return err }, true},
			{"bad key add_sms", "add_sms", func() error { _, err := c.AddSMS(ctx, client.AddSMSRequest{ProjectID: proj.ProjectID}); return err }, true},
		}
	})

	// Invalid action: the client cannot send one, so the form is rewritten on its way out.
	bogus := rewritingClient(t, e, func(v url.Values) { v.Set("action", "refund_everything") })
	run(bogus, client.ErrInvalidAction, "Invalid action", func(c *client.Client) []call {
		return []call{
			{"invalid action (read)", "invalid", func() error { _, err := c.Balance(ctx); return err }, false},
			{"invalid action (add)", "invalid", func() error { _, err := c.Add(ctx, okAdd); return err }, true},
		}
	})

	// Service ID is required: the client refuses a missing service itself, so it is removed on
	// the way out.
	noSvc := rewritingClient(t, e, func(v url.Values) { v.Del("service") })
	run(noSvc, client.ErrServiceIDRequired, "Service ID is required", func(c *client.Client) []call {
		return []call{
			{"no service (inventory)", "inventory", func() error { _, err := c.Inventory(ctx, smm.Service); return err }, false},
			{"no service (add)", "add", func() error { _, err := c.Add(ctx, okAdd); return err }, true},
		}
	})

	run(e.c, client.ErrServiceNotFound, "Service not found", func(c *client.Client) []call {
		return []call{
			{"unknown service (inventory)", "inventory", func() error { _, err := c.Inventory(ctx, 999_999); return err }, false},
			{"unknown service (add)", "add", func() error {
				_, err := c.Add(ctx, client.AddRequest{Service: 999_999, Quantity: 10, Link: "https://t.me/x"})
				return err
			}, true},
		}
	})
	run(e.c, client.ErrOrderNotFound, "Order not found", func(c *client.Client) []call {
		return []call{
			{"unknown order (status)", "status", func() error { _, err := c.Status(ctx, 1); return err }, false},
			{"unknown order (sms_code)", "sms_code", func() error { _, err := c.SMSCode(ctx, 1); return err }, false},
			{"unknown order (sms_status)", "sms_status", func() error { _, err := c.SMSStatus(ctx, 987_654_321); return err }, false},
		}
	})
	run(e.c, client.ErrInsufficientBalance, "Insufficient balance", func(c *client.Client) []call {
		return []call{
			{"insufficient balance (add)", "add", func() error {
				_, err := c.Add(ctx, client.AddRequest{Service: dear.Service, Quantity: 1})
				return err
			}, true},
			{"insufficient balance (add_sms)", "add_sms", func() error {
				_, err := c.AddSMS(ctx, client.AddSMSRequest{ProjectID: proj.ProjectID, Quantity: 3})
				return err
			}, true},
		}
	})
	if got := e.srv.BalanceString(); got != bal || e.srv.Stats().OrdersPlaced != 0 || e.srv.Stats().SMSPlaced != 0 {
		t.Fatalf("errors moved money: balance %s, want %s", got, bal)
	}
	return out
}

func TestIntegrationDocumentedErrors(t *testing.T) {
	// 1.00 is less than 3 numbers of any project in the United States and one unit of the
	// dearer products.
	e := newEnv(t, sandbox.Options{Balance: "1.00"})
	errs := documentedErrorCases(t, e, "sbx-Wrong-Key-91c2")
	if len(errs) != 25 {
		t.Fatalf("%d cases", len(errs))
	}
	if n := e.srv.Stats().Requests["invalid"]; n != 2 {
		t.Fatalf("the sandbox saw %d invalid actions, want 2", n)
	}
}

// otherMessageCases makes undocumented refusals happen; each must come through verbatim as an
// *APIError matching no sentinel, and Add/AddSMS must say ErrNotSent.
func otherMessageCases(t *testing.T, e *itEnv) map[string]error {
	t.Helper()
	ctx := itCtx(t)
	all := e.allRows(t, ctx)
	smm := pick(t, all, "an SMM row in stock with min > 1", func(s client.Service) bool {
		return !s.IsProduct() && !s.IsCustomComments() && s.Stock >= s.Min && s.Min > 1
	})
	soldOut := pick(t, all, "a sold-out SMM row", func(s client.Service) bool { return !s.IsProduct() && s.Stock == 0 })
	cc := pick(t, all, "a Custom Comments service", func(s client.Service) bool { return s.IsCustomComments() && s.Min <= 5 && s.Stock >= 10 })
	prod := pick(t, all, "a product in stock", func(s client.Service) bool { return s.IsProduct() && s.Stock >= 1 })
	projects, err := e.c.SMSProjects(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	us := slices.IndexFunc(projects, func(p client.SMSProject) bool { return p.CountryID == "us" })
	gb := slices.IndexFunc(projects, func(p client.SMSProject) bool { return p.CountryID == "gb" })
	// A number to reuse (bought before the cases; the cases must not move money).
	owned, err := e.c.AddSMS(ctx, client.AddSMSRequest{ProjectID: projects[us].ProjectID})
	if err != nil {
		t.Fatal(err)
	}
	bal := e.srv.BalanceString()
	placed := e.srv.Stats()

	link := "https://instagram.com/someone"
	cases := []struct {
		name, msg string
		add       *client.AddRequest
		sms       *client.AddSMSRequest
	}{
		{"below min", fmt.Sprintf("Quantity must be between %d and %d", smm.Min, smm.Max), &client.AddRequest{Service: smm.Service, Quantity: smm.Min - 1, Link: link}, nil},
		{"above max", fmt.Sprintf("Quantity must be between %d and %d", prod.Min, prod.Max), &client.AddRequest{Service: prod.Service, Quantity: prod.Max + 1}, nil},
		{"not enough stock", "Not enough stock", &client.AddRequest{Service: soldOut.Service, Quantity: soldOut.Min, Link: link}, nil},
		{"link required", "Link is required", &client.AddRequest{Service: smm.Service, Quantity: smm.Min}, nil},
		{"comments required", "Comments are required for this service (one per line)", &client.AddRequest{Service: cc.Service, Quantity: 5, Link: link}, nil},
		{"comments count", "Quantity must equal the number of comments (5)", &client.AddRequest{Service: cc.Service, Quantity: 6, Link: link, Comments: "a\nb\nc\nd\ne\n"}, nil},
		{"project not found", "Project not found", nil, &client.AddSMSRequest{ProjectID: "000000000000000000000000"}},
		{"country not found", "Country not found", nil, &client.AddSMSRequest{ProjectID: projects[us].ProjectID, Country: "zz"}},
		{"wrong country", "Project is not available in this country", nil, &client.AddSMSRequest{ProjectID: projects[gb].ProjectID, Country: "us"}},
		{"phone not found", "Phone number not found", nil, &client.AddSMSRequest{ProjectID: projects[us].ProjectID, Phone: "+10000000000"}},
		{"phone of another country", "Phone number does not belong to the project's country", nil, &client.AddSMSRequest{ProjectID: projects[gb].ProjectID, Phone: owned[0].Phone}},
		{"reuse quantity", "Quantity must be 1 when reusing a phone number", nil, &client.AddSMSRequest{ProjectID: projects[us].ProjectID, Phone: owned[0].Phone, Quantity: 2}},
	}
	out := map[string]error{}
	for _, tc := range cases {
		before := e.srv.Stats()
		var err error
		action := "add"
		if tc.add != nil {
			_, err = e.c.Add(ctx, *tc.add)
		} else {
			action = "add_sms"
			_, err = e.c.AddSMS(ctx, *tc.sms)
		}
		ae := apiError(t, tc.name, err, tc.msg)
		if ae.Documented() || ae.Action != action {
			t.Fatalf("%s: %+v", tc.name, ae)
		}
		onlySentinel(t, tc.name, err, nil)
		notPlaced(t, tc.name, err)
		if !strings.Contains(err.Error(), tc.msg) {
			t.Fatalf("%s: %q does not show the server's message", tc.name, err)
		}
		if d := delta(before.Requests, e.srv.Stats().Requests, action); d != 1 {
			t.Fatalf("%s: %d requests", tc.name, d)
		}
		out[tc.name] = err
	}
	if st := e.srv.Stats(); e.srv.BalanceString() != bal || st.OrdersPlaced != placed.OrdersPlaced || st.SMSPlaced != placed.SMSPlaced {
		t.Fatalf("refused orders moved money: %s -> %s", bal, e.srv.BalanceString())
	}
	return out
}

func TestIntegrationOtherMessages(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	if n := len(otherMessageCases(t, e)); n != 12 {
		t.Fatalf("%d cases", n)
	}
}

// ---------------------------------------------------------------------------------------------
// 3. Retries under faults, counted at the sandbox.

// readCall is one read action; it returns its result printed, to compare with a fault-free run.
type readCall struct {
	action string
	do     func(ctx context.Context, c *client.Client) (string, error)
}

func show(v any, err error) (string, error) {
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%+v", v), nil
}

// readCalls lists a call of every read action. It places an order and buys a number (faults
// off) so that status, sms_code and sms_status have something to read.
func readCalls(t *testing.T, e *itEnv) []readCall {
	t.Helper()
	ctx := itCtx(t)
	all := e.allRows(t, ctx)
	smm := pick(t, all, "an SMM row in stock", func(s client.Service) bool { return !s.IsProduct() && s.Stock >= s.Min })
	prod := pick(t, all, "a product in stock", func(s client.Service) bool { return s.IsProduct() && s.Stock >= 1 })
	res, err := e.c.Add(ctx, client.AddRequest{Service: smm.Service, Quantity: smm.Min, Link: "https://t.me/x"})
	if err != nil {
		t.Fatal(err)
	}
	us, err := e.c.SMSProjects(ctx, "us")
	if err != nil {
		t.Fatal(err)
	}
	num, err := e.c.AddSMS(ctx, client.AddSMSRequest{ProjectID: us[0].ProjectID})
	if err != nil {
		t.Fatal(err)
	}
	return []readCall{
		{"balance", func(ctx context.Context, c *client.Client) (string, error) { return show(c.Balance(ctx)) }},
		{"categories", func(ctx context.Context, c *client.Client) (string, error) { return show(c.Categories(ctx)) }},
		{"shops", func(ctx context.Context, c *client.Client) (string, error) { return show(c.Shops(ctx, 2, 10)) }},
		{"services", func(ctx context.Context, c *client.Client) (string, error) {
			return show(c.Services(ctx, client.ServicesParams{Page: 3, Limit: 20, Lang: "ru"}))
		}},
		{"products", func(ctx context.Context, c *client.Client) (string, error) {
			return show(c.Products(ctx, client.ServicesParams{Category: "Proxies"}))
		}},
		{"inventory", func(ctx context.Context, c *client.Client) (string, error) {
			return show(c.Inventory(ctx, prod.Service))
		}},
		{"status", func(ctx context.Context, c *client.Client) (string, error) { return show(c.Status(ctx, res.Order)) }},
		{"sms_countries", func(ctx context.Context, c *client.Client) (string, error) { return show(c.SMSCountries(ctx)) }},
		{"sms_projects", func(ctx context.Context, c *client.Client) (string, error) { return show(c.SMSProjects(ctx, "de")) }},
		{"sms_code", func(ctx context.Context, c *client.Client) (string, error) { return show(c.SMSCode(ctx, num[0].Order)) }},
		{"sms_status", func(ctx context.Context, c *client.Client) (string, error) {
			return show(c.SMSStatus(ctx, num[0].Order))
		}},
	}
}

// readTotals sums the request and faulted counters of the read actions.
func readTotals(st sandbox.Stats) (requests, faulted int) {
	for k, v := range st.Requests {
		if k != "add" && k != "add_sms" {
			requests += v
		}
	}
	for k, v := range st.Faulted {
		if k != "add" && k != "add_sms" {
			faulted += v
		}
	}
	return requests, faulted
}

// faultKind is one of the sandbox's fault kinds, with the key Stats.Faults counts it under.
type faultKind struct {
	key string
	f   sandbox.Faults
}

// faultKinds are the sandbox's fault kinds, each alone at probability p.
func faultKinds(p float64) []faultKind {
	return []faultKind{
		{"reset", sandbox.Faults{Reset: p}},
		{"drop", sandbox.Faults{DropAfterCommit: p}},
		{"html", sandbox.Faults{HTML502: p}},
		{"429", sandbox.Faults{RateLimit: p}},
		{"slow", sandbox.Faults{Slow: p, SlowDelay: time.Millisecond}},
		{"malformed", sandbox.Faults{Malformed: p}},
	}
}

// faultAt is the fault kind key alone at probability p.
func faultAt(key string, p float64) sandbox.Faults {
	for _, k := range faultKinds(p) {
		if k.key == key {
			return k.f
		}
	}
	panic("unknown fault kind " + key)
}

// checkReadFailure asserts how a read that met the fault kind on every attempt fails.
func checkReadFailure(t *testing.T, what, kind string, err error) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error", what)
	}
	if errors.Is(err, client.ErrNotSent) || errors.Is(err, client.ErrOutcomeUnknown) {
		t.Fatalf("%s: a read error carries a spend outcome: %v", what, err)
	}
	var te *client.TransportError
	var rl *client.RateLimitError
	switch kind {
	case "reset", "drop":
		if !errors.As(err, &te) || te.HTTPStatus != 0 || errors.Is(err, client.ErrNotJSON) {
			t.Fatalf("%s: %v (%T), want a network *TransportError", what, err, err)
		}
	case "html":
		if !errors.As(err, &te) || te.HTTPStatus != http.StatusBadGateway || !errors.Is(err, client.ErrNotJSON) || te.Excerpt != "502 Bad Gateway" {
			t.Fatalf("%s: %v (%T), want a 502 *TransportError", what, err, err)
		}
	case "429":
		if !errors.As(err, &rl) || rl.HTTPStatus != http.StatusTooManyRequests || rl.RetryAfter != time.Second || !errors.Is(err, client.ErrRateLimited) {
			t.Fatalf("%s: %v (%T), want a *RateLimitError", what, err, err)
		}
	case "malformed":
		if !errors.As(err, &te) || te.HTTPStatus != http.StatusOK || !errors.Is(err, client.ErrNotJSON) {
			t.Fatalf("%s: %v (%T), want a not-JSON *TransportError", what, err, err)
		}
	default:
		t.Fatalf("%s: unexpected kind %s", what, kind)
	}
}

func TestIntegrationReadRetryEachFault(t *testing.T) {
	e := newEnv(t, sandbox.Options{Seed: 11})
	ctx := itCtx(t)
	reads := readCalls(t, e)
	baseline := map[string]string{}
	for _, r := range reads {
		got, err := r.do(ctx, e.c)
		if err != nil {
			t.Fatalf("%s: %v", r.action, err)
		}
		baseline[r.action] = got
	}
	three := e.newClient(t, client.WithRetry(3, time.Millisecond, 2*time.Millisecond))
	many := e.newClient(t, client.WithRetry(12, time.Millisecond, 2*time.Millisecond))

	for _, k := range faultKinds(1) {
		if k.key == "429" {
			continue // its one-second Retry-After: TestIntegrationReadRetryRateLimit
		}
		t.Run(k.key, func(t *testing.T) {
			// Probability 1: every attempt fails, 3 of them, then the error; slow only delays.
			e.srv.SetFaults(k.f)
			for _, r := range reads {
				before := e.srv.Stats()
				got, err := r.do(ctx, three)
				after := e.srv.Stats()
				attempts := delta(before.Requests, after.Requests, r.action)
				if k.key == "slow" {
					if err != nil || got != baseline[r.action] || attempts != 1 {
						t.Fatalf("%s: %v, %d requests", r.action, err, attempts)
					}
				} else {
					checkReadFailure(t, r.action, k.key, err)
					if attempts != 3 {
						t.Fatalf("%s: %d requests, want 3", r.action, attempts)
					}
				}
				if d := delta(before.Faults, after.Faults, k.key); d != attempts {
					t.Fatalf("%s: %d faults for %d requests", r.action, d, attempts)
				}
			}

			// Probability 0.3: retried until it works, with the right answer; the sandbox sees
			// one request per call plus one per failed attempt.
			e.srv.SetFaults(faultAt(k.key, 0.3))
			before := e.srv.Stats()
			calls := 0
			for range 3 {
				for _, r := range reads {
					got, err := r.do(ctx, many)
					if err != nil {
						t.Fatalf("%s at 0.3: %v", r.action, err)
					}
					if got != baseline[r.action] {
						t.Fatalf("%s at 0.3: %s\nwant %s", r.action, got, baseline[r.action])
					}
					calls++
				}
			}
			after := e.srv.Stats()
			reqB, fltB := readTotals(before)
			reqA, fltA := readTotals(after)
			failed := fltA - fltB
			if k.key == "slow" {
				failed = 0
			}
			if fltA-fltB == 0 || reqA-reqB != calls+failed {
				t.Fatalf("%d calls, %d requests, %d faulted", calls, reqA-reqB, fltA-fltB)
			}

			// Cleared: one request a call.
			e.srv.SetFaults(sandbox.Faults{})
			before = e.srv.Stats()
			for _, r := range reads {
				if got, err := r.do(ctx, many); err != nil || got != baseline[r.action] {
					t.Fatalf("%s after clearing: %v", r.action, err)
				}
			}
			reqB, fltB = readTotals(before)
			reqA, fltA = readTotals(e.srv.Stats())
			if reqA-reqB != len(reads) || fltA != fltB {
				t.Fatalf("after clearing: %d requests for %d calls", reqA-reqB, len(reads))
			}
		})
	}
}

// TestIntegrationReadRetryRateLimit: a 429 page is retried after the server's Retry-After (one
// real second here).
func TestIntegrationReadRetryRateLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{Faults: sandbox.Faults{RateLimit: 1}})
	ctx := itCtx(t)
	two := e.newClient(t, client.WithRetry(2, time.Millisecond, 2*time.Millisecond))
	_, err := two.Balance(ctx)
	checkReadFailure(t, "balance", "429", err)
	if st := e.srv.Stats(); st.Requests["balance"] != 2 || st.Faults["429"] != 2 {
		t.Fatalf("stats %+v, want 2 requests", st)
	}
	e.srv.SetFaults(sandbox.Faults{})
	if b, err := two.Balance(ctx); err != nil || b.Balance.String() != "100.00" || e.srv.Stats().Requests["balance"] != 3 {
		t.Fatalf("after clearing: %v %+v", err, b)
	}
}

// TestIntegrationReadRetryMixed: every fault kind at once. Reads all succeed, with the same
// answers as without faults, and every failed attempt was followed by exactly one more request.
func TestIntegrationReadRetryMixed(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{Seed: 5})
	ctx := itCtx(t)
	reads := readCalls(t, e)
	baseline := map[string]string{}
	for _, r := range reads {
		got, err := r.do(ctx, e.c)
		if err != nil {
			t.Fatal(err)
		}
		baseline[r.action] = got
	}
	many := e.newClient(t, client.WithRetry(12, time.Millisecond, 2*time.Millisecond))
	e.srv.SetFaults(sandbox.Faults{Reset: 0.07, DropAfterCommit: 0.07, HTML502: 0.07, RateLimit: 0.02, Slow: 0.07, Malformed: 0.07, SlowDelay: time.Millisecond})
	before := e.srv.Stats()
	calls := 0
	for range 6 {
		for _, r := range reads {
			got, err := r.do(ctx, many)
			if err != nil {
				t.Fatalf("%s: %v", r.action, err)
			}
			if got != baseline[r.action] {
				t.Fatalf("%s: %s\nwant %s", r.action, got, baseline[r.action])
			}
			calls++
		}
	}
	after := e.srv.Stats()
	e.srv.SetFaults(sandbox.Faults{})
	reqB, fltB := readTotals(before)
	reqA, fltA := readTotals(after)
	slow := delta(before.Faults, after.Faults, "slow")
	if reqA-reqB != calls+(fltA-fltB)-slow {
		t.Fatalf("%d calls, %d requests, %d faulted (%d slow)", calls, reqA-reqB, fltA-fltB, slow)
	}
	for _, k := range faultKinds(1) {
		if delta(before.Faults, after.Faults, k.key) == 0 {
			t.Fatalf("no %s fault met: %+v", k.key, after.Faults)
		}
	}
	t.Logf("%d reads, %d requests, faults %v", calls, reqA-reqB, after.Faults)
}

// spendSetup finds a cheap SMM service that takes quantities from 100 to 400 with stock to
// spare, and a project of the United States.
func spendSetup(t *testing.T, e *itEnv) (client.Service, client.SMSProject) {
	t.Helper()
	ctx := itCtx(t)
	smm := pick(t, e.allRows(t, ctx), "a cheap SMM service", func(s client.Service) bool {
		return !s.IsProduct() && !s.IsCustomComments() && s.Min <= 100 && s.Max >= 400 && s.Stock >= 100_000
	})
	us, err := e.c.SMSProjects(ctx, "us")
	if err != nil {
		t.Fatal(err)
	}
	return smm, us[0]
}

// checkSpendFailure asserts the outcome and cause of an Add/AddSMS that met a fault kind.
func checkSpendFailure(t *testing.T, what, action, kind string, err error) {
	t.Helper()
	outcomeUnknown(t, what, err)
	var se *client.SpendError
	errors.As(err, &se)
	if se.Action != action {
		t.Fatalf("%s: action %q", what, se.Action)
	}
	var te *client.TransportError
	var rl *client.RateLimitError
	switch kind {
	case "reset", "drop": // the request left: the order may exist
		if !errors.As(err, &te) || te.HTTPStatus != 0 {
			t.Fatalf("%s: %v, want a network *TransportError", what, err)
		}
	case "html": // a proxy's page: the API's answer, if any, is lost
		if !errors.As(err, &te) || te.HTTPStatus != http.StatusBadGateway || !errors.Is(err, client.ErrNotJSON) {
			t.Fatalf("%s: %v, want a 502 *TransportError", what, err)
		}
	case "429": // a bare 429 page, not the API's refusal: documented as outcome unknown
		if !errors.As(err, &rl) || rl.HTTPStatus != http.StatusTooManyRequests || !errors.Is(err, client.ErrRateLimited) {
			t.Fatalf("%s: %v, want a *RateLimitError", what, err)
		}
	case "malformed":
		if !errors.As(err, &te) || te.HTTPStatus != http.StatusOK || !errors.Is(err, client.ErrNotJSON) {
			t.Fatalf("%s: %v, want a not-JSON *TransportError", what, err)
		}
	default:
		t.Fatalf("%s: unexpected kind %s", what, kind)
	}
}

// TestIntegrationSpendEachFault: under every fault kind at probability 1, Add and AddSMS are sent
// exactly once per call (even though the client retries reads 4 times) and say whether the order
// may exist; the drop fault commits the order, and the balance shows it.
func TestIntegrationSpendEachFault(t *testing.T) {
	e := newEnv(t, sandbox.Options{Balance: "1000.00", Seed: 3})
	ctx := itCtx(t)
	smm, proj := spendSetup(t, e)
	committedBy := map[string]bool{"drop": true, "slow": true}

	for _, k := range faultKinds(1) {
		t.Run(k.key, func(t *testing.T) {
			e.srv.SetFaults(k.f)
			for i := range 3 {
				qty := int64(100 + i)
				before, bal := e.srv.Stats(), e.sandboxBalance(t)
				res, err := e.c.Add(ctx, client.AddRequest{Service: smm.Service, Quantity: qty, Link: "https://t.me/x"})
				after := e.srv.Stats()
				if d := delta(before.Requests, after.Requests, "add"); d != 1 {
					t.Fatalf("add %d: %d requests, want exactly 1", i, d)
				}
				if d := delta(before.Faults, after.Faults, k.key); d != 1 {
					t.Fatalf("add %d: %d %s faults", i, d, k.key)
				}
				charge := decimal.Zero
				if committedBy[k.key] {
					charge = smmCharge(smm.Rate, qty)
				}
				if k.key == "slow" {
					if err != nil || res.Order <= 0 {
						t.Fatalf("slow add: %v", err)
					}
				} else {
					checkSpendFailure(t, "add", "add", k.key, err)
				}
				placed := 0
				if committedBy[k.key] {
					placed = 1
				}
				if got := after.OrdersPlaced - before.OrdersPlaced; got != placed {
					t.Fatalf("add %d: %d orders placed, want %d", i, got, placed)
				}
				sameDecimal(t, "balance after add", e.sandboxBalance(t), bal.Sub(charge))

				before, bal = e.srv.Stats(), e.sandboxBalance(t)
				nums, err := e.c.AddSMS(ctx, client.AddSMSRequest{ProjectID: proj.ProjectID, Quantity: 2})
				after = e.srv.Stats()
				if d := delta(before.Requests, after.Requests, "add_sms"); d != 1 {
					t.Fatalf("add_sms %d: %d requests, want exactly 1", i, d)
				}
				charge, placed = decimal.Zero, 0
				if committedBy[k.key] {
					charge, placed = proj.Price.Mul(decimal.NewFromInt(2)), 2
				}
				if k.key == "slow" {
					if err != nil || len(nums) != 2 {
						t.Fatalf("slow add_sms: %v", err)
					}
				} else {
					checkSpendFailure(t, "add_sms", "add_sms", k.key, err)
				}
				if got := after.SMSPlaced - before.SMSPlaced; got != placed {
					t.Fatalf("add_sms %d: %d numbers placed, want %d", i, got, placed)
				}
				sameDecimal(t, "balance after add_sms", e.sandboxBalance(t), bal.Sub(charge))
			}

			// Cleared: an order goes through, in one request.
			e.srv.SetFaults(sandbox.Faults{})
			before := e.srv.Stats()
			if _, err := e.c.Add(ctx, client.AddRequest{Service: smm.Service, Quantity: 100, Link: "https://t.me/x"}); err != nil {
				t.Fatal(err)
			}
			if _, err := e.c.AddSMS(ctx, client.AddSMSRequest{ProjectID: proj.ProjectID}); err != nil {
				t.Fatal(err)
			}
			after := e.srv.Stats()
			if delta(before.Requests, after.Requests, "add") != 1 || delta(before.Requests, after.Requests, "add_sms") != 1 ||
				after.OrdersPlaced != before.OrdersPlaced+1 || after.SMSPlaced != before.SMSPlaced+1 {
				t.Fatalf("after clearing: %+v", after)
			}
		})
	}
	e.balance(t, ctx) // the client and the sandbox agree
}

// TestIntegrationSpendTimeout: an add whose answer does not come before the context ends has an
// unknown outcome (the request left); here the sandbox had not committed it.
func TestIntegrationSpendTimeout(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	smm, proj := spendSetup(t, e)
	bal := e.srv.BalanceString()
	e.srv.SetFaults(sandbox.Faults{Slow: 1, SlowDelay: time.Hour})
	for _, spend := range []struct {
		action string
		do     func(ctx context.Context) error
	}{
		{"add", func(ctx context.Context) error {
			_, err := e.c.Add(ctx, client.AddRequest{Service: smm.Service, Quantity: 100, Link: "https://t.me/x"})
			return err
		}},
		{"add_sms", func(ctx context.Context) error {
			_, err := e.c.AddSMS(ctx, client.AddSMSRequest{ProjectID: proj.ProjectID})
			return err
		}},
		{"balance", func(ctx context.Context) error { _, err := e.c.Balance(ctx); return err }},
	} {
		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		before := e.srv.Stats()
		err := spend.do(ctx)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("%s: %v, want the deadline", spend.action, err)
		}
		if spend.action == "balance" {
			if errors.Is(err, client.ErrOutcomeUnknown) || errors.Is(err, client.ErrNotSent) {
				t.Fatalf("read: %v", err)
			}
		} else {
			outcomeUnknown(t, spend.action, err)
		}
		if d := delta(before.Requests, e.srv.Stats().Requests, spend.action); d != 1 {
			t.Fatalf("%s: %d requests, want 1 (no retry once the context has ended)", spend.action, d)
		}
	}
	e.srv.SetFaults(sandbox.Faults{})
	if st := e.srv.Stats(); st.OrdersPlaced != 0 || st.SMSPlaced != 0 || e.srv.BalanceString() != bal {
		t.Fatalf("a timed-out order was committed: %+v", st)
	}
}

// deadSandbox starts a sandbox with key itKey, makes one request to it through a client, and
// closes it: the endpoint then refuses connections. It returns the endpoint, that client (which
// had a connection) and the closed server.
func deadSandbox(t *testing.T) (string, *client.Client, *sandbox.Server) {
	t.Helper()
	srv, err := sandbox.New(sandbox.Options{Key: itKey})
	if err != nil {
		t.Fatal(err)
	}
	rn, err := sandbox.Listen("127.0.0.1:0", srv)
	if err != nil {
		t.Fatal(err)
	}
	ctx := itCtx(t)
	live := newITClient(t, rn.URL, rn.Key)
	if _, err := live.Balance(ctx); err != nil {
		t.Fatal(err)
	}
	if err := rn.Close(ctx); err != nil {
		t.Fatal(err)
	}
	return rn.URL, live, srv
}

// TestIntegrationSpendDeadPort: nothing listens any more, so the request never left: ErrNotSent.
func TestIntegrationSpendDeadPort(t *testing.T) {
	ctx := itCtx(t)
	endpoint, live, srv := deadSandbox(t)
	refused := func(name string, err error) {
		t.Helper()
		notPlaced(t, name, err)
		var te *client.TransportError
		if !errors.As(err, &te) || te.HTTPStatus != 0 || !errors.Is(err, syscall.ECONNREFUSED) {
			t.Fatalf("%s: %v, want a refused connection", name, err)
		}
	}
	fresh := newITClient(t, endpoint, itKey)
	_, err := fresh.Add(ctx, client.AddRequest{Service: 1, Quantity: 100, Link: "https://t.me/x"})
	refused("add", err)
	_, err = fresh.AddSMS(ctx, client.AddSMSRequest{ProjectID: "65f000000000000000000000"})
	refused("add_sms", err)
	_, err = fresh.Balance(ctx)
	var te *client.TransportError
	if !errors.As(err, &te) || errors.Is(err, client.ErrNotSent) || !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("balance: %v", err)
	}

	// The client that talked to the server may still hold the keep-alive connection the server
	// closed when it shut down. If its first call writes onto that connection before the close
	// is noticed, the request went out and no answer came: that is indistinguishable from a
	// server that took the order and died (HTTP/1.1 gives no way to tell; Go's transport will not
	// replay a POST there either), so ErrOutcomeUnknown is right then. Once that connection is
	// gone, the dead port is ErrNotSent again.
	_, err = live.Add(ctx, client.AddRequest{Service: 1, Quantity: 100, Link: "https://t.me/x"})
	var se *client.SpendError
	if !errors.As(err, &se) || (!se.NotSent() && !errors.Is(err, client.ErrOutcomeUnknown)) {
		t.Fatalf("used client, first add: %v", err)
	}
	if se.NotSent() {
		refused("used client, first add", err)
	}
	_, err = live.Add(ctx, client.AddRequest{Service: 1, Quantity: 100, Link: "https://t.me/x"})
	refused("used client, second add", err)
	if st := srv.Stats(); st.Requests["add"] != 0 || st.Requests["add_sms"] != 0 || st.Requests["balance"] != 1 {
		t.Fatalf("the closed sandbox saw %+v", st.Requests)
	}
}

// TestIntegrationSpendMixedLoop: 200 adds under every fault kind at once. The sandbox sees
// exactly one add request per call; every failure says outcome unknown; the orders it committed
// are exactly the successes plus the dropped answers, each traced back to its call (every call
// orders a different quantity, which status shows as remains while the order is Pending); and
// the balance is the start minus their charges, exactly.
func TestIntegrationSpendMixedLoop(t *testing.T) {
	e := newEnv(t, sandbox.Options{Balance: "100000.00", Seed: 42})
	ctx := itCtx(t)
	smm, _ := spendSetup(t, e)
	const calls = 200
	const baseQty = 101
	add := func(qty int64) (*client.AddResult, error) {
		return e.c.Add(ctx, client.AddRequest{Service: smm.Service, Quantity: qty, Link: "https://t.me/x"})
	}

	first, err := add(100) // marks where the loop's order ids begin
	if err != nil {
		t.Fatal(err)
	}
	start := e.sandboxBalance(t)
	e.srv.SetFaults(sandbox.Faults{Reset: 0.1, DropAfterCommit: 0.1, HTML502: 0.1, RateLimit: 0.1, Slow: 0.1, Malformed: 0.1, SlowDelay: time.Millisecond})
	before := e.srv.Stats()
	success := map[int64]int{} // order id -> call
	unknown := map[int]bool{}  // calls with an unknown outcome
	lastID := first.Order
	for i := range calls {
		res, err := add(baseQty + int64(i))
		if err == nil {
			if res.Order <= lastID {
				t.Fatalf("call %d: order %d after %d", i, res.Order, lastID)
			}
			lastID = res.Order
			success[res.Order] = i
			continue
		}
		if errors.Is(err, client.ErrNotSent) {
			t.Fatalf("call %d: %v: no fault here leaves the request unsent", i, err)
		}
		outcomeUnknown(t, fmt.Sprintf("call %d", i), err)
		unknown[i] = true
	}
	after := e.srv.Stats()
	e.srv.SetFaults(sandbox.Faults{})

	faults := func(k string) int { return delta(before.Faults, after.Faults, k) }
	placed := after.OrdersPlaced - before.OrdersPlaced
	switch {
	case delta(before.Requests, after.Requests, "add") != calls:
		t.Fatalf("%d add requests for %d calls", delta(before.Requests, after.Requests, "add"), calls)
	case len(unknown) != faults("reset")+faults("drop")+faults("html")+faults("429")+faults("malformed"):
		t.Fatalf("%d unknown outcomes, faults %v", len(unknown), after.Faults)
	case len(success)+len(unknown) != calls:
		t.Fatalf("%d successes + %d unknown != %d", len(success), len(unknown), calls)
	case placed != len(success)+faults("drop"):
		t.Fatalf("%d orders placed, %d successes, %d dropped answers", placed, len(success), faults("drop"))
	}
	for _, k := range faultKinds(1) {
		if faults(k.key) == 0 {
			t.Fatalf("no %s fault met: %v", k.key, after.Faults)
		}
	}

	last, err := add(100) // marks where they end
	if err != nil {
		t.Fatal(err)
	}
	if got := int(last.Order - first.Order - 1); got != placed {
		t.Fatalf("%d order ids between the marks, %d orders placed", got, placed)
	}
	// Every committed order, traced to its call; the clock has not moved, so all are Pending
	// and charged in full.
	spent := decimal.Zero
	lost := 0
	for id := first.Order + 1; id < last.Order; id++ {
		st, err := e.c.Status(ctx, id)
		if err != nil {
			t.Fatalf("order %d: %v", id, err)
		}
		call := int(st.Remains - baseQty)
		if st.Status != client.StatusPending || call < 0 || call >= calls {
			t.Fatalf("order %d: %+v", id, st)
		}
		if i, ok := success[id]; ok {
			if i != call {
				t.Fatalf("order %d was call %d, status says %d", id, i, call)
			}
		} else {
			if !unknown[call] {
				t.Fatalf("order %d (call %d) exists but the call did not say outcome unknown", id, call)
			}
			lost++
		}
		want := smmCharge(smm.Rate, st.Remains)
		sameDecimal(t, fmt.Sprintf("order %d charge", id), st.Charge.Decimal, want)
		spent = spent.Add(want)
	}
	if lost != faults("drop") {
		t.Fatalf("%d committed orders lost their answer, %d drop faults", lost, faults("drop"))
	}
	sameDecimal(t, "balance", e.sandboxBalance(t), start.Sub(spent).Sub(smmCharge(smm.Rate, 100)))
	e.balance(t, ctx)
	t.Logf("%d calls: %d placed and answered, %d unknown of which %d placed; faults %v", calls, len(success), len(unknown), lost, after.Faults)
}

// TestIntegrationSMSMixedLoop: the same for add_sms, one number a call.
func TestIntegrationSMSMixedLoop(t *testing.T) {
	e := newEnv(t, sandbox.Options{Balance: "1000.00", Seed: 7})
	ctx := itCtx(t)
	_, proj := spendSetup(t, e)
	const calls = 60
	start := e.sandboxBalance(t)
	e.srv.SetFaults(sandbox.Faults{Reset: 0.1, DropAfterCommit: 0.1, HTML502: 0.1, RateLimit: 0.1, Slow: 0.1, Malformed: 0.1, SlowDelay: time.Millisecond})
	before := e.srv.Stats()
	successes, unknowns := 0, 0
	for i := range calls {
		nums, err := e.c.AddSMS(ctx, client.AddSMSRequest{ProjectID: proj.ProjectID})
		switch {
		case err == nil && len(nums) == 1:
			successes++
		case err != nil:
			outcomeUnknown(t, fmt.Sprintf("call %d", i), err)
			unknowns++
		default:
			t.Fatalf("call %d: %d numbers", i, len(nums))
		}
	}
	after := e.srv.Stats()
	e.srv.SetFaults(sandbox.Faults{})
	placed := after.SMSPlaced - before.SMSPlaced
	if d := delta(before.Requests, after.Requests, "add_sms"); d != calls {
		t.Fatalf("%d add_sms requests for %d calls", d, calls)
	}
	if placed != successes+delta(before.Faults, after.Faults, "drop") || successes+unknowns != calls || unknowns == 0 {
		t.Fatalf("%d placed, %d successes, %d unknown, faults %v", placed, successes, unknowns, after.Faults)
	}
	sameDecimal(t, "balance", e.sandboxBalance(t), start.Sub(proj.Price.Mul(decimal.NewFromInt(int64(placed)))))
	e.balance(t, ctx)
}

// ---------------------------------------------------------------------------------------------
// 4. The key never shows in an error.

// assertKeyAbsent fails if any form of any key shows in err, printed any way, or in any error
// of its chain.
func assertKeyAbsent(t *testing.T, name string, err error, keys ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error", name)
	}
	var forms []string
	for _, k := range keys {
		forms = append(forms, k, url.QueryEscape(k), url.PathEscape(k))
	}
	texts := []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%v", err), fmt.Sprintf("%#v", err), fmt.Sprintf("%q", err)}
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		texts = append(texts, e.Error(), fmt.Sprintf("%+v", e))
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x)
			}
		}
	}
	walk(err)
	for _, s := range texts {
		for _, f := range forms {
			if strings.Contains(s, f) {
				t.Fatalf("%s: the key (%q) shows in %q", name, f, s)
			}
		}
	}
}

func TestIntegrationKeyRedaction(t *testing.T) {
	e := newEnv(t, sandbox.Options{Balance: "1.00"})
	ctx := itCtx(t)
	smm, proj := spendSetup(t, e)
	const wrongKey = "sbx-Wrong/Key+Distinct=7e21"
	errs := map[string]error{}
	for name, err := range documentedErrorCases(t, e, wrongKey) {
		errs["documented: "+name] = err
	}
	for name, err := range otherMessageCases(t, e) {
		errs["other: "+name] = err
	}

	// Every fault kind at probability 1, on reads and spends, without waiting for retries.
	once := e.newClient(t, client.WithRetry(1, 0, 0))
	for _, k := range faultKinds(1) {
		f := k.f
		if k.key == "slow" {
			f.SlowDelay = time.Hour // and the context ends first
		}
		e.srv.SetFaults(f)
		cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		if k.key == "slow" {
			cctx, cancel = context.WithTimeout(ctx, 50*time.Millisecond)
		}
		_, errs[k.key+": balance"] = once.Balance(cctx)
		_, errs[k.key+": services"] = once.Services(cctx, client.ServicesParams{Page: 1, Limit: 5})
		_, errs[k.key+": status"] = once.Status(cctx, 1)
		_, errs[k.key+": add"] = once.Add(cctx, client.AddRequest{Service: smm.Service, Quantity: 100, Link: "https://t.me/" + itKey})
		_, errs[k.key+": add_sms"] = once.AddSMS(cctx, client.AddSMSRequest{ProjectID: proj.ProjectID})
		cancel()
	}
	e.srv.SetFaults(sandbox.Faults{})

	// Refused before sending.
	_, errs["invalid argument: add"] = e.c.Add(ctx, client.AddRequest{Service: -1})
	_, errs["invalid argument: lang"] = e.c.Services(ctx, client.ServicesParams{Lang: itKey})
	_, errs["invalid argument: product id"] = e.c.Services(ctx, client.ServicesParams{ProductIDs: []string{itKey + ",x"}})
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	_, errs["canceled: balance"] = e.c.Balance(canceled)
	_, errs["canceled: add"] = e.c.Add(canceled, client.AddRequest{Service: smm.Service, Quantity: 100, Link: "x"})

	// Nobody listening.
	_, dead, _ := deadSandbox(t)
	_, errs["dead port: balance"] = dead.Balance(ctx)
	_, errs["dead port: add"] = dead.Add(ctx, client.AddRequest{Service: smm.Service, Quantity: 100, Link: "x"})
	_, errs["dead port: add_sms"] = dead.AddSMS(ctx, client.AddSMSRequest{ProjectID: proj.ProjectID})

	for name, err := range errs {
		keys := []string{itKey}
		if strings.HasPrefix(name, "documented: bad key") {
			keys = append(keys, wrongKey)
		}
		assertKeyAbsent(t, name, err, keys...)
	}
	for _, s := range []string{e.c.String(), fmt.Sprintf("%v %+v %#v", e.c, e.c, e.c)} {
		if strings.Contains(s, itKey) {
			t.Fatalf("the client prints its key: %s", s)
		}
	}
	if len(errs) < 60 {
		t.Fatalf("only %d errors checked", len(errs))
	}
}

// ---------------------------------------------------------------------------------------------
// 5. A large catalogue in one answer.

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
	rows, err := e.c.AllServices(ctx, client.ServicesParams{}, 0, func(done, total int) { progress = append(progress, [2]int{done, total}) })
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
