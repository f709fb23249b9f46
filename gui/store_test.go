package gui

import (
	"context"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hstockplus/hstockplus/account"
	"github.com/hstockplus/hstockplus/account/accounttest"
	"github.com/hstockplus/hstockplus/client"
)

func TestCatalogSavedThenShownOfflineWithBanner(t *testing.T) {
	u, _, env := newSandboxUI(t, false)
	st := env.Store
	u.catalog.load(context.Background())
	n := u.catalog.list.Length()
	rows, info, err := st.Services("en")
	if err != nil || len(rows) != n || n == 0 {
		t.Fatalf("snapshot after load: %d rows (%v), list has %d", len(rows), err, n)
	}

	// Next start, network down: the saved catalog shows at once, then the banner says why.
	off := newUIOn(t, accounttest.On(t, st, failingAPI{&client.TransportError{Err: context.DeadlineExceeded}}), false)
	off.catalog.loadSnapshot()
	if got := off.catalog.list.Length(); got != n {
		t.Fatalf("offline start shows %d rows, saved %d", got, n)
	}
	if off.offline.Visible() {
		t.Fatal("offline banner before any failure")
	}
	off.catalog.load(context.Background())
	if off.catalog.list.Length() != n {
		t.Fatal("the failed refresh dropped the saved catalog")
	}
	if !off.offline.Visible() || !strings.Contains(off.offlineText.Text, "Offline — catalog from "+formatWhen(info.FetchedAt)) {
		t.Fatalf("offline banner = %v %q", off.offline.Visible(), off.offlineText.Text)
	}
	if !strings.Contains(off.status.mode.Text, "Offline") {
		t.Fatalf("status bar says %q", off.status.mode.Text)
	}
}

func TestCatalogErrorThatIsNotOfflineKeepsNoBanner(t *testing.T) {
	u, env := newTestUI(t, failingAPI{&client.APIError{Message: "Invalid API key"}}, false)
	if _, err := env.Store.SaveServices("en", time.Now(), []client.Service{{Service: 1, Name: "x"}}); err != nil {
		t.Fatal(err)
	}
	u.catalog.loadSnapshot()
	u.catalog.load(context.Background())
	if u.offline.Visible() {
		t.Fatal("a refused key is not 'offline'")
	}
	if !strings.Contains(u.catalog.count.Text, "API key was refused") {
		t.Fatalf("count = %q", u.catalog.count.Text)
	}
}

func TestBalanceSavedAndShownFromStore(t *testing.T) {
	u, _, env := newSandboxUI(t, false)
	st := env.Store
	u.balance.load(context.Background())
	if p, err := st.LastBalance(); err != nil || p.Balance.String() != "100.00" {
		t.Fatalf("saved balance = %+v, %v", p, err)
	}
	if u.balance.amount.Text != "100.00 USD" || u.status.balance.Text != "100.00 USD" {
		t.Fatalf("after a refresh the balance shows %q, the status bar %q", u.balance.amount.Text, u.status.balance.Text)
	}
	off := newUIOn(t, accounttest.On(t, st, failingAPI{&client.TransportError{}}), false)
	off.balance.showSaved()
	if off.balance.amount.Text != "100.00 USD" || !strings.HasPrefix(off.balance.updated.Text, "Saved ") {
		t.Fatalf("offline balance = %q (%q)", off.balance.amount.Text, off.balance.updated.Text)
	}
	if off.status.balance.Text != "100.00 USD" {
		t.Fatalf("status bar balance = %q", off.status.balance.Text)
	}
}

func TestShopsFallBackToSavedList(t *testing.T) {
	u, _, env := newSandboxUI(t, false)
	u.shops.load(context.Background())
	n := u.shops.list.Length()
	off := newUIOn(t, accounttest.On(t, env.Store, failingAPI{&client.TransportError{}}), false)
	off.shops.load(context.Background())
	if off.shops.list.Length() != n || n == 0 {
		t.Fatalf("offline shops %d, saved %d", off.shops.list.Length(), n)
	}
	if !strings.Contains(off.shops.count.Text, "saved") {
		t.Fatalf("count = %q", off.shops.count.Text)
	}
}

func TestShopListsItsProductsToOrder(t *testing.T) {
	u, _, _ := orderUI(t, "100.00")
	u.shops.load(context.Background())
	var shop client.Shop
	for _, s := range u.shops.shops {
		if s.ProductCount > 0 {
			shop = s
			break
		}
	}
	if shop.ID == "" {
		t.Fatal("no shop with products in the sandbox")
	}
	for i, s := range u.shops.shops {
		if s.ID == shop.ID {
			u.shops.list.Select(i)
		}
	}
	if u.shops.prodList.Length() == 0 || u.shops.prodMsg.root.Visible() {
		t.Fatalf("shop %s (%d products) lists %d", shop.Name, shop.ProductCount, u.shops.prodList.Length())
	}
	products := 0 // a shop sells products and may also offer SMM services
	for _, p := range u.shops.products {
		if p.IsProduct() {
			products++
		}
	}
	if products != shop.ProductCount {
		t.Fatalf("shop %s lists %d products, it says it has %d", shop.Name, products, shop.ProductCount)
	}
	u.shops.prodList.Select(0)
	if u.shops.detail.title.Text != u.shops.products[0].Name || u.shops.detail.orderBtn == nil {
		t.Fatal("the detail pane does not show the selected product")
	}
}

// Online means an answer: the status bar says "Connecting…" until HstockPlus answers, and a
// server that sends HTML error pages or refuses the connection is offline, named.
func TestStatusOnlineOnlyAfterAnAnswer(t *testing.T) {
	api := &swapAPI{API: failingAPI{&client.TransportError{HTTPStatus: 502, Excerpt: "<html><title>502 Bad Gateway</title>"}}}
	env := accounttest.NewWith(t, account.Params{API: api, Endpoint: "https://panel.example:8443/api/v2"})
	u := newUIOn(t, env, false)
	if !strings.Contains(u.status.mode.Text, "Connecting") {
		t.Fatalf("before any answer the status says %q", u.status.mode.Text)
	}
	u.balance.load(context.Background())
	if !strings.Contains(u.status.mode.Text, "Offline") || !u.offline.Visible() {
		t.Fatalf("after an HTML 502: status %q, banner %v", u.status.mode.Text, u.offline.Visible())
	}
	if txt := u.offlineText.Text; !strings.Contains(txt, "Server error (HTTP 502 from panel.example:8443)") {
		t.Fatalf("banner = %q", txt)
	}

	api.set(failingAPI{&client.TransportError{Err: &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}}})
	u.balance.load(context.Background())
	if txt := u.offlineText.Text; !strings.Contains(txt, "Cannot reach panel.example:8443: the connection was refused") || strings.Contains(txt, "internet connection") {
		t.Fatalf("banner = %q", txt)
	}

	api.set(failingAPI{&client.APIError{Message: "Invalid API key"}}) // an answer, if a refusal
	u.balance.load(context.Background())
	if !strings.Contains(u.status.mode.Text, "Online") || u.offline.Visible() {
		t.Fatalf("after an answer: status %q, banner %v", u.status.mode.Text, u.offline.Visible())
	}
}
