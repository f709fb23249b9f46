package client

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// catalogJSON builds a services answer of n rows in the newer shape (~400 bytes a row).
func catalogJSON(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"services":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"507f1f77bcf86cd7994%05d","service":%d,"name":"Instagram Followers [Real] [Refill 30 days] #%d",`+
			`"type":"Default","category":"Instagram","subcategory":"Followers","rate":"0.%02d","min":100,"max":10000,`+
			`"refill":true,"cancel":false,"stock":10000,"entityType":"smm","autoDelivery":true,`+
			`"description":"Fast start, high quality accounts, \"lifetime\" guarantee","imageUrl":"https://example.com/i/%d.webp"}`,
			i, i+1, i, i%100, i)
	}
	fmt.Fprintf(&b, `],"total":%d,"page":%d,"limit":%d,"total_pages":1}`, n, n, n)
	return []byte(b.String())
}

func BenchmarkDecodeCatalog100k(b *testing.B) {
	body := catalogJSON(100_000)
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for b.Loop() {
		pg, err := decodeServicesPage(body, "services")
		if err != nil || len(pg.Services) != 100_000 {
			b.Fatal(err)
		}
	}
}

// BenchmarkServicesCall100k is the whole Services call against a local server.
func BenchmarkServicesCall100k(b *testing.B) {
	body := catalogJSON(100_000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	c, err := New(WithEndpoint(srv.URL), WithAPIKey(testKey), WithRateLimit(0, 0))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for b.Loop() {
		pg, err := c.Services(context.Background(), ServicesParams{})
		if err != nil || len(pg.Services) != 100_000 {
			b.Fatal(err)
		}
	}
}
