package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// assertNoKey fails if the key, or its form encoding, shows in any rendering of err.
func assertNoKey(t *testing.T, name string, err error) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error", name)
		return
	}
	for _, format := range []string{"%v", "%+v", "%s", "%q", "%#v"} {
		s := fmt.Sprintf(format, err)
		for _, k := range []string{testKey, url.QueryEscape(testKey), testKey[:len(testKey)-3], testKey[3:]} {
			if strings.Contains(s, k) {
				t.Errorf("%s: %s shows the key: %s", name, format, s)
			}
		}
	}
	// And every error in the chain, rendered alone.
	for e := err; e != nil; e = errors.Unwrap(e) {
		if strings.Contains(e.Error(), testKey) {
			t.Errorf("%s: %T in the chain shows the key", name, e)
		}
	}
}

// echoKeyServer answers with a body built from the request's key.
func echoKeyServer(t *testing.T, status int, tmpl string) *fakeServer {
	return newFakeServer(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		body := strings.ReplaceAll(tmpl, "{KEY}", r.PostForm.Get("key"))
		body = strings.ReplaceAll(body, "{QKEY}", url.QueryEscape(r.PostForm.Get("key")))
		body = strings.ReplaceAll(body, "{FORM}", r.PostForm.Encode())
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	})
}

func TestKeyNeverInErrors(t *testing.T) {
	cases := []struct {
		name   string
		status int
		body   string
	}{
		{"api error echo", 401, `{"error":"Invalid API key: {KEY}"}`},
		{"api error escaped", 200, `{"error":"bad request key={QKEY}&action=add"}`},
		{"api error split by controls", 200, `{"error":"key ` + testKey[:6] + `\u0000\u200b` + testKey[6:] + `"}`},
		{"api error at the cut", 200, `{"error":"` + strings.Repeat("x", maxMessageRunes-6) + `{KEY}"}`},
		{"rate limit echo", 429, `{"error":"Too many requests for {KEY}"}`},
		{"html echo", 502, `<html><title>Bad {KEY}</title><body>{FORM}</body></html>`},
		{"html no title echo", 500, `<html><body>{FORM}</body></html>`},
		{"excerpt at the cut", 503, strings.Repeat("y", maxExcerptRunes-5) + "{KEY}"},
		{"excerpt long cut", 503, strings.Repeat("y", maxExcerptRunes+20) + "{KEY}"},
		{"json no error echo", 400, `{"message":"{KEY}"}`},
		{"truncated echo", 200, `{"order": "{KEY}`},
		{"malformed echo", 200, `{"order": "{KEY}", "status": {"s": "{KEY}"}, "balance": "{KEY}", "services": [{"rate": "{KEY}"}], "orders": [{"order": "{KEY}"}]}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := echoKeyServer(t, tc.status, tc.body)
			c, _ := newTestClient(t, srv.URL, WithRetry(1, 0, 0))
			ctx := ctxT(t)
			_, err := c.Balance(ctx)
			assertNoKey(t, "Balance", err)
			_, err = c.Services(ctx, ServicesParams{})
			assertNoKey(t, "Services", err)
			_, err = c.Status(ctx, 1)
			assertNoKey(t, "Status", err)
			_, err = c.Add(ctx, AddRequest{Service: 1, Quantity: 1})
			assertNoKey(t, "Add", err)
			_, err = c.AddSMS(ctx, AddSMSRequest{ProjectID: "p"})
			assertNoKey(t, "AddSMS", err)
		})
	}
}

func TestKeyNeverInTransportErrors(t *testing.T) {
	// A transport whose error quotes the request body (and so the key).
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		b, _ := io.ReadAll(r.Body)
		return nil, fmt.Errorf("upstream refused %s (key %s)", b, testKey)
	})}
	c, _ := newTestClient(t, "https://hstockplus.com/api/v2", WithHTTPClient(hc), WithRetry(2, 0, 0))
	_, err := c.Balance(ctxT(t))
	assertNoKey(t, "Balance", err)
	_, err = c.Add(ctxT(t), AddRequest{Service: 1, Quantity: 1})
	assertNoKey(t, "Add", err)
	if !errors.Is(err, ErrOutcomeUnknown) {
		t.Errorf("Add: %v", err)
	}

	// Network errors.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	_ = ln.Close()
	c2, _ := newTestClient(t, "http://"+addr+"/api/v2?token="+testKey[:5])
	_, err = c2.Balance(ctxT(t))
	assertNoKey(t, "dial", err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = c2.Add(ctx, AddRequest{Service: 1, Quantity: 1})
	assertNoKey(t, "cancelled", err)

	// Redirect, body cap, and validation errors.
	srv := newFakeServer(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		http.Redirect(w, r, "https://elsewhere.example/?k="+r.PostForm.Get("key"), http.StatusFound)
	})
	c3, _ := newTestClient(t, srv.URL)
	_, err = c3.Balance(ctxT(t))
	assertNoKey(t, "redirect", err)
	big := echoKeyServer(t, 200, strings.Repeat("{KEY}", 1000))
	c4, _ := newTestClient(t, big.URL, WithMaxBodyBytes(100))
	_, err = c4.Balance(ctxT(t))
	assertNoKey(t, "body cap", err)
	_, err = c4.Add(ctxT(t), AddRequest{})
	assertNoKey(t, "validation", err)
}

func TestRedactorClean(t *testing.T) {
	r := newRedactor(testKey)
	for _, in := range []string{
		testKey,
		"a" + testKey + "b" + url.QueryEscape(testKey),
		strings.Repeat("z", 95) + testKey,
		strings.Repeat("z", 99) + testKey[:10],
	} {
		out := r.clean(in, 100)
		if strings.Contains(out, testKey) || strings.Contains(out, testKey[:10]) {
			t.Errorf("clean(%q) = %q", in, out)
		}
	}
	// Short keys are not scrubbed (they would mangle every message).
	if got := newRedactor("ab").clean("abc", 10); got != "abc" {
		t.Errorf("short key: %q", got)
	}
	if got := sanitizeText("a\x00b\u202ec\n\n\td  e", 100); got != "abc d e" {
		t.Errorf("sanitizeText = %q", got)
	}
	if got := sanitizeText(strings.Repeat("é", 10), 5); got != "ééééé…" {
		t.Errorf("sanitizeText cut = %q", got)
	}
	if got := truncateRunes("ééééé", 3); got != "éé…" {
		t.Errorf("truncateRunes = %q", got)
	}
	if got := sanitizeText("\xff\xfeok", 10); got != "ok" {
		t.Errorf("invalid UTF-8: %q", got)
	}
}
