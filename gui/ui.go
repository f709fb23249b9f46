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

	"github.com/hstockplus/hstockplus/assets"
	"github.com/hstockplus/hstockplus/cache"
	"github.com/hstockplus/hstockplus/client"
	"github.com/hstockplus/hstockplus/watch"
)

// API is what the window needs of the HstockPlus API; *client.Client implements it.
type API interface {
	Lang() string
	Balance(ctx context.Context) (*client.Balance, error)
	AllServices(ctx context.Context, p client.ServicesParams, pageSize int, progress func(done, total int)) ([]client.Service, error)
	Shops(ctx context.Context, page, limit int) (*client.ShopsPage, error)
	Services(ctx context.Context, p client.ServicesParams) (*client.ServicesPage, error)
	Inventory(ctx context.Context, service int64) (*client.Inventory, error)
	Add(ctx context.Context, r client.AddRequest) (*client.AddResult, error)
	FetchImage(ctx context.Context, url string) ([]byte, string, error)
	Status(ctx context.Context, order int64) (*client.OrderStatus, error)
	SMSCountries(ctx context.Context) ([]client.SMSCountry, error)
	SMSProjects(ctx context.Context, country string) ([]client.SMSProject, error)
	AddSMS(ctx context.Context, r client.AddSMSRequest) ([]client.SMSOrder, error)
	SMSCode(ctx context.Context, order int64) (*client.SMSCode, error)
	SMSStatus(ctx context.Context, order int64) (*client.SMSStatus, error)
}

// Deps are the services main.go builds and hands to the window.
type Deps struct {
	API        API
	Store      *cache.Store // the local store; nil runs without one (tests)
	KeyBackend string       // where the API key is kept: cache.BackendKeyring or cache.BackendFile
	Demo       bool         // running on the built-in sandbox
	Version    string       // shown in the About line
	Logf       func(format string, args ...any)
	// OnPlaced is called (off the UI goroutine) after an order or number is journaled as placed
	// or unconfirmed, so the poller looks at it at once. Optional.
	OnPlaced func()
	// CopySecret copies a code or credential and clears it from the clipboard after the
	// configured delay if it is still there (the poller's clipboard). Optional.
	CopySecret func(value string) error

	// Secrets keeps the API key Settings saves (cache.SecretAPIKey); nil: a key cannot be saved.
	Secrets cache.Secrets
	// FirstRun: no API key was ever saved (with Demo: the welcome is offered).
	FirstRun bool
	// Reconnect starts using the saved endpoint and API key (key "" = unchanged), after
	// Settings or the welcome saved them. main restarts the app; nil: the user is told to.
	Reconnect func(endpoint, key string) error
}

// UI is the main window and its tabs.
type UI struct {
	app  fyne.App
	win  fyne.Window
	deps Deps
	tabs *container.AppTabs

	// async runs f off the UI goroutine; tests make it synchronous.
	async func(f func())
	// eventListeners get every poller event after the tabs (events.go).
	eventListeners []func(watch.Event)
	// desk is the desktop app when it has a system tray (tray.go); unseen: its icon is badged.
	desk   desktop.App
	unseen bool

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

var loadTranslations = sync.OnceFunc(func() {
	// Translations are optional: a missing or broken file leaves English.
	_ = lang.AddTranslationsFS(assets.Translations, "translations")
})

// New builds the main window. Nothing is fetched until Start.
func New(a fyne.App, d Deps) *UI {
	loadTranslations()
	if d.Logf == nil {
		d.Logf = func(string, ...any) {}
	}
	a.SetIcon(assets.Icon)
	u := &UI{app: a, deps: d, async: func(f func()) { go f() }}
	u.initPrefs()
	u.win = a.NewWindow("HstockPlus")
	u.win.SetIcon(assets.Icon)

	u.catalog = newCatalogTab(u)
	u.shops = newShopsTab(u)
	u.orders = newOrdersTab(u)
	u.sms = newSMSTab(u)
	u.balance = newBalanceTab(u)
	u.tabs = container.NewAppTabs(
		u.catalog.item, u.shops.item, u.orders.item, u.sms.item, u.balance.item,
	)
	u.tabs.OnSelected = func(ti *container.TabItem) {
		if ti == u.shops.item {
			u.shops.ensureLoaded()
		}
	}

	u.offlineText = widget.NewLabel("")
	u.offlineText.Wrapping = fyne.TextWrapWord
	u.offline = container.NewStack(canvas.NewRectangle(theme.Color(theme.ColorNameWarning)), u.offlineText)
	u.offline.Hide()
	top := container.NewVBox(u.offline)
	if d.Demo {
		top.Objects = append([]fyne.CanvasObject{demoBanner()}, top.Objects...)
	}
	u.status = newStatusBar(u)
	u.win.SetContent(container.NewBorder(top, u.status.root, nil, nil, u.tabs))
	u.win.Resize(fyne.NewSize(1100, 720))
	u.win.SetMaster()
	u.installShortcuts()
	u.showWelcomeIfNeeded()
	return u
}

// Window is the main window.
func (u *UI) Window() fyne.Window { return u.win }

// Start shows what the store already knows, then refreshes it in the background.
func (u *UI) Start() {
	go func() {
		u.catalog.loadSnapshot()
		ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
		defer cancel()
		u.catalog.load(ctx)
	}()
	go func() {
		u.balance.loadSaved()
		u.balance.loadCharts()
		ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
		defer cancel()
		u.balance.load(ctx)
	}()
}

// Raise brings the window forward (a second launch asked for it). UI goroutine only.
func (u *UI) Raise() {
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

// lang is the catalog language the store keys its snapshots by.
func (u *UI) lang() string { return u.deps.API.Lang() }

// background runs fn off the UI goroutine with a timeout.
func (u *UI) background(fn func(ctx context.Context)) {
	u.async(func() {
		ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
		defer cancel()
		fn(ctx)
	})
}

// demoBanner is the strip that says the window is not on a real account.
func demoBanner() fyne.CanvasObject {
	bg := canvas.NewRectangle(color.NRGBA{R: 0xFF, G: 0xB0, B: 0x20, A: 0xFF})
	text := canvas.NewText(lang.L("Demo mode — a simulated HstockPlus. Nothing is charged; add your API key to use your account."), color.Black)
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
