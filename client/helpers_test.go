package client

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"
)

// testKey is distinctive so that a leak is unmistakable.
const testKey = "sk_live_S3CR3T-k3y_9f8e7d6c5b4a"

// seen is one request as the server received it.
type seen struct {
	Form   url.Values
	Header http.Header
	Method string
	Query  string
}

// fakeServer is an httptest server that records every request's form and answers with handle.
type fakeServer struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []seen
}

// newFakeServer starts a server; handle may write any answer. The form is parsed first.
func newFakeServer(t *testing.T, handle func(w http.ResponseWriter, r *http.Request, n int)) *fakeServer {
	t.Helper()
	fs := &fakeServer{}
	fs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		fs.mu.Lock()
		fs.reqs = append(fs.reqs, seen{Form: r.PostForm, Header: r.Header.Clone(), Method: r.Method, Query: r.URL.RawQuery})
		n := len(fs.reqs)
		fs.mu.Unlock()
		handle(w, r, n)
	}))
	t.Cleanup(fs.Close)
	return fs
}

// answer returns a handler that always answers status with body (JSON content type).
func answer(status int, body string) func(http.ResponseWriter, *http.Request, int) {
	return func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

func (fs *fakeServer) count() int {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return len(fs.reqs)
}

func (fs *fakeServer) last(t *testing.T) seen {
	t.Helper()
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if len(fs.reqs) == 0 {
		t.Fatal("no request reached the server")
	}
	return fs.reqs[len(fs.reqs)-1]
}

// sleeps records the delays the client asked to wait, without waiting.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) all() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

// newTestClient builds a client for endpoint with the test key, no rate limit, 4 attempts and
// recorded (not real) sleeps.
func newTestClient(t *testing.T, endpoint string, opts ...Option) (*Client, *sleeps) {
	t.Helper()
	base := []Option{
		WithEndpoint(endpoint),
		WithAPIKey(testKey),
		WithRateLimit(0, 0),
		WithRetry(4, time.Millisecond, 5*time.Millisecond),
	}
	c, err := New(append(base, opts...)...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	s := &sleeps{}
	c.sleep = s.sleep
	return c, s
}

func ctxT(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}
