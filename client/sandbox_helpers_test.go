package client_test

// Integration tests of the client against the simulated server (client/sandbox) on a real
// loopback socket, so that the faults that reset or drop the connection are real TCP events.
//
// The sandbox runs on an injectable clock that the tests move by hand, so order and SMS
// lifecycles are deterministic and nothing waits for them. Its fault generator is seeded: with
// requests sent one after another, the same requests meet the same faults on every run. The
// client's rate limiter is off and its retry backoff is a millisecond or two; the only real
// waits are the one-second Retry-After of the sandbox's 429 page, in the few reads that meet it.
//
// This file holds their shared helpers; the tests are in the other sandbox_*_test.go files.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"runtime/debug"
	"slices"
	"sync"
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
	rows, skipped, err := e.c.AllServices(ctx, client.ServicesParams{}, 0, nil)
	if err != nil || skipped.Rows != 0 {
		t.Fatalf("AllServices: %v (%s)", err, skipped)
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
