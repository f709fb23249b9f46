package client

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestFetchImage(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	var gotKey bool
	mux := http.NewServeMux()
	mux.HandleFunc("/ok.png", func(w http.ResponseWriter, r *http.Request) {
		gotKey = r.URL.Query().Get("key") != "" || r.Header.Get("Authorization") != ""
		w.Header().Set("Content-Type", "image/png")
		w.Write(png)
	})
	mux.HandleFunc("/html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html>"))
	})
	mux.HandleFunc("/huge", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(bytes.Repeat([]byte{0}, MaxImageBytes+10))
	})
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/ok.png", http.StatusFound)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c, err := New(WithEndpoint(srv.URL+"/api/v2"), WithAPIKey("secret-key-123"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()

	b, ct, err := c.FetchImage(ctx, srv.URL+"/ok.png")
	if err != nil || ct != "image/png" || !bytes.Equal(b, png) || gotKey {
		t.Fatalf("ok: %v %q %d bytes, key sent %v", err, ct, len(b), gotKey)
	}
	if _, _, err := c.FetchImage(ctx, srv.URL+"/html"); !errors.Is(err, ErrNotImage) {
		t.Fatalf("html: %v", err)
	}
	if _, _, err := c.FetchImage(ctx, srv.URL+"/huge"); !errors.Is(err, ErrBodyTooLarge) {
		t.Fatalf("huge: %v", err)
	}
	var te *TransportError
	if _, _, err := c.FetchImage(ctx, srv.URL+"/redirect"); !errors.As(err, &te) || te.HTTPStatus != http.StatusFound {
		t.Fatalf("redirect must not be followed: %v", err)
	}
	for _, bad := range []string{"http://example.com/a.png", "ftp://x/a.png", "not a url", "file:///etc/passwd"} {
		if _, _, err := c.FetchImage(ctx, bad); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("%s: %v", bad, err)
		}
	}
}
