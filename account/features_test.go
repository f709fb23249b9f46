package account

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/hstockplus/hstockplus/client"
	"github.com/hstockplus/hstockplus/client/sandbox"
)

// panelAPI is a client of a sandbox in panel mode (the API v2 subset only), on loopback.
func panelAPI(t *testing.T, clk *fakeClock) *client.Client {
	t.Helper()
	sb, err := sandbox.New(sandbox.Options{Now: clk.Now, Seed: 7, Panel: true})
	if err != nil {
		t.Fatal(err)
	}
	rn := listenSandbox(t, sb)
	api, err := client.New(client.WithEndpoint(rn.URL), client.WithAPIKey(rn.Key),
		client.WithRateLimit(0, 0), client.WithRetry(2, time.Millisecond, 2*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	return api
}

// On another panel, "Invalid action" is learnt once per feature, kept through OnFeatures, and
// then answered at once with ErrUnsupported — the v2 subset still works.
func TestPanelFeaturesAreLearntAndKept(t *testing.T) {
	ctx := context.Background()
	clk := newFakeClock()
	api := panelAPI(t, clk)
	var mu sync.Mutex
	var kept map[Feature]bool
	svc, err := New(Params{Store: memStore(t, clk), API: api, Clock: clk, Logf: t.Logf,
		OnFeatures: func(m map[Feature]bool) { mu.Lock(); kept = m; mu.Unlock() }})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range Features {
		if !svc.Supports(f) {
			t.Fatalf("%s unsupported before anything was asked", f)
		}
	}
	if !svc.ProbeFeatures(ctx) {
		t.Fatal("the probe learnt nothing")
	}
	if svc.Supports(FeatureShops) || svc.Supports(FeatureSMS) || !svc.Supports(FeatureInventory) {
		t.Fatalf("after the probe: %v", svc.KnownFeatures())
	}
	if _, err := svc.Inventory(ctx, 1); !errors.Is(err, ErrUnsupported) || !errors.Is(err, client.ErrInvalidAction) {
		t.Fatalf("Inventory = %v", err)
	}
	mu.Lock()
	want := map[Feature]bool{FeatureShops: false, FeatureSMS: false, FeatureInventory: false}
	if len(kept) != len(want) || kept[FeatureShops] || kept[FeatureSMS] || kept[FeatureInventory] {
		t.Fatalf("kept %v, want %v", kept, want)
	}
	mu.Unlock()
	if _, _, err := svc.Shops(ctx); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("Shops = %v", err)
	}
	if _, err := svc.SMSCountries(ctx); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("SMSCountries = %v", err)
	}
	// The subset works: catalog, balance, an order.
	cat, err := svc.RefreshCatalog(ctx)
	if err != nil || len(cat.Rows) == 0 {
		t.Fatalf("catalog: %d rows, %v", len(cat.Rows), err)
	}
	if _, err := svc.RefreshBalance(ctx); err != nil {
		t.Fatal(err)
	}

	// A later run starts from what was kept: nothing is asked again.
	svc2, err := New(Params{Store: memStore(t, clk), API: api, Clock: clk, Features: kept})
	if err != nil {
		t.Fatal(err)
	}
	if svc2.Supports(FeatureSMS) || svc2.ProbeFeatures(ctx) {
		t.Fatalf("second run: %v", svc2.KnownFeatures())
	}
}

// HstockPlus itself offers everything: the probe learns that, and nothing is hidden.
func TestHstockPlusOffersEveryFeature(t *testing.T) {
	clk := newFakeClock()
	env := newSandbox(t, clk, "")
	svc := newService(t, memStore(t, clk), env.api, clk, nil)
	svc.ProbeFeatures(context.Background())
	if k := svc.KnownFeatures(); !k[FeatureShops] || !k[FeatureSMS] {
		t.Fatalf("known %v", k)
	}
}
