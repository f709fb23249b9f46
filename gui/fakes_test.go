package gui

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/hstockplus/hstockplus/account"
	"github.com/hstockplus/hstockplus/account/accounttest"
	"github.com/hstockplus/hstockplus/assets"
	"github.com/hstockplus/hstockplus/client"
	"github.com/hstockplus/hstockplus/client/sandbox"
)

// Each tab depends on a small interface of the service layer; these tests drive a tab with a
// fake of its own interface only.

// fakeOrders is an ordersService that counts how often the journal is read.
type fakeOrders struct {
	journal account.Journal
	reads   int
	checked []int64
	marked  []uint64
	now     account.OrderNow
	err     error
}

func (f *fakeOrders) OrdersJournal() (account.Journal, error) { f.reads++; return f.journal, nil }
func (f *fakeOrders) OrderDetail(int64) (account.OrderDetail, error) {
	return account.OrderDetail{}, nil
}
func (f *fakeOrders) CheckOrderNow(_ context.Context, id int64) (account.OrderNow, error) {
	f.checked = append(f.checked, id)
	return f.now, f.err
}
func (f *fakeOrders) MarkNotPlaced(id uint64) error { f.marked = append(f.marked, id); return f.err }

func TestOrdersTabUpdatesFromTheEventNotTheJournal(t *testing.T) {
	u, _ := newTestUI(t, failingAPI{}, false)
	placed := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	fake := &fakeOrders{journal: account.Journal{
		Orders: []account.Order{{ID: 11, Label: "Likes", Quantity: 100, PlacedAt: placed}},
		Spends: []account.Spend{{ID: 5, Action: account.ActionAdd, State: account.SpendUnconfirmed, Label: "Followers", CreatedAt: placed.Add(time.Hour)}},
	}}
	u.orders.svc = fake
	u.orders.ensureLoaded()
	if fake.reads != 1 || u.orders.list.Length() != 2 {
		t.Fatalf("first show: %d reads, %d rows", fake.reads, u.orders.list.Length())
	}
	if txt := rowText(u, 0); !strings.Contains(txt, "Followers") || !strings.Contains(txt, "Unconfirmed") {
		t.Fatalf("unconfirmed entries come first: %q", txt)
	}

	// The poller finds order 11 completed: the event carries the order as stored.
	done := account.Order{ID: 11, Label: "Likes", Quantity: 100, PlacedAt: placed, Status: "Completed", Terminal: true, Charge: client.MustDecimal("0.50"), Currency: "USD"}
	u.HandleEvent(account.Event{Kind: account.KindStatusChanged, Order: 11, Status: "Completed", OrderRec: &done})
	// The user settles the unconfirmed entry: the journal event carries the entry as it stands.
	failed := fake.journal.Spends[0]
	failed.State, failed.Error = account.SpendFailed, account.NotPlacedReason
	u.HandleEvent(account.Event{Kind: account.KindJournal, Spend: &failed})
	// A new order is placed: it appears from its journal event.
	newer := account.Order{ID: 12, Label: "Views", Quantity: 1000, PlacedAt: placed.Add(2 * time.Hour)}
	sp := account.Spend{ID: 6, Action: account.ActionAdd, State: account.SpendPlaced, Orders: []int64{12}}
	u.HandleEvent(account.Event{Kind: account.KindJournal, Spend: &sp, OrderRec: &newer})

	if fake.reads != 1 {
		t.Fatalf("the journal was read %d times: events must update the rows from their content", fake.reads)
	}
	if got := visibleIDs(u); !equalIDs(got, []int64{12, 0, 11}) {
		t.Fatalf("rows = %v, want the new order, the entry marked not placed, the completed order", got)
	}
	if txt := rowText(u, 1); !strings.Contains(txt, "Not placed") {
		t.Fatalf("settled entry row = %q", txt)
	}
	if txt := rowText(u, 2); !strings.Contains(txt, "Completed") || !strings.Contains(txt, "0.50 USD") {
		t.Fatalf("completed row = %q", txt)
	}
}

func TestOrdersCheckNowSaysWhatTheServiceFound(t *testing.T) {
	u, _ := newTestUI(t, failingAPI{}, false)
	o := account.Order{ID: 31, Label: "Gmail", Quantity: 1, Unconfirmed: true, SpendID: 9, PlacedAt: time.Now()}
	fake := &fakeOrders{journal: account.Journal{Orders: []account.Order{o}}, now: account.OrderNow{Status: "Pending", Confirmed: true}}
	u.orders.svc = fake
	u.orders.ensureLoaded()
	u.orders.selectKey(rowKey{order: 31})
	test.Tap(u.orders.detail.check)
	if len(fake.checked) != 1 || fake.checked[0] != 31 {
		t.Fatalf("checked %v", fake.checked)
	}
	if note := u.orders.detail.note.Text; !strings.Contains(note, "Confirmed: HstockPlus knows order #31 (Pending)") {
		t.Fatalf("note = %q", note)
	}
	fake.err = &account.StoreError{What: "storing an order status", Err: errors.New("disk full")}
	test.Tap(u.orders.detail.check)
	if note := u.orders.detail.note.Text; !strings.Contains(note, "could not be saved: disk full") {
		t.Fatalf("note = %q", note)
	}
}

// fakeBalance is a balanceService.
type fakeBalance struct {
	reading account.BalanceReading
	known   bool
	err     error
	asked   int
}

func (f *fakeBalance) Balance() (account.BalanceReading, bool) { return f.reading, f.known }
func (f *fakeBalance) Currency() string                        { return "USD" }
func (f *fakeBalance) RefreshBalance(context.Context) (client.Balance, error) {
	f.asked++
	return f.reading.Balance, f.err
}
func (f *fakeBalance) BalanceCharts(int, time.Time) (account.Charts, error) {
	return account.Charts{}, nil
}
func (f *fakeBalance) Transactions(int, time.Time) ([]account.Transaction, error) {
	return nil, nil
}

func TestBalanceTabShowsSavedThenTheEventAndErrors(t *testing.T) {
	u, _ := newTestUI(t, failingAPI{}, false)
	at := time.Now().Add(-time.Hour)
	fake := &fakeBalance{known: true, reading: account.BalanceReading{Balance: client.Balance{Balance: client.MustDecimal("12.34"), Currency: "USD"}, At: at, Saved: true}}
	u.balance.svc = fake
	u.balance.showSaved()
	if u.balance.amount.Text != "12.34 USD" || !strings.HasPrefix(u.balance.updated.Text, "Saved ") || u.status.balance.Text != "12.34 USD" {
		t.Fatalf("saved balance: %q %q, status %q", u.balance.amount.Text, u.balance.updated.Text, u.status.balance.Text)
	}
	fake.err = &client.TransportError{Err: context.DeadlineExceeded}
	test.Tap(u.balance.refresh)
	if fake.asked != 1 || !u.balance.errText.Visible() || u.balance.amount.Text != "12.34 USD" {
		t.Fatalf("a failed refresh: asked %d, error shown %v, amount %q", fake.asked, u.balance.errText.Visible(), u.balance.amount.Text)
	}
	u.HandleEvent(account.Event{Kind: account.KindBalance, At: time.Now(), Balance: client.MustDecimal("7.00"), Currency: "USD"})
	if u.balance.amount.Text != "7.00 USD" || u.balance.errText.Visible() || u.status.balance.Text != "7.00 USD" {
		t.Fatalf("after the event: %q (error shown %v), status %q", u.balance.amount.Text, u.balance.errText.Visible(), u.status.balance.Text)
	}
}

// fakeSMS is an smsService whose Check now fails.
type fakeSMS struct {
	numbers account.Numbers
	checks  int
}

func (f *fakeSMS) SMSCountries(context.Context) ([]client.SMSCountry, error) { return nil, nil }
func (f *fakeSMS) SMSProjects(context.Context, string) ([]client.SMSProject, error) {
	return nil, nil
}
func (f *fakeSMS) RentNumbers(context.Context, client.AddSMSRequest, string, client.Decimal) (account.Rental, error) {
	return account.Rental{Outcome: account.NotPlaced}, errors.New("not in this test")
}
func (f *fakeSMS) Numbers() (account.Numbers, error) { return f.numbers, nil }
func (f *fakeSMS) RentalsInFlight(client.AddSMSRequest) ([]account.Spend, error) {
	return nil, nil
}
func (f *fakeSMS) CheckNumberNow(context.Context, int64) error {
	f.checks++
	return &client.TransportError{Err: context.DeadlineExceeded}
}

func TestSMSCardFromTheEventAndCheckNowError(t *testing.T) {
	u, _ := newTestUI(t, failingAPI{}, false)
	now := time.Now()
	n := account.SMSNumber{Order: 77, Phone: "+15550077", Label: "Telegram", PlacedAt: now, ExpiresAt: now.Add(10 * time.Minute)}
	fake := &fakeSMS{numbers: account.Numbers{Views: []account.NumberView{{Number: n}}}}
	u.sms.svc = fake
	u.sms.runTicker = (&fakeTicker{}).run
	u.sms.reload()
	if len(u.sms.active) != 1 {
		t.Fatalf("active = %d", len(u.sms.active))
	}
	test.Tap(u.sms.active[0].check)
	if fake.checks != 1 || !strings.Contains(u.sms.active[0].status.Text, "Could not check") {
		t.Fatalf("checks %d, status %q", fake.checks, u.sms.active[0].status.Text)
	}
	// The code arrives (found by the poller): the card shows it from the event alone.
	n.Codes = 1
	u.HandleEvent(account.Event{Kind: account.KindCodeReceived, ID: 3, Order: 77, NumberRec: &n,
		Deliveries: []account.Delivery{{Order: 77, Kind: account.DeliverySMSCode, Seq: 1, Value: "902211"}}})
	if c := u.sms.active[0]; c.code.Text != "902211" || !c.codeRow.Visible() {
		t.Fatalf("code label = %q", c.code.Text)
	}
}

// trayApp is the test app with a system tray that records what it is given.
type trayApp struct {
	fyne.App
	icons []fyne.Resource
	menus []*fyne.Menu
}

func (a *trayApp) SetSystemTrayMenu(m *fyne.Menu)    { a.menus = append(a.menus, m) }
func (a *trayApp) SetSystemTrayIcon(r fyne.Resource) { a.icons = append(a.icons, r) }
func (a *trayApp) SetSystemTrayWindow(fyne.Window)   {}
func (a *trayApp) badges() (n int) {
	for _, r := range a.icons {
		if r != assets.Icon {
			n++
		}
	}
	return n
}

// alertLog is the alerts' notifier and copier.
type alertLog struct {
	mu       sync.Mutex
	copies   []string
	notified []string
}

func (l *alertLog) CopySecret(v string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.copies = append(l.copies, v)
	return nil
}

func (l *alertLog) Notify(title, _ string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.notified = append(l.notified, title)
}

func (l *alertLog) counts() (int, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.copies), len(l.notified)
}

// "Check now" on a number runs the poller's own check: the code is announced once — one copy,
// one notification, one tray badge — and neither a second check nor a restart repeats it.
func TestSMSCheckNowAnnouncesTheCodeOnce(t *testing.T) {
	srv, err := sandbox.New(sandbox.Options{Seed: 1, Speed: 2000})
	if err != nil {
		t.Fatal(err)
	}
	api := newLoopbackClient(t, srv)
	env := accounttest.New(t, api)
	app := &trayApp{App: test.NewTempApp(t)}
	u := New(app, testDeps(t, env.Svc, false))
	t.Cleanup(env.Svc.Subscribe(func(ev account.Event) { fyne.Do(func() { u.HandleEvent(ev) }) }))
	log := &alertLog{}
	alerts := account.NewAlerts(account.AlertParams{Settings: env.Svc.Settings, Notifier: log, Copier: log, Logf: t.Logf})
	t.Cleanup(env.Svc.Subscribe(alerts.Handle))
	u.SetupTray()
	u.sms.runTicker = (&fakeTicker{}).run
	u.sms.reload()

	ps, err := api.SMSProjects(context.Background(), "us")
	if err != nil || len(ps) == 0 {
		t.Fatalf("projects: %v", err)
	}
	req := client.AddSMSRequest{ProjectID: ps[0].ProjectID, Quantity: 1, Country: "us"}
	rented, err := env.Svc.RentNumbers(context.Background(), req, ps[0].Name, ps[0].Price)
	out, nums := rented.Outcome, rented.Numbers
	if err != nil || out != account.Placed || len(nums) != 1 {
		t.Fatalf("rent: %v %v %v", out, nums, err)
	}
	if len(u.sms.active) != 1 {
		t.Fatalf("the rented number is not shown from its journal event: %d active", len(u.sms.active))
	}
	// At 2000× the sandbox sends the code within a few real milliseconds.
	deadline := time.Now().Add(5 * time.Second)
	for {
		test.Tap(u.sms.active[0].check)
		if _, ok := u.sms.active[0].v.LastCode(); ok || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	code, ok := u.sms.active[0].v.LastCode()
	if !ok {
		t.Fatal("no code after Check now")
	}
	if copies, notes := log.counts(); copies != 1 || notes != 1 || log.copies[0] != code.Value {
		t.Fatalf("after Check now: %d copies (%q), %d notifications", copies, log.copies, notes)
	}
	if app.badges() != 1 {
		t.Fatalf("tray badged %d times", app.badges())
	}
	// Again: nothing new.
	if err := env.Svc.CheckNumberNow(context.Background(), nums[0].Order); err != nil {
		t.Fatal(err)
	}
	// A restart on the same store replays nothing: the event was claimed.
	again := accounttest.On(t, env.Store, api)
	t.Cleanup(again.Svc.Subscribe(alerts.Handle))
	if err := again.Svc.ReplayPending(); err != nil {
		t.Fatal(err)
	}
	if copies, notes := log.counts(); copies != 1 || notes != 1 || app.badges() != 1 {
		t.Fatalf("repeated: %d copies, %d notifications, %d badges", copies, notes, app.badges())
	}
}

// fakeCatalog is a catalogService: a saved catalog, and a refresh that fails.
type fakeCatalog struct {
	saved     account.Catalog
	refreshes int
	err       error
	inventory *client.Inventory
}

func (f *fakeCatalog) Lang() string                           { return "en" }
func (f *fakeCatalog) SavedCatalog() (account.Catalog, error) { return f.saved, nil }
func (f *fakeCatalog) CatalogChanges() *account.ServiceDiff   { return f.saved.Diff }
func (f *fakeCatalog) RefreshCatalog(context.Context) (account.Catalog, error) {
	f.refreshes++
	return account.Catalog{}, f.err
}
func (f *fakeCatalog) Inventory(context.Context, int64) (*client.Inventory, error) {
	return f.inventory, nil
}
func (f *fakeCatalog) Image(context.Context, string) ([]byte, error) { return nil, f.err }
func (f *fakeCatalog) PlaceOrder(context.Context, client.AddRequest, string, client.Decimal) (account.Placement, error) {
	return account.Placement{Outcome: account.NotPlaced}, errors.New("not in this test")
}
func (f *fakeCatalog) OrdersInFlight(client.AddRequest) ([]account.Spend, error) { return nil, nil }

func TestCatalogTabFromItsService(t *testing.T) {
	u, _ := newTestUI(t, failingAPI{}, false)
	fetched := time.Now().Add(-time.Hour)
	fake := &fakeCatalog{
		saved: account.Catalog{Fetched: fetched, Rows: []client.Service{
			{Service: 1, Name: "Likes", Category: "Instagram", Rate: client.MustDecimal("0.50"), Stock: 10, EntityType: client.EntitySMM},
			{Service: 2, Name: "Views", Category: "TikTok", Rate: client.MustDecimal("0.10"), Stock: 10, EntityType: client.EntitySMM},
		}},
		err:       &client.TransportError{Err: context.DeadlineExceeded},
		inventory: &client.Inventory{Service: 1, Stock: 7, Available: true},
	}
	u.catalog.svc, u.catalog.detail.api = fake, fake
	u.catalog.loadSnapshot()
	if u.catalog.list.Length() != 2 {
		t.Fatalf("saved catalog: %d rows", u.catalog.list.Length())
	}
	u.catalog.load(context.Background())
	if fake.refreshes != 1 || u.catalog.list.Length() != 2 || !u.offline.Visible() {
		t.Fatalf("failed refresh: %d refreshes, %d rows, banner %v", fake.refreshes, u.catalog.list.Length(), u.offline.Visible())
	}
	u.catalog.list.Select(0)
	if txt := u.catalog.detail.inv.Text; !strings.Contains(txt, "Live: 7") {
		t.Fatalf("live stock = %q", txt)
	}
}

// fakeShops is a shopsService that has only the saved list.
type fakeShops struct {
	products int
	name     string // the shop's name; "Ac***ng" when empty
}

func (f *fakeShops) Shops(context.Context) ([]client.Shop, time.Time, error) {
	name := f.name
	if name == "" {
		name = "Ac***ng"
	}
	return []client.Shop{{ID: "s1", Name: name, ProductCount: 1, Rating: 4.5}}, time.Now().Add(-2 * time.Hour), &client.TransportError{Err: context.DeadlineExceeded}
}
func (f *fakeShops) ShopProducts(context.Context, string) ([]client.Service, error) {
	f.products++
	return []client.Service{{Service: 9, Name: "Netflix 1 month", Rate: client.MustDecimal("3.00"), EntityType: client.EntityProduct, Stock: 3}}, nil
}

func TestShopsTabFromItsService(t *testing.T) {
	u, _ := newTestUI(t, failingAPI{}, false)
	fake := &fakeShops{}
	u.shops.svc = fake
	u.shops.load(context.Background())
	if u.shops.list.Length() != 1 || !strings.Contains(u.shops.count.Text, "saved") {
		t.Fatalf("%d shops, count %q", u.shops.list.Length(), u.shops.count.Text)
	}
	u.shops.list.Select(0)
	if fake.products != 1 || u.shops.prodList.Length() != 1 {
		t.Fatalf("products asked %d times, %d listed", fake.products, u.shops.prodList.Length())
	}
}

// fakeTray is a trayService.
type fakeTray struct{ reads int }

func (f *fakeTray) TrayState(time.Time) (account.Tray, error) {
	f.reads++
	return account.Tray{Numbers: []account.TrayNumber{{Order: 1, Phone: "+15550001", Label: "Telegram", Code: "4821"}},
		Deliveries: []account.TrayDelivery{{Order: 9, Label: "Gmail", Count: 2}}}, nil
}

func TestTrayFromItsService(t *testing.T) {
	env := accounttest.New(t, failingAPI{})
	app := &trayApp{App: test.NewTempApp(t)}
	u := New(app, testDeps(t, env.Svc, false))
	fake := &fakeTray{}
	u.tray = fake
	u.SetupTray()
	if fake.reads != 1 || len(app.menus) < 2 {
		t.Fatalf("%d reads, %d menus", fake.reads, len(app.menus))
	}
	labels := menuLabels(app.menus[len(app.menus)-1])
	for _, want := range []string{"+15550001 · Telegram — code 4821 (copy)", "Order #9 Gmail — 2 accounts", "Quit"} {
		if !strings.Contains(labels, want) {
			t.Errorf("tray lacks %q:\n%s", want, labels)
		}
	}
	// A code arrives: the tray is read again and badged.
	u.HandleEvent(account.Event{Kind: account.KindCodeReceived, ID: 1, Order: 1})
	if fake.reads != 2 || app.badges() != 1 {
		t.Fatalf("after a code: %d reads, %d badges", fake.reads, app.badges())
	}
}

// Numbers read before the countries arrive show the country by name once they do.
func TestSMSCountryNamesOnceTheCountriesCome(t *testing.T) {
	u, _ := newTestUI(t, failingAPI{}, false)
	now := time.Now()
	n := account.SMSNumber{Order: 5, Phone: "+5511999", Label: "Telegram", Country: "br", PlacedAt: now, ExpiresAt: now.Add(10 * time.Minute)}
	u.sms.svc = &fakeSMS{numbers: account.Numbers{Views: []account.NumberView{{Number: n}}}}
	u.sms.runTicker = (&fakeTicker{}).run
	u.sms.reload()
	if txt := u.sms.active[0].meta.Text; strings.Contains(txt, "Brazil") {
		t.Fatalf("a name before the countries: %q", txt)
	}
	u.sms.showCountries([]client.SMSCountry{{Code: "br", Name: "Brazil"}}, nil)
	if txt := u.sms.active[0].meta.Text; !strings.Contains(txt, "Brazil") {
		t.Fatalf("meta after the countries = %q", txt)
	}
}

func TestOrdersDateFilter(t *testing.T) {
	u, _ := newTestUI(t, failingAPI{}, false)
	now := time.Now()
	u.orders.svc = &fakeOrders{journal: account.Journal{Orders: []account.Order{
		{ID: 1, Label: "Today", Quantity: 1, PlacedAt: now},
		{ID: 2, Label: "Last week", Quantity: 1, PlacedAt: now.AddDate(0, 0, -3)},
		{ID: 3, Label: "Long ago", Quantity: 1, PlacedAt: now.AddDate(0, 0, -60)},
	}}}
	u.orders.ensureLoaded()
	for period, want := range map[int][]int64{periodAny: {1, 2, 3}, periodToday: {1}, periodWeek: {1, 2}, periodMonth: {1, 2}} {
		u.orders.period.SetSelectedIndex(period)
		if got := visibleIDs(u); !equalIDs(got, want) {
			t.Errorf("period %d: %v, want %v", period, got, want)
		}
	}
}

func TestLongShopNameCutInItsRowWholeWhenSelected(t *testing.T) {
	u, _ := newTestUI(t, failingAPI{}, false)
	long := "The Very Long Named Shop Of Verified Aged Accounts With Email Access And Recovery " + strings.Repeat("Plus ", 12) + "End"
	u.shops.svc = &fakeShops{name: long}
	u.shops.load(context.Background())
	row := u.shops.list.CreateItem()
	u.shops.list.UpdateItem(0, row)
	name := row.(*fyne.Container).Objects[0].(*widget.Label)
	if name.Truncation != fyne.TextTruncateEllipsis || name.MinSize().Width > 200 {
		t.Fatalf("the row's name widens the pane: truncation %v, min width %v", name.Truncation, name.MinSize().Width)
	}
	u.shops.list.Select(0)
	if !strings.Contains(u.shops.prodHead.Text, long) || u.shops.prodHead.Wrapping != fyne.TextWrapWord {
		t.Fatalf("selected: head %q (wrapping %v), want the whole name wrapped", u.shops.prodHead.Text, u.shops.prodHead.Wrapping)
	}
}
