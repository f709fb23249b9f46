package gui

import (
	"context"
	"errors"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/hstockplus/hstockplus/account"
	"github.com/hstockplus/hstockplus/account/accounttest"
	"github.com/hstockplus/hstockplus/client"
	"github.com/hstockplus/hstockplus/client/sandbox"
)

// newSandboxUI builds the window on the real service layer (an in-memory store) over a fresh
// sandbox served on loopback.
func newSandboxUI(t *testing.T, demo bool) (*UI, *client.Client, *accounttest.Env) {
	t.Helper()
	srv, err := sandbox.New(sandbox.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	api := newLoopbackClient(t, srv)
	u, env := newTestUI(t, api, demo)
	return u, api, env
}

// newTestUI builds the window on the real service layer (an in-memory store) over api.
func newTestUI(t *testing.T, api account.API, demo bool) (*UI, *accounttest.Env) {
	t.Helper()
	env := accounttest.New(t, api)
	return newUIOn(t, env, demo), env
}

// newUIOn builds a window on env's service layer (a second window on the same store: a restart).
func newUIOn(t *testing.T, env *accounttest.Env, demo bool) *UI {
	t.Helper()
	a := test.NewTempApp(t)
	u := New(a, testDeps(t, env.Svc, demo))
	// As main wires it: the service layer's events reach the window on the UI goroutine (the
	// test driver runs fyne.Do inline).
	t.Cleanup(env.Svc.Subscribe(func(ev account.Event) { fyne.Do(func() { u.HandleEvent(ev) }) }))
	return u
}

// apiDeps completes d with a service layer over api (an in-memory store), as testDeps does.
func apiDeps(t *testing.T, api account.API, d Deps) Deps {
	t.Helper()
	td := testDeps(t, accounttest.New(t, api).Svc, d.Demo)
	if d.Account == nil {
		d.Account = td.Account
	}
	if d.Logf == nil {
		d.Logf = td.Logf
	}
	if d.AfterFunc == nil {
		d.AfterFunc = td.AfterFunc
	}
	if d.Go == nil {
		d.Go = td.Go
	}
	return d
}

// testDeps are the window's dependencies in tests: the "Copied" confirmations never reset
// (a timer firing after its test would touch widgets while the next test runs).
func testDeps(t *testing.T, svc Account, demo bool) Deps {
	return Deps{Account: svc, Demo: demo, Logf: t.Logf, Go: func(f func()) { f() },
		AfterFunc: func(time.Duration, func()) func() bool { return func() bool { return true } }}
}

// swapAPI is an API whose server can be swapped while the app runs (the network goes down).
type swapAPI struct {
	mu sync.Mutex
	account.API
}

func (s *swapAPI) set(api account.API) { s.mu.Lock(); s.API = api; s.mu.Unlock() }
func (s *swapAPI) get() account.API    { s.mu.Lock(); defer s.mu.Unlock(); return s.API }

func (s *swapAPI) Balance(ctx context.Context) (*client.Balance, error) {
	return s.get().Balance(ctx)
}

func (s *swapAPI) AllServices(ctx context.Context, p client.ServicesParams, n int, f func(int, int)) ([]client.Service, client.SkipReport, error) {
	return s.get().AllServices(ctx, p, n, f)
}

// failingAPI answers every call with the same error.
type failingAPI struct{ err error }

func (f failingAPI) Lang() string                                     { return "en" }
func (f failingAPI) Balance(context.Context) (*client.Balance, error) { return nil, f.err }
func (f failingAPI) AllServices(context.Context, client.ServicesParams, int, func(int, int)) ([]client.Service, client.SkipReport, error) {
	return nil, client.SkipReport{}, f.err
}
func (f failingAPI) Shops(context.Context, int, int) (*client.ShopsPage, error) { return nil, f.err }
func (f failingAPI) Services(context.Context, client.ServicesParams) (*client.ServicesPage, error) {
	return nil, f.err
}
func (f failingAPI) Inventory(context.Context, int64) (*client.Inventory, error) { return nil, f.err }
func (f failingAPI) Add(context.Context, client.AddRequest) (*client.AddResult, error) {
	return nil, f.err
}
func (f failingAPI) FetchImage(context.Context, string) ([]byte, string, error) {
	return nil, "", f.err
}
func (f failingAPI) Status(context.Context, int64) (*client.OrderStatus, error) { return nil, f.err }
func (f failingAPI) SMSCountries(context.Context) ([]client.SMSCountry, error)  { return nil, f.err }
func (f failingAPI) SMSProjects(context.Context, string) ([]client.SMSProject, error) {
	return nil, f.err
}
func (f failingAPI) AddSMS(context.Context, client.AddSMSRequest) ([]client.SMSOrder, error) {
	return nil, f.err
}
func (f failingAPI) SMSCode(context.Context, int64) (*client.SMSCode, error)     { return nil, f.err }
func (f failingAPI) SMSStatus(context.Context, int64) (*client.SMSStatus, error) { return nil, f.err }

func TestCatalogListsEveryServiceAndSearchNarrows(t *testing.T) {
	u, api, _ := newSandboxUI(t, true)
	want, _, err := api.AllServices(context.Background(), client.ServicesParams{}, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	u.catalog.load(context.Background())

	if got := u.catalog.list.Length(); got != len(want) || got == 0 {
		t.Fatalf("catalog lists %d rows, the sandbox has %d", got, len(want))
	}
	if u.catalog.msg.root.Visible() {
		t.Fatalf("message still shown over a loaded catalog: %q", u.catalog.msg.label.Text)
	}

	test.Type(u.catalog.search, "instagram")
	n := u.catalog.list.Length()
	if n == 0 || n >= len(want) {
		t.Fatalf("search for instagram shows %d of %d rows", n, len(want))
	}
	for _, i := range u.catalog.visible {
		if r := u.catalog.index.rows[i]; !strings.Contains(strings.ToLower(r.Name+r.Category), "instagram") {
			t.Errorf("row %q does not match instagram", r.Name)
		}
	}

	u.catalog.search.SetText("no-such-service-anywhere")
	if u.catalog.list.Length() != 0 || !u.catalog.msg.root.Visible() {
		t.Fatal("a search with no match must say so")
	}
	if !strings.Contains(u.catalog.msg.label.Text, "No service matches") {
		t.Fatalf("message = %q", u.catalog.msg.label.Text)
	}
}

func TestCatalogRowShowsPriceWithUnit(t *testing.T) {
	smm := client.Service{Service: 7, Name: "Likes", Category: "Instagram", Subcategory: "Likes", Rate: client.MustDecimal("0.50"), Stock: 2400000, Refill: true, AutoDelivery: true, EntityType: client.EntitySMM}
	prod := client.Service{Service: 8, Name: "Gmail", Category: "Accounts", Rate: client.MustDecimal("25.00"), EntityType: client.EntityProduct}
	row := newServiceRow()
	var toggled int64
	setServiceRow(row, smm, true, func(n int64) { toggled = n })
	for _, want := range []string{"0.50 / 1000", "#7 · Instagram › Likes · Refill", "2,400,000 in stock", "Likes"} {
		if !hasLabel(row, want) {
			t.Errorf("SMM row lacks %q: %q", want, labelTexts(row))
		}
	}
	star := row.(*fyne.Container).Objects[0].(*widget.Button)
	if star.Text != "★" {
		t.Fatalf("favourite star = %q", star.Text)
	}
	test.Tap(star)
	if toggled != 7 {
		t.Fatalf("star toggled %d", toggled)
	}
	setServiceRow(row, prod, false, nil)
	for _, want := range []string{"25.00 each", "out of stock", "#8 · Accounts · Manual delivery · Out of stock"} {
		if !hasLabel(row, want) {
			t.Errorf("product row lacks %q: %q", want, labelTexts(row))
		}
	}
	if star.Visible() {
		t.Fatal("star shown without a favourites handler")
	}
}

func TestCatalogErrorIsShownNotAnEmptyCatalog(t *testing.T) {
	u, _ := newTestUI(t, failingAPI{&client.TransportError{HTTPStatus: 502, Excerpt: "<html>"}}, false)
	u.catalog.load(context.Background())
	if u.catalog.list.Length() != 0 {
		t.Fatal("rows shown after a failed load")
	}
	txt := u.catalog.msg.label.Text
	if !u.catalog.msg.root.Visible() || !strings.Contains(txt, "Could not load the catalog") || !strings.Contains(txt, "502") {
		t.Fatalf("error state = %q", txt)
	}
	if !u.catalog.msg.button.Visible() {
		t.Fatal("no retry button")
	}
	if strings.Contains(txt, "empty") {
		t.Fatal("a failed load must not look like an empty catalog")
	}
}

func TestCatalogRefreshFailureKeepsOldRows(t *testing.T) {
	srv, err := sandbox.New(sandbox.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	api := &swapAPI{API: newLoopbackClient(t, srv)}
	u, _ := newTestUI(t, api, false)
	u.catalog.load(context.Background())
	n := u.catalog.list.Length()
	api.set(failingAPI{errors.New("network down")})
	u.catalog.load(context.Background())
	if u.catalog.list.Length() != n {
		t.Fatalf("a failed refresh dropped the rows: %d, had %d", u.catalog.list.Length(), n)
	}
	if !strings.Contains(u.catalog.count.Text, "refresh failed") {
		t.Fatalf("count label = %q", u.catalog.count.Text)
	}
}

func TestBalanceTabShowsBalance(t *testing.T) {
	u, _, _ := newSandboxUI(t, true)
	u.balance.load(context.Background())
	if got := u.balance.amount.Text; got != "100.00 USD" {
		t.Fatalf("balance label = %q", got)
	}
	if u.balance.errText.Visible() {
		t.Fatal("error shown after a good load")
	}
}

func TestBalanceErrorInWords(t *testing.T) {
	u, _ := newTestUI(t, failingAPI{&client.APIError{Message: "Invalid API key"}}, false)
	u.balance.load(context.Background())
	if !u.balance.errText.Visible() || !strings.Contains(u.balance.errText.Text, "API key was refused") {
		t.Fatalf("error = %q", u.balance.errText.Text)
	}
}

func TestShopsTabLoadsOnFirstOpen(t *testing.T) {
	u, _, _ := newSandboxUI(t, false)
	u.shops.load(context.Background())
	if u.shops.list.Length() == 0 {
		t.Fatal("no shops listed")
	}
	row := u.shops.list.CreateItem()
	u.shops.list.UpdateItem(0, row)
	if !strings.Contains(labelTexts(row), "★") {
		t.Fatalf("shop row has no rating stars: %q", labelTexts(row))
	}
}

func TestDemoBannerOnlyInDemo(t *testing.T) {
	u, _, _ := newSandboxUI(t, true)
	if !containsText(u.Window().Content(), "Demo mode") {
		t.Fatal("demo window has no banner")
	}
	u2, _, _ := newSandboxUI(t, false)
	if containsText(u2.Window().Content(), "Demo mode") {
		t.Fatal("banner shown outside demo mode")
	}
}

func TestWindowHasTheFiveTabs(t *testing.T) {
	u, _, _ := newSandboxUI(t, true)
	var names []string
	for _, it := range u.tabs.Items {
		names = append(names, it.Text)
	}
	if got := strings.Join(names, ","); got != "Catalog,Shops,Orders,SMS,Balance" {
		t.Fatalf("tabs = %s", got)
	}
	if u.Window().Title() != "HstockPlus" {
		t.Fatalf("title = %q", u.Window().Title())
	}
}

func TestStars(t *testing.T) {
	for r, want := range map[float64]string{0: "☆☆☆☆☆", 4.6: "★★★★★", 3.4: "★★★☆☆", 9: "★★★★★", -1: "☆☆☆☆☆"} {
		if got := stars(r); got != want {
			t.Errorf("stars(%v) = %s, want %s", r, got, want)
		}
	}
}

func hasLabel(o fyne.CanvasObject, text string) bool {
	return strings.Contains(labelTexts(o), "\x00"+text+"\x00")
}

// labelTexts joins the text of every label under o, each framed by NULs.
func labelTexts(o fyne.CanvasObject) string {
	var b strings.Builder
	var walk func(fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch v := o.(type) {
		case *widget.Label:
			b.WriteString("\x00" + v.Text + "\x00")
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c)
			}
		}
	}
	walk(o)
	return b.String()
}

// containsText reports whether a label or canvas text under o contains text.
func containsText(o fyne.CanvasObject, text string) bool {
	switch v := o.(type) {
	case *widget.Label:
		return strings.Contains(v.Text, text)
	case *canvas.Text:
		return strings.Contains(v.Text, text)
	case *fyne.Container:
		for _, c := range v.Objects {
			if containsText(c, text) {
				return true
			}
		}
	}
	return false
}

func TestColumnsLayoutLinesUpRows(t *testing.T) {
	a, b := newServiceRow(), newServiceRow()
	setServiceRow(a, client.Service{Service: 1, Name: "x", Rate: client.MustDecimal("1")}, false, nil)
	setServiceRow(b, client.Service{Service: 123456, Name: "a much longer name", Rate: client.MustDecimal("1")}, true, func(int64) {})
	for _, r := range []fyne.CanvasObject{a, b} {
		r.Resize(fyne.NewSize(900, 60))
	}
	ca, cb := a.(*fyne.Container).Objects, b.(*fyne.Container).Objects
	for i := range ca {
		if ca[i].Position().X != cb[i].Position().X || ca[i].Size().Width != cb[i].Size().Width {
			t.Fatalf("column %d: %v/%v vs %v/%v", i, ca[i].Position(), ca[i].Size(), cb[i].Position(), cb[i].Size())
		}
	}
	if w, fig := ca[1].Size().Width, ca[2].Size().Width; fig > 170 || fig < ca[2].MinSize().Width || w != 900-40-fig {
		t.Fatalf("text column width %v, figures %v (needs %v)", w, fig, ca[2].MinSize().Width)
	}
}

func TestGroupDigits(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 2400000: "2,400,000", -12345: "-12,345"} {
		if got := groupDigits(n); got != want {
			t.Errorf("groupDigits(%d) = %q, want %q", n, got, want)
		}
	}
}

func newLoopbackClient(tb testing.TB, srv *sandbox.Server) *client.Client {
	tb.Helper()
	hs := httptest.NewServer(srv)
	tb.Cleanup(hs.Close)
	api, err := client.New(client.WithEndpoint(hs.URL+"/api/v2"), client.WithAPIKey(srv.Key()),
		client.WithRetry(2, time.Millisecond, 5*time.Millisecond))
	if err != nil {
		tb.Fatal(err)
	}
	return api
}

// estimate is the cost of q of s, for tests on services whose price is known.
func estimate(t *testing.T, s client.Service, q int64) client.Decimal {
	t.Helper()
	c, ok := s.EstimateCost(q)
	if !ok {
		t.Fatalf("service %d has no price", s.Service)
	}
	return c
}

// A search inside a category says how many more match elsewhere, with one click to show them;
// the detail pane follows the list.
func TestCatalogSearchSaysMoreInOtherCategories(t *testing.T) {
	u, _, _ := newSandboxUI(t, false)
	u.catalog.load(context.Background())
	u.catalog.tree.Select("c\x00Instagram")
	test.Type(u.catalog.search, "likes")
	inside := u.catalog.list.Length()
	if inside == 0 || !u.catalog.wider.Visible() || !strings.Contains(u.catalog.wider.Text, "more in all categories") {
		t.Fatalf("%d inside, wider %v %q", inside, u.catalog.wider.Visible(), u.catalog.wider.Text)
	}
	test.Tap(u.catalog.wider)
	if all := u.catalog.list.Length(); all <= inside || u.catalog.wider.Visible() || u.catalog.filter.Category != "" {
		t.Fatalf("after the click: %d rows (was %d), wider %v, category %q", all, inside, u.catalog.wider.Visible(), u.catalog.filter.Category)
	}
	u.catalog.list.Select(0)
	if !u.catalog.detail.has {
		t.Fatal("no detail")
	}
	u.catalog.search.SetText("no-such-service-anywhere")
	if u.catalog.detail.has || !u.catalog.detail.empty.Visible() {
		t.Fatal("the detail pane still shows a service that left the list")
	}
}

// TestTabsBuiltWhenFirstSelected: the tabs not shown first are measured and laid out only once
// selected (the first frame measures the catalog only), and then show their content.
func TestTabsBuiltWhenFirstSelected(t *testing.T) {
	env := accounttest.New(t, failingAPI{})
	u := New(test.NewTempApp(t), testDeps(t, env.Svc, false))
	w := u.Window()
	w.Resize(fyne.NewSize(1100, 720))
	for _, tab := range []struct {
		item *container.TabItem
		obj  fyne.CanvasObject
	}{{u.orders.item, u.orders.list}, {u.balance.item, u.balance.refresh}, {u.sms.item, u.sms.countryList}} {
		inTree := func() bool {
			return findVisible(w.Canvas(), func(o fyne.CanvasObject) bool { return o == tab.obj }) != nil
		}
		if holds(tab.item.Content, tab.obj) {
			t.Errorf("%s: content in the window before the tab was selected", tab.item.Text)
		}
		u.tabs.Select(tab.item)
		if !inTree() {
			t.Errorf("%s: content not shown once selected", tab.item.Text)
		}
	}
}

// holds reports whether obj is root or inside it, shown or not.
func holds(root, obj fyne.CanvasObject) bool {
	if root == obj {
		return true
	}
	switch v := root.(type) {
	case *fyne.Container:
		return slices.ContainsFunc(v.Objects, func(o fyne.CanvasObject) bool { return holds(o, obj) })
	case fyne.Widget:
		return slices.ContainsFunc(test.WidgetRenderer(v).Objects(), func(o fyne.CanvasObject) bool { return holds(o, obj) })
	}
	return false
}

// noSMSPanel is a service whose panel turned out to have no SMS numbers.
type noSMSPanel struct{ *account.Service }

func (noSMSPanel) Supports(f account.Feature) bool { return f != account.FeatureSMS }

// TestTabTakingTheSelectedPlaceIsBuilt: when the selected tab is removed (the panel has no SMS),
// the tab shown in its place has its content, though it was never selected.
func TestTabTakingTheSelectedPlaceIsBuilt(t *testing.T) {
	env := accounttest.New(t, failingAPI{})
	u := New(test.NewTempApp(t), testDeps(t, noSMSPanel{env.Svc}, false))
	u.tabs.Select(u.sms.item)
	u.applyFeatures()
	if got := u.tabs.Selected(); got != u.balance.item {
		t.Fatalf("selected after the SMS tab went: %v", got.Text)
	}
	if !holds(u.balance.item.Content, u.balance.refresh) {
		t.Error("the Balance tab, shown in the SMS tab's place, is empty")
	}
}
