// Package gui is the Fyne user interface: one file per tab, built from a fyne.App so tests can
// drive it with fyne.io/fyne/v2/test. Background work never touches widgets: it hands its result
// to the UI goroutine with fyne.Do.
package gui

import (
	"context"
	"errors"
	"image/color"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hstockplus/hstockplus/account"
	"github.com/hstockplus/hstockplus/assets"
	"github.com/hstockplus/hstockplus/client"
	_ "github.com/hstockplus/hstockplus/internal/localeenv" // before Fyne reads the locale: a C locale logs nothing
	"github.com/hstockplus/hstockplus/internal/tr"
)

// The service layer as each part of the window needs it (*account.Service implements all of
// them). The window asks and renders; only the service layer writes.
type (
	// catalogService: the Catalog and Shops tabs' detail pane and order form.
	catalogService interface {
		Lang() string
		SavedCatalog() (account.Catalog, error)
		CatalogChanges() *account.ServiceDiff
		RefreshCatalog(ctx context.Context) (account.Catalog, error)
		Inventory(ctx context.Context, service int64) (*client.Inventory, error)
		Image(ctx context.Context, url string) ([]byte, error)
		PlaceOrder(ctx context.Context, req client.AddRequest, label string, estimate client.Decimal) (account.Placement, error)
		OrdersInFlight(req client.AddRequest) ([]account.Spend, error)
	}
	// shopsService: the Shops tab.
	shopsService interface {
		Shops(ctx context.Context) ([]client.Shop, time.Time, error)
		ShopProducts(ctx context.Context, shopID string) ([]client.Service, error)
	}
	// ordersService: the Orders tab.
	ordersService interface {
		OrdersJournal() (account.Journal, error)
		OrderDetail(id int64) (account.OrderDetail, error)
		CheckOrderNow(ctx context.Context, id int64) (account.OrderNow, error)
		MarkNotPlaced(spendID uint64) error
	}
	// smsService: the SMS tab.
	smsService interface {
		SMSCountries(ctx context.Context) ([]client.SMSCountry, error)
		SMSProjects(ctx context.Context, country string) ([]client.SMSProject, error)
		RentNumbers(ctx context.Context, req client.AddSMSRequest, label string, estimate client.Decimal) (account.Rental, error)
		Numbers() (account.Numbers, error)
		CheckNumberNow(ctx context.Context, id int64) error
		RentalsInFlight(req client.AddSMSRequest) ([]account.Spend, error)
	}
	// balanceService: the Balance tab, and the balance beside every price.
	balanceService interface {
		Balance() (account.BalanceReading, bool)
		Currency() string
		RefreshBalance(ctx context.Context) (client.Balance, error)
		BalanceCharts(days int, now time.Time) (account.Charts, error)
		Transactions(days int, now time.Time) ([]account.Transaction, error)
	}
	// trayService: the tray menu.
	trayService interface {
		TrayState(now time.Time) (account.Tray, error)
	}
	// statusService: the status bar and the offline banner.
	statusService interface {
		Endpoint() string
		Pace() account.Pace // the poller's, as it last reported it
	}
)

// Account is the whole service layer the window is given.
type Account interface {
	catalogService
	shopsService
	ordersService
	smsService
	balanceService
	trayService
	statusService
	massOrderService
	watchService
}

// Clipboard copies for the window: plain text, and secrets (codes, credentials) that it clears
// after the configured delay. Both report whether the copy worked. clip.Service implements it.
type Clipboard interface {
	Copy(text string) error
	CopySecret(value string) error
}

// KeyStore keeps the API key (account.Keys implements it).
type KeyStore interface {
	APIKey() (string, error)
	SetAPIKey(key string) error
	// InFile: no OS keyring, the key is in a file sealed under the user's passphrase;
	// InMemory: no keyring and no passphrase, kept for this session only.
	InFile() bool
	InMemory() bool
	// NeedsPassphrase: one must be chosen (SetPassphrase, off the UI goroutine) before a key
	// can be saved.
	NeedsPassphrase() bool
	SetPassphrase(passphrase string) error
}

// Deps are the services main.go builds and hands to the window.
type Deps struct {
	Account   Account   // required
	Clipboard Clipboard // nil: the window's own clipboard (no clearing)
	Keys      KeyStore  // nil: a key cannot be saved
	Demo      bool      // running on the built-in sandbox
	Version   string    // shown in the About line
	Logf      func(format string, args ...any)
	// DataDir and LogDir are the folders of the app's data and log, shown in About; OpenFolder
	// shows one in the system's file manager (Help ▸ Open log folder; nil: not offered).
	DataDir, LogDir string
	OpenFolder      func(dir string) error
	// FirstRun: no API key was ever saved (with Demo: the welcome is offered).
	FirstRun bool
	// Reconnect starts using the saved endpoint and API key (key "" = unchanged), after
	// Settings or the welcome saved them. main restarts the app; nil: the user is told to.
	Reconnect func(endpoint, key string) error
	// Quit ends the app (after clearing the clipboard); nil: fyne.App.Quit.
	Quit func()
	// ResetDemo starts the demo afresh (the app restarts); nil outside the demo.
	ResetDemo func()
	// Go runs background work of the window off the UI goroutine (nil: a goroutine, waited for
	// by Wait). Tests run it inline.
	Go func(f func())
	// Context is the session's: background work of the window derives from it and stops with
	// it. Nil: context.Background().
	Context context.Context
	// Tray reads what the tray lists (every profile's numbers and deliveries); nil: Account's.
	Tray trayService
	// Preloaded is the saved catalog already being read and indexed (Preload on Account); nil:
	// read when the window starts.
	Preloaded *Preloaded
	// Started is when the process started: the log says when the first catalog rows were shown
	// (zero: not logged).
	Started time.Time
	// Minimize minimises w to the taskbar and reports whether it could (closing the window with
	// no tray to hide it in); nil: it cannot, the app quits instead.
	Minimize func(w fyne.Window) bool
	// TrayTooltip sets the tray icon's tooltip ("HstockPlus · balance"); nil: none.
	TrayTooltip func(string)
	// Window, when set, is the window to build in (a profile switch rebuilds the window's
	// content on another profile; the window stays). Nil: a new window.
	Window fyne.Window
	// Profiles lists the app's profiles for the header's selector and the tray; nil: none.
	Profiles Profiles
	// AfterFunc runs f after d (the short "Copied" confirmations); nil: time.AfterFunc. The
	// function it runs reaches widgets through fyne.Do.
	AfterFunc func(d time.Duration, f func()) (stop func() bool)
}

// UI is the main window and its tabs.
type UI struct {
	app  fyne.App
	win  fyne.Window
	deps Deps
	tabs *container.AppTabs

	// async runs f off the UI goroutine; tests make it synchronous. Wait waits for them.
	async func(f func())
	bg    sync.WaitGroup
	// unbuilt holds the content of the tabs not selected yet: a tab gets it when first shown.
	unbuilt map[*container.TabItem]fyne.CanvasObject
	// eventListeners get every event of the service layer after the tabs (events.go).
	eventListeners []func(account.Event)
	// desk is the desktop app when it has a system tray (tray.go); unseen: its icon is badged.
	desk   desktop.App
	unseen bool
	tray   trayService
	// trayHost: the desktop shows the tray icon now; hidden: the window is hidden in it.
	trayHost, hidden bool

	offline     *fyne.Container // the "Offline — catalog from …" banner
	offlineText *widget.Label
	status      *statusBar

	catalog *catalogTab
	shops   *shopsTab
	orders  *ordersTab
	sms     *smsTab
	balance *balanceTab

	prefs    *livePrefs      // the user's settings (prefs.go)
	settings *settingsDialog // the open Settings dialog, else nil (settings.go)
	welcome  *welcomeDialog  // the open first-run welcome, else nil (welcome.go)
}

// requestTimeout bounds one background load; the client retries inside it.
const requestTimeout = 2 * time.Minute

// loadTranslations gives Fyne the words of its own widgets and dialogs in the languages it does
// not ship (Japanese, Korean); the window's own texts go through internal/tr.
var loadTranslations = sync.OnceFunc(func() {
	_ = lang.AddTranslationsFS(assets.Translations, "translations/fyne") // embedded, tested
})

// fyneTags are the languages Fyne 2.7 can pick for its own words: those it ships and ours.
var fyneTags = []string{"cs", "de", "el", "en", "es", "fr", "ja", "ko", "pl", "pt", "pt_BR", "ru", "sv", "ta", "uk", "zh_Hans"}

var fyneWords struct {
	sync.Mutex
	code string
}

// setFyneWords makes Fyne's own words (dialog buttons, the Quit item, the file dialog) those
// of the interface language code. Fyne 2.7 picks them from the system locale only, on every OS,
// and has no setter: its words in code are registered under every language it could pick, so
// whichever it picked speaks the chosen one. Process-wide; done before the window is built.
func setFyneWords(code string) {
	fyneWords.Lock()
	defer fyneWords.Unlock()
	if fyneWords.code == code {
		return
	}
	data, err := assets.Translations.ReadFile("translations/fyne/" + code + ".json")
	if err != nil {
		return // a language without Fyne's words: Fyne keeps its own choice
	}
	for _, tag := range fyneTags {
		_ = lang.AddTranslationsForLocale(data, fyne.Locale(tag)) // embedded, tested
	}
	fyneWords.code = code
}

// New builds the main window. Nothing is fetched until Start.
func New(a fyne.App, d Deps) *UI {
	loadTranslations()
	if d.Logf == nil {
		d.Logf = func(string, ...any) {}
	}
	if d.Context == nil {
		d.Context = context.Background()
	}
	if d.AfterFunc == nil {
		d.AfterFunc = func(dur time.Duration, f func()) func() bool { return time.AfterFunc(dur, f).Stop }
	}
	a.SetIcon(assets.Icon)
	u := &UI{app: a, deps: d, tray: d.Account}
	if d.Tray != nil {
		u.tray = d.Tray
	}
	u.async = d.Go
	if u.async == nil {
		u.async = func(f func()) { u.bg.Go(f) }
	}
	u.initPrefs()
	tr.Set(u.Prefs().UILang) // before any text of the window is made
	setFyneWords(tr.Current())
	u.win = d.Window
	if u.win == nil {
		u.win = a.NewWindow("HstockPlus")
	}
	u.win.SetIcon(assets.Icon)

	u.catalog = newCatalogTab(u)
	u.shops = newShopsTab(u)
	u.orders = newOrdersTab(u)
	u.sms = newSMSTab(u)
	u.balance = newBalanceTab(u)
	u.tabs = container.NewAppTabs(
		u.catalog.item, u.shops.item, u.orders.item, u.sms.item, u.balance.item,
	)
	// The tabs not shown first get their content when first selected: the window's first layout
	// then measures the catalog only (measuring every tab took 95-130 ms of the first frame).
	u.unbuilt = map[*container.TabItem]fyne.CanvasObject{}
	for _, ti := range []*container.TabItem{u.shops.item, u.orders.item, u.sms.item, u.balance.item} {
		u.unbuilt[ti], ti.Content = ti.Content, container.NewStack()
	}
	u.tabs.OnSelected = func(ti *container.TabItem) {
		u.attach(ti)
		if ti == u.shops.item {
			u.shops.ensureLoaded()
		}
	}

	u.offlineText = widget.NewLabel("")
	u.offlineText.Wrapping = fyne.TextWrapWord
	u.offline = container.NewStack(canvas.NewRectangle(theme.Color(theme.ColorNameWarning)), u.offlineText)
	u.offline.Hide()
	top := container.NewVBox(u.offline)
	if bar := u.profileBar(); bar != nil {
		top.Objects = append([]fyne.CanvasObject{bar}, top.Objects...)
	}
	if d.Demo {
		top.Objects = append([]fyne.CanvasObject{demoBanner()}, top.Objects...)
	}
	u.status = newStatusBar(u)
	u.win.SetContent(container.NewBorder(top, u.status.root, nil, nil, u.tabs))
	if d.Window == nil {
		u.win.Resize(fyne.NewSize(1100, 720))
	}
	u.win.SetMaster()
	u.installShortcuts()
	escClosesDialogs(u.win)
	u.showWelcomeIfNeeded()
	return u
}

// attach gives tab ti its content if it has not had it yet (see unbuilt). UI goroutine only.
func (u *UI) attach(ti *container.TabItem) {
	if c, ok := u.unbuilt[ti]; ok && ti != nil {
		delete(u.unbuilt, ti)
		ti.Content = c
		u.tabs.Refresh()
	}
}

// Wait waits for the window's background work to end: call it once the session's context is
// cancelled, before the store closes.
func (u *UI) Wait() { u.bg.Wait() }

// Window is the main window.
func (u *UI) Window() fyne.Window { return u.win }

// Start shows what the store already knows, then refreshes the catalog in the background. The
// balance is the poller's to ask: it is shown from the store now and from its event later.
func (u *UI) Start() {
	u.balance.showSaved()
	u.probeFeatures()
	u.async(func() {
		u.catalog.loadSnapshot()
		ctx, cancel := context.WithTimeout(u.deps.Context, requestTimeout)
		defer cancel()
		u.catalog.load(ctx)
	})
	u.async(u.balance.loadCharts)
	u.async(u.offerInterrupted)
}

// quit ends the app the way main wants it (the clipboard is cleared first). UI goroutine only.
func (u *UI) quit() {
	if u.deps.Quit != nil {
		u.deps.Quit()
		return
	}
	u.app.Quit()
}

// Raise brings the window forward (a second launch asked for it). UI goroutine only.
func (u *UI) Raise() {
	u.hidden = false
	u.win.Show()
	u.win.RequestFocus()
}

// setOffline shows or hides the offline banner. UI goroutine only.
func (u *UI) setOffline(offline bool, text string) {
	if offline {
		u.offlineText.SetText(text)
		u.offline.Show()
	} else {
		u.offline.Hide()
	}
	u.status.setOnline(!offline)
}

// isOffline tells a failure to reach HstockPlus (network, proxy page, timeout) from an answer.
func isOffline(err error) bool {
	var te *client.TransportError
	return errors.As(err, &te) || errors.Is(err, context.DeadlineExceeded)
}

// host is the API's host, named when it cannot be reached.
func (u *UI) host() string { return hostOf(u.deps.Account.Endpoint()) }

// lang is the catalog language the store keys its snapshots by.
func (u *UI) lang() string { return u.deps.Account.Lang() }

// background runs fn off the UI goroutine with a timeout.
func (u *UI) background(fn func(ctx context.Context)) {
	u.async(func() {
		ctx, cancel := context.WithTimeout(u.deps.Context, requestTimeout)
		defer cancel()
		fn(ctx)
	})
}

// demoBanner is the strip that says the window is not on a real account.
func demoBanner() fyne.CanvasObject {
	bg := canvas.NewRectangle(color.NRGBA{R: 0xFF, G: 0xB0, B: 0x20, A: 0xFF})
	text := canvas.NewText(tr.L("Demo mode — a simulated HstockPlus. Nothing is charged; add your API key to use your account."), color.Black)
	text.TextStyle = fyne.TextStyle{Bold: true}
	text.Alignment = fyne.TextAlignCenter
	return container.NewStack(bg, container.NewPadded(text))
}

// messageBox is a centred message with an optional action, for empty, loading and error states.
type messageBox struct {
	root   *fyne.Container
	label  *widget.Label
	button *widget.Button
}

func newMessageBox() *messageBox {
	m := &messageBox{label: widget.NewLabel(""), button: widget.NewButton("", nil)}
	m.label.Wrapping = fyne.TextWrapWord
	m.label.Alignment = fyne.TextAlignCenter
	m.button.Hide()
	m.root = container.NewVBox(layout.NewSpacer(), m.label, container.NewCenter(m.button), layout.NewSpacer())
	return m
}

func (m *messageBox) show(text string, action string, fn func()) {
	m.label.SetText(text)
	if fn == nil {
		m.button.Hide()
	} else {
		m.button.SetText(action)
		m.button.SetIcon(theme.ViewRefreshIcon())
		m.button.OnTapped = fn
		m.button.Show()
	}
	m.root.Show()
}
