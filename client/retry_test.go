package client

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// hangUp closes the connection without an answer; with reset it sends a TCP RST.
func hangUp(t *testing.T, w http.ResponseWriter, reset bool) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		t.Error("cannot hijack")
		return
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		t.Error(err)
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok && reset {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// flaky fails the first n requests with fail, then answers body.
func flaky(t *testing.T, n int, fail func(w http.ResponseWriter), body string) *fakeServer {
	return newFakeServer(t, func(w http.ResponseWriter, r *http.Request, i int) {
		if i <= n {
			fail(w)
			return
		}
		_, _ = io.WriteString(w, body)
	})
}

func TestReadsAreRetried(t *testing.T) {
	faults := map[string]func(t *testing.T) func(w http.ResponseWriter){
		"502 html": func(*testing.T) func(http.ResponseWriter) {
			return func(w http.ResponseWriter) { w.WriteHeader(502); _, _ = io.WriteString(w, html502) }
		},
		"500 json": func(*testing.T) func(http.ResponseWriter) {
			return func(w http.ResponseWriter) { w.WriteHeader(500); _, _ = io.WriteString(w, `{"status":"down"}`) }
		},
		"503 empty": func(*testing.T) func(http.ResponseWriter) {
			return func(w http.ResponseWriter) { w.WriteHeader(503) }
		},
		"200 truncated": func(*testing.T) func(http.ResponseWriter) {
			return func(w http.ResponseWriter) { _, _ = io.WriteString(w, docBalance[:10]) }
		},
		"200 html": func(*testing.T) func(http.ResponseWriter) {
			return func(w http.ResponseWriter) { _, _ = io.WriteString(w, "<html>maintenance</html>") }
		},
		"429": func(*testing.T) func(http.ResponseWriter) {
			return func(w http.ResponseWriter) { w.WriteHeader(429) }
		},
		"rate limit message": func(*testing.T) func(http.ResponseWriter) {
			return func(w http.ResponseWriter) { _, _ = io.WriteString(w, `{"error":"Too many requests, slow down"}`) }
		},
		"hang up": func(t *testing.T) func(http.ResponseWriter) {
			return func(w http.ResponseWriter) { hangUp(t, w, false) }
		},
		"reset": func(t *testing.T) func(http.ResponseWriter) {
			return func(w http.ResponseWriter) { hangUp(t, w, true) }
		},
		"cut mid-body": func(t *testing.T) func(http.ResponseWriter) {
			return func(w http.ResponseWriter) {
				w.Header().Set("Content-Length", "1000")
				_, _ = io.WriteString(w, `{"balance": "1`)
				w.(http.Flusher).Flush()
				hangUp(t, w, false)
			}
		},
	}
	for name, fault := range faults {
		t.Run(name, func(t *testing.T) {
			srv := flaky(t, 2, fault(t), docBalance)
			c, sl := newTestClient(t, srv.URL)
			bal, err := c.Balance(ctxT(t))
			if err != nil || bal.Balance.String() != "100.00" {
				t.Fatalf("Balance: %+v, %v", bal, err)
			}
			if srv.count() != 3 {
				t.Errorf("%d requests, want 3", srv.count())
			}
			if n := len(sl.all()); n != 2 {
				t.Errorf("%d waits, want 2", n)
			}
		})
	}
}

func TestReadsGiveUpAfterMaxAttempts(t *testing.T) {
	srv := flaky(t, 100, func(w http.ResponseWriter) { w.WriteHeader(503); _, _ = io.WriteString(w, html502) }, docBalance)
	c, sl := newTestClient(t, srv.URL, WithRetry(3, 10*time.Millisecond, 40*time.Millisecond))
	_, err := c.Balance(ctxT(t))
	var te *TransportError
	if !errors.As(err, &te) || te.HTTPStatus != 503 || !errors.Is(err, ErrNotJSON) {
		t.Fatalf("got %v", err)
	}
	if srv.count() != 3 {
		t.Errorf("%d requests, want 3", srv.count())
	}
	waits := sl.all()
	if len(waits) != 2 {
		t.Fatalf("waits %v", waits)
	}
	for i, d := range waits {
		if ceiling := 10 * time.Millisecond << i; d < 0 || d > ceiling {
			t.Errorf("wait %d = %v, above %v", i, d, ceiling)
		}
	}
	// One attempt: no retry at all.
	c1, _ := newTestClient(t, srv.URL, WithRetry(1, time.Millisecond, time.Millisecond))
	before := srv.count()
	if _, err := c1.Balance(ctxT(t)); err == nil || srv.count()-before != 1 {
		t.Errorf("WithRetry(1): %d requests, %v", srv.count()-before, err)
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	srv := newFakeServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		switch n {
		case 1:
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(429)
		case 2:
			w.Header().Set("Retry-After", time.Now().Add(30*time.Second).UTC().Format(http.TimeFormat))
			w.WriteHeader(503)
		default:
			_, _ = io.WriteString(w, docBalance)
		}
	})
	c, sl := newTestClient(t, srv.URL)
	if _, err := c.Balance(context.Background()); err != nil { // no deadline: the waits are recorded, not slept
		t.Fatal(err)
	}
	waits := sl.all()
	if len(waits) != 2 || waits[0] != 7*time.Second || waits[1] < 25*time.Second || waits[1] > 30*time.Second {
		t.Fatalf("waits %v, want [7s ~30s]", waits)
	}
}

func TestRetryAfterTooLongEndsRetries(t *testing.T) {
	srv := newFakeServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(429)
		_, _ = io.WriteString(w, "<html>Too Many Requests</html>")
	})
	c, sl := newTestClient(t, srv.URL)
	_, err := c.Services(ctxT(t), ServicesParams{})
	var rl *RateLimitError
	if !errors.As(err, &rl) || rl.RetryAfter != time.Hour || rl.HTTPStatus != 429 || !errors.Is(err, ErrRateLimited) {
		t.Fatalf("got %v", err)
	}
	if srv.count() != 1 || len(sl.all()) != 0 {
		t.Errorf("%d requests, %d waits; want 1, 0", srv.count(), len(sl.all()))
	}
	if !strings.Contains(err.Error(), "1h0m0s") {
		t.Errorf("message %q", err)
	}
}

func TestRetryStopsAtDeadline(t *testing.T) {
	srv := newFakeServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(503)
	})
	c, sl := newTestClient(t, srv.URL)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := c.Balance(ctx)
	var te *TransportError
	if !errors.As(err, &te) || te.HTTPStatus != 503 {
		t.Fatalf("got %v", err)
	}
	if srv.count() != 1 || len(sl.all()) != 0 {
		t.Errorf("waited for a retry the deadline does not allow: %d requests, waits %v", srv.count(), sl.all())
	}
}

func TestNoRetryOnDefiniteAnswers(t *testing.T) {
	for name, h := range map[string]func(http.ResponseWriter, *http.Request, int){
		"api error":         answer(200, `{"error":"Order not found"}`),
		"api error 500":     answer(500, `{"error":"Something odd"}`),
		"4xx json no error": answer(400, `{"message":"bad"}`),
		"malformed":         answer(200, `{"status": []}`),
		"redirect": func(w http.ResponseWriter, r *http.Request, _ int) {
			http.Redirect(w, r, "https://elsewhere.example/", http.StatusFound)
		},
	} {
		t.Run(name, func(t *testing.T) {
			srv := newFakeServer(t, h)
			c, _ := newTestClient(t, srv.URL)
			if _, err := c.Status(ctxT(t), 1); err == nil {
				t.Fatal("no error")
			}
			if srv.count() != 1 {
				t.Errorf("%d requests, want 1", srv.count())
			}
		})
	}
}

func TestCancelDuringBackoff(t *testing.T) {
	srv := flaky(t, 100, func(w http.ResponseWriter) { w.WriteHeader(502) }, docBalance)
	c, _ := newTestClient(t, srv.URL)
	ctx, cancel := context.WithCancel(context.Background())
	c.sleep = func(ctx context.Context, d time.Duration) error {
		cancel()
		return sleepCtx(ctx, time.Hour)
	}
	_, err := c.Balance(ctx)
	var te *TransportError
	if !errors.As(err, &te) || te.HTTPStatus != 502 {
		t.Fatalf("got %v", err)
	}
	if srv.count() != 1 {
		t.Errorf("%d requests after cancel", srv.count())
	}
}

func TestSleepCtx(t *testing.T) {
	if err := sleepCtx(context.Background(), time.Microsecond); err != nil {
		t.Fatal(err)
	}
	if err := sleepCtx(context.Background(), 0); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := sleepCtx(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
}

func TestBackoffBounds(t *testing.T) {
	c, _ := New(WithRetry(10, 250*time.Millisecond, 10*time.Second))
	for n := 1; n <= 12; n++ {
		ceiling := min(250*time.Millisecond<<(n-1), 10*time.Second)
		for range 200 {
			if d := c.backoff(n); d < 0 || d > ceiling {
				t.Fatalf("backoff(%d) = %v, above %v", n, d, ceiling)
			}
		}
	}
	z, _ := New(WithRetry(3, 0, 0))
	if z.backoff(5) != 0 {
		t.Error("zero base")
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"":                              0,
		"0":                             0,
		"-5":                            0,
		"120":                           2 * time.Minute,
		" 3 ":                           3 * time.Second,
		"99999999999":                   24 * time.Hour,
		"soon":                          0,
		"Wed, 01 Jan 2025 00:00:45 GMT": 45 * time.Second,
		"Tue, 31 Dec 2024 23:00:00 GMT": 0,
	} {
		if got := parseRetryAfter(in, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}

// --- Calls that spend money: exactly one request, whatever happens. ---

func TestSpendSentOnceUnderEveryFault(t *testing.T) {
	type fault struct {
		h       func(t *testing.T) func(http.ResponseWriter, *http.Request, int)
		outcome error
		also    error // another error the chain must reach
	}
	static := func(h func(http.ResponseWriter, *http.Request, int)) func(*testing.T) func(http.ResponseWriter, *http.Request, int) {
		return func(*testing.T) func(http.ResponseWriter, *http.Request, int) { return h }
	}
	faults := map[string]fault{
		"hang up before answer": {func(t *testing.T) func(http.ResponseWriter, *http.Request, int) {
			return func(w http.ResponseWriter, _ *http.Request, _ int) { hangUp(t, w, false) }
		}, ErrOutcomeUnknown, nil},
		"reset before answer": {func(t *testing.T) func(http.ResponseWriter, *http.Request, int) {
			return func(w http.ResponseWriter, _ *http.Request, _ int) { hangUp(t, w, true) }
		}, ErrOutcomeUnknown, nil},
		"502 html":                 {static(answer(502, html502)), ErrOutcomeUnknown, ErrNotJSON},
		"500 json without error":   {static(answer(500, `{"ok":false}`)), ErrOutcomeUnknown, nil},
		"500 undocumented error":   {static(answer(500, `{"error":"Internal server error"}`)), ErrOutcomeUnknown, nil},
		"503 empty":                {static(answer(503, ``)), ErrOutcomeUnknown, ErrNotJSON},
		"200 truncated":            {static(answer(200, `{"order": 235`)), ErrOutcomeUnknown, ErrNotJSON},
		"200 empty":                {static(answer(200, ``)), ErrOutcomeUnknown, ErrNotJSON},
		"200 without order":        {static(answer(200, `{"orders":[],"status":"ok"}`)), ErrOutcomeUnknown, ErrMalformedResponse},
		"429 html":                 {static(answer(429, `<html>slow down</html>`)), ErrOutcomeUnknown, ErrRateLimited},
		"429 api message":          {static(answer(429, `{"error":"Too many requests"}`)), ErrNotSent, ErrRateLimited},
		"200 rate limit message":   {static(answer(200, `{"error":"Rate limit exceeded"}`)), ErrNotSent, ErrRateLimited},
		"400 insufficient balance": {static(answer(400, `{"error":"Insufficient balance"}`)), ErrNotSent, ErrInsufficientBalance},
		"200 insufficient balance": {static(answer(200, `{"error":"Insufficient balance"}`)), ErrNotSent, ErrInsufficientBalance},
		"500 service not found":    {static(answer(500, `{"error":"Service not found"}`)), ErrNotSent, ErrServiceNotFound},
		"200 invalid key":          {static(answer(200, `{"error":"Invalid API key"}`)), ErrNotSent, ErrInvalidKey},
		"422 other message":        {static(answer(422, `{"error":"Quantity is below the minimum"}`)), ErrNotSent, nil},
		"stalled answer": {func(t *testing.T) func(http.ResponseWriter, *http.Request, int) {
			return func(w http.ResponseWriter, r *http.Request, _ int) { <-r.Context().Done() }
		}, ErrOutcomeUnknown, context.DeadlineExceeded},
		"cut mid-body": {func(t *testing.T) func(http.ResponseWriter, *http.Request, int) {
			return func(w http.ResponseWriter, r *http.Request, _ int) {
				w.Header().Set("Content-Length", "100")
				_, _ = io.WriteString(w, `{"order":`)
				w.(http.Flusher).Flush()
				hangUp(t, w, false)
			}
		}, ErrOutcomeUnknown, nil},
	}
	for name, f := range faults {
		t.Run(name, func(t *testing.T) {
			srv := newFakeServer(t, f.h(t))
			c, sl := newTestClient(t, srv.URL)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if strings.HasPrefix(name, "stalled") {
				ctx, cancel = context.WithTimeout(ctx, 200*time.Millisecond)
				defer cancel()
			}
			check := func(action string, err error) {
				t.Helper()
				var se *SpendError
				if !errors.As(err, &se) || se.Action != action {
					t.Fatalf("%s: %T %v is not a *SpendError", action, err, err)
				}
				if !errors.Is(err, f.outcome) || se.Outcome != f.outcome {
					t.Errorf("%s: outcome %v, want %v (%v)", action, se.Outcome, f.outcome, err)
				}
				other := ErrNotSent
				if f.outcome == ErrNotSent {
					other = ErrOutcomeUnknown
				}
				if errors.Is(err, other) {
					t.Errorf("%s: matches both outcomes", action)
				}
				if f.also != nil && !errors.Is(err, f.also) {
					t.Errorf("%s: %v does not reach %v", action, err, f.also)
				}
				if f.outcome == ErrOutcomeUnknown && !strings.Contains(err.Error(), "may have been placed") {
					t.Errorf("%s: message %q does not warn", action, err)
				}
			}
			_, err := c.Add(ctx, AddRequest{Service: 1, Quantity: 100, Link: "https://x.y"})
			check("add", err)
			if srv.count() != 1 {
				t.Fatalf("add: %d requests, want exactly 1", srv.count())
			}
			if strings.HasPrefix(name, "stalled") {
				ctx, cancel = context.WithTimeout(context.Background(), 200*time.Millisecond)
				defer cancel()
			}
			_, err = c.AddSMS(ctx, AddSMSRequest{ProjectID: "p1"})
			check("add_sms", err)
			if srv.count() != 2 {
				t.Fatalf("add_sms: %d requests in all, want 2", srv.count())
			}
			if len(sl.all()) != 0 {
				t.Error("a spend call waited to retry")
			}
		})
	}
}

func TestSpendNotSentBeforeSending(t *testing.T) {
	// An address nothing listens on.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String() + "/api/v2"
	_ = ln.Close()

	t.Run("unreachable port", func(t *testing.T) {
		c, _ := newTestClient(t, dead)
		_, err := c.Add(ctxT(t), AddRequest{Service: 1, Quantity: 1})
		if !errors.Is(err, ErrNotSent) {
			t.Fatalf("got %v", err)
		}
		var te *TransportError
		if !errors.As(err, &te) || te.HTTPStatus != 0 {
			t.Errorf("cause %v", err)
		}
		_, err = c.AddSMS(ctxT(t), AddSMSRequest{ProjectID: "p"})
		if !errors.Is(err, ErrNotSent) {
			t.Fatalf("AddSMS: %v", err)
		}
	})
	t.Run("context cancelled before", func(t *testing.T) {
		srv := docServer(t)
		c, _ := newTestClient(t, srv.URL)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := c.Add(ctx, AddRequest{Service: 1, Quantity: 1})
		if !errors.Is(err, ErrNotSent) || !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v", err)
		}
		if srv.count() != 0 {
			t.Fatal("sent")
		}
	})
	t.Run("rate limiter wait refused", func(t *testing.T) {
		srv := docServer(t)
		c, sl := newTestClient(t, srv.URL, WithRateLimit(0.001, 1))
		if _, err := c.Add(ctxT(t), AddRequest{Service: 1, Quantity: 1}); err != nil {
			t.Fatal(err)
		}
		// The bucket is empty for ~1000s: a 1s deadline cannot be met.
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_, err := c.Add(ctx, AddRequest{Service: 1, Quantity: 1})
		if !errors.Is(err, ErrNotSent) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("got %v", err)
		}
		_, err = c.Balance(ctx)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("read: %v", err)
		}
		if srv.count() != 1 || len(sl.all()) != 0 {
			t.Fatalf("%d requests, waits %v", srv.count(), sl.all())
		}
	})
	t.Run("dns failure", func(t *testing.T) {
		c, _ := newTestClient(t, "https://nonexistent.invalid/api/v2")
		_, err := c.Add(ctxT(t), AddRequest{Service: 1, Quantity: 1})
		if !errors.Is(err, ErrNotSent) {
			t.Fatalf("got %v", err)
		}
	})
}

// roundTripFunc is a transport that does not report through httptrace.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestSpendWithOpaqueTransport(t *testing.T) {
	// A transport the client cannot observe: only errors known to come before sending count
	// as not sent; anything else may have been sent.
	for name, tc := range map[string]struct {
		err  error
		want error
	}{
		"generic error": {errors.New("proxy said no"), ErrOutcomeUnknown},
		"dial error":    {&net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}, ErrNotSent},
		"dns error":     {&net.DNSError{Err: "no such host", Name: "x.invalid", IsNotFound: true}, ErrNotSent},
		"read error":    {&net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset")}, ErrOutcomeUnknown},
	} {
		t.Run(name, func(t *testing.T) {
			calls := 0
			hc := &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) {
				calls++
				return nil, tc.err
			})}
			c, _ := newTestClient(t, "https://hstockplus.com/api/v2", WithHTTPClient(hc))
			_, err := c.Add(ctxT(t), AddRequest{Service: 1, Quantity: 1})
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if calls != 1 {
				t.Fatalf("%d calls", calls)
			}
		})
	}
}

func TestSpendSuccessAfterServerRestart(t *testing.T) {
	// A kept-alive connection closed by the server between two orders: the second order must
	// either succeed once or fail; never be sent twice.
	srv := newFakeServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			w.Header().Set("Connection", "close")
		}
		_, _ = io.WriteString(w, docAdd)
	})
	c, _ := newTestClient(t, srv.URL)
	for i := range 3 {
		if _, err := c.Add(ctxT(t), AddRequest{Service: 1, Quantity: 1}); err != nil {
			t.Fatalf("order %d: %v", i, err)
		}
	}
	if srv.count() != 3 {
		t.Fatalf("%d requests for 3 orders", srv.count())
	}
}
