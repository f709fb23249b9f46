package sandbox

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// fakeClock is an injectable clock the tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock {
	return &fakeClock{t: time.Date(2025, 3, 14, 9, 26, 53, 589_000_000, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// newServer builds a server on a fake clock.
func newServer(t testing.TB, opts Options) (*Server, *fakeClock) {
	t.Helper()
	clk := newClock()
	if opts.Now == nil {
		opts.Now = clk.Now
	}
	s, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s, clk
}

func form(kv ...string) url.Values {
	f := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		f.Add(kv[i], kv[i+1])
	}
	return f
}

// raw posts a form straight to the handler.
func raw(t testing.TB, h http.Handler, f url.Values) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "http://sandbox.test/api/v2", strings.NewReader(f.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// decode parses JSON keeping numbers as json.Number.
func decode(t testing.TB, body []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %q: %v", truncate(body), err)
	}
	return v
}

func truncate(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}

// api calls an action with the server's key and returns the decoded answer,
// failing on a non-200 status.
func api(t testing.TB, s *Server, kv ...string) any {
	t.Helper()
	f := form(kv...)
	if !f.Has("key") {
		f.Set("key", s.Key())
	}
	w := raw(t, s, f)
	if w.Code != http.StatusOK {
		t.Fatalf("%v: status %d: %s", kv, w.Code, w.Body.String())
	}
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("%v: content type %q", kv, ct)
	}
	return decode(t, w.Body.Bytes())
}

// obj calls an action expecting a JSON object without "error".
func obj(t testing.TB, s *Server, kv ...string) map[string]any {
	t.Helper()
	m, ok := api(t, s, kv...).(map[string]any)
	if !ok {
		t.Fatalf("%v: not an object", kv)
	}
	if e, bad := m["error"]; bad {
		t.Fatalf("%v: error %v", kv, e)
	}
	return m
}

// apiErr calls an action expecting {"error": want}.
func apiErr(t testing.TB, s *Server, want string, kv ...string) {
	t.Helper()
	m, ok := api(t, s, kv...).(map[string]any)
	if !ok {
		t.Fatalf("%v: not an object", kv)
	}
	if got, _ := m["error"].(string); got != want {
		t.Fatalf("%v: error %q, want %q (answer %v)", kv, got, want, m)
	}
}

func list(t testing.TB, m map[string]any, key string) []map[string]any {
	t.Helper()
	arr, ok := m[key].([]any)
	if !ok {
		t.Fatalf("no array %q in %v", key, m)
	}
	out := make([]map[string]any, len(arr))
	for i, v := range arr {
		out[i] = v.(map[string]any)
	}
	return out
}

func num(t testing.TB, v any) int {
	t.Helper()
	n, ok := v.(json.Number)
	if !ok {
		t.Fatalf("%v (%T) is not a number", v, v)
	}
	i, err := n.Int64()
	if err != nil {
		t.Fatalf("%v: %v", v, err)
	}
	return int(i)
}

func str(t testing.TB, v any) string {
	t.Helper()
	s, ok := v.(string)
	if !ok {
		t.Fatalf("%v (%T) is not a string", v, v)
	}
	return s
}

func dec(t testing.TB, v any) decimal.Decimal {
	t.Helper()
	d, err := decimal.NewFromString(str(t, v))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// findRow returns the first catalog row matching pred.
func findRow(t testing.TB, s *Server, pred func(*row) bool) *row {
	t.Helper()
	for i := range s.cat.rows {
		if pred(&s.cat.rows[i]) {
			return &s.cat.rows[i]
		}
	}
	t.Fatal("no catalog row matches")
	return nil
}

func itoa(n int) string { return strconv.Itoa(n) }
