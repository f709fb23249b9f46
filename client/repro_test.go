package client

// Reproductions written before the fixes, against the API as it was. They stay as regression
// tests; robust_test.go checks the new API on top.

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net/http"
	"reflect"
	"runtime"
	"testing"
	"time"
)

// Item 1: an answer with both an order id and an error placed the order.
func TestReproAddOrderIDWithError(t *testing.T) {
	for _, status := range []int{200, 400, 500} {
		srv := newFakeServer(t, answer(status, `{"order": 23501, "error": "Order created, e-mail notification failed"}`))
		c, _ := newTestClient(t, srv.URL)
		r, err := c.Add(ctxT(t), AddRequest{Service: 1, Quantity: 10, Link: "x"})
		if err != nil || r == nil || r.Order != 23501 {
			t.Errorf("HTTP %d: %+v, %v", status, r, err)
		}
	}
	srv := newFakeServer(t, answer(200, `{"orders":[{"order":1,"phone":"+1"},{"phone":"+2"}],"error":"only one number was available"}`))
	c, _ := newTestClient(t, srv.URL)
	os, err := c.AddSMS(ctxT(t), AddSMSRequest{ProjectID: "p", Quantity: 2})
	if err != nil || len(os) != 1 || os[0].Order != 1 {
		t.Errorf("add_sms: %+v, %v", os, err)
	}
}

// Item 2: a missing or null rate is not the same as a rate of 0.
func TestReproUnknownRateIsNotZero(t *testing.T) {
	pg, err := decodeServicesPage([]byte(`{"services":[{"service":1},{"service":1,"rate":null},{"service":1,"rate":"0"}]}`), "services")
	if err != nil {
		t.Fatal(err)
	}
	for i := range pg.Services {
		if !pg.Services[i].Rate.IsZero() {
			t.Fatalf("row %d: rate %s", i, pg.Services[i].Rate)
		}
		pg.Services[i].Rate = Decimal{} // compare everything but the value
	}
	if reflect.DeepEqual(pg.Services[0], pg.Services[2]) || reflect.DeepEqual(pg.Services[1], pg.Services[2]) {
		t.Error("an absent or null rate decodes like a rate of 0")
	}
	ps, err := decodeSMSProjects([]byte(`[{"project_id":"a"},{"project_id":"a","price":"0"}]`))
	if err != nil {
		t.Fatal(err)
	}
	ps[0].Price, ps[1].Price = Decimal{}, Decimal{}
	if reflect.DeepEqual(ps[0], ps[1]) {
		t.Error("an absent price decodes like a price of 0")
	}
}

// Item 3: keys match exactly; a key spelled in another case is ignored.
func TestReproCaseVariantKeys(t *testing.T) {
	pg, err := decodeServicesPage([]byte(`{"services":[{"service":1,"rate":"0.50","RATE":"0.05"}]}`), "services")
	if err != nil || pg.Services[0].Rate.String() != "0.50" {
		t.Errorf("rate: %+v, %v", pg, err)
	}
	st, err := decodeOrderStatus([]byte(`{"status":"In progress","Status":"Completed"}`))
	if err != nil || st.Status != StatusInProgress || st.Status.Terminal() {
		t.Errorf("status: %+v, %v", st, err)
	}
}

// Item 4: one bad row does not lose the catalogue.
func TestReproOneBadRow(t *testing.T) {
	for _, bad := range []string{`{"service":2,"min":1e20}`, `{"service":2,"rate":"1 000.00"}`} {
		srv := newFakeServer(t, answer(200, `{"services":[{"service":1,"rate":"0.50"},`+bad+`,{"service":3,"rate":"1.00"}]}`))
		c, _ := newTestClient(t, srv.URL)
		pg, err := c.Services(ctxT(t), ServicesParams{})
		if err != nil || len(pg.Services) != 2 {
			t.Errorf("%s: %+v, %v", bad, pg, err)
		}
	}
}

// Item 5: a compressed bomb stops at the cap without allocating far beyond it.
func TestReproGzipBombMemory(t *testing.T) {
	const limit = 24 << 20
	srv := newFakeServer(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		zw, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
		_, _ = io.WriteString(zw, `{"services":[`)
		// White space: valid inside the list, so that neither the streamed decoding (a large
		// answer) nor a whole read stops before the cap.
		pad := bytes.Repeat([]byte(" "), 1<<20)
		for i := 0; i < 1024; i++ { // 1 GiB inflated; stops when the client hangs up
			if _, err := zw.Write(pad); err != nil {
				return
			}
		}
		_ = zw.Close()
	})
	c, _ := newTestClient(t, srv.URL, WithMaxBodyBytes(limit), WithRetry(1, 0, 0))
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := c.Services(ctxT(t), ServicesParams{})
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrBodyTooLarge) {
		t.Fatalf("got %v", err)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > limit+16<<20 {
		t.Errorf("allocated %d MiB for a %d MiB cap", got>>20, limit>>20)
	}
}

// Item 6: a BOM or a PHP warning before the JSON does not fail the call.
func TestReproJunkBeforeJSON(t *testing.T) {
	for _, body := range []string{
		"\uFEFF" + docBalance,
		"<br />\n<b>Warning</b>:  Undefined variable $x in <b>/var/www/api.php</b> on line <b>12</b><br />\n" + docBalance,
		"PHP Notice:  Undefined index: lang in /srv/api/v2.php on line 7\n" + docBalance,
	} {
		srv := newFakeServer(t, answer(200, body))
		c, _ := newTestClient(t, srv.URL)
		bal, err := c.Balance(ctxT(t))
		if err != nil || bal.Balance.String() != "100.00" {
			t.Errorf("%.40q: %+v, %v", body, bal, err)
		}
	}
	srv := newFakeServer(t, answer(200, "\uFEFF"+docAdd))
	c, _ := newTestClient(t, srv.URL)
	if r, err := c.Add(ctxT(t), AddRequest{Service: 1, Quantity: 1}); err != nil || r.Order != 23501 {
		t.Errorf("add with BOM: %+v, %v", r, err)
	}
}

// Item 7: a server that drips its answer cannot hold a call without a deadline forever.
func TestReproDripWithoutDeadline(t *testing.T) {
	stop := make(chan struct{})
	srv := newFakeServer(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		w.WriteHeader(200)
		for {
			if _, err := w.Write([]byte(" ")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-stop:
				return
			case <-r.Context().Done():
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	})
	defer close(stop)
	c, _ := newTestClient(t, srv.URL, WithCallTimeout(300*time.Millisecond))
	done := make(chan error, 1)
	go func() { _, err := c.Balance(context.Background()); done <- err }()
	select {
	case err := <-done:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("got %v", err)
		}
	case <-time.After(3 * time.Second):
		t.Error("the call is still running after 3s")
	}
}
