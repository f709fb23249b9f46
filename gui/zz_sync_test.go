package gui

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/hstockplus/hstockplus/account/accounttest"
	"github.com/hstockplus/hstockplus/client"
	"github.com/hstockplus/hstockplus/client/sandbox"
)

func BenchmarkSync100k(b *testing.B) {
	srv, _ := sandbox.New(sandbox.Options{Services: 100000, Seed: 9})
	var answer []byte
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if answer == nil {
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, r)
			answer = rec.Body.Bytes()
		}
		w.Write(answer)
	}))
	defer hs.Close()
	api, _ := client.New(client.WithEndpoint(hs.URL+"/api/v2"), client.WithAPIKey(srv.Key()))
	api.AllServices(b.Context(), client.ServicesParams{}, 0, nil)
	env := accounttest.OpenDir(b, b.TempDir(), api)
	b.ResetTimer()
	for b.Loop() {
		c, err := env.Svc.RefreshCatalog(b.Context())
		if err != nil {
			b.Fatal(err)
		}
		buildCatalogIndex(c.Rows)
	}
}
