package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

// logSink collects what the client logs.
type logSink struct {
	mu    sync.Mutex
	lines []string
}

func (l *logSink) logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}

func (l *logSink) all() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// ---- 1. An order id in the answer means placed. ----

func TestAddOrderIDWithErrorIsPlaced(t *testing.T) {
	const body = `{"order": 23501, "error": "Order created, e-mail notification failed"}`
	for _, status := range []int{200, 201, 400, 404, 429, 500, 502} {
		srv := newFakeServer(t, answer(status, body))
		c, _ := newTestClient(t, srv.URL)
		r, err := c.Add(ctxT(t), AddRequest{Service: 1, Quantity: 10, Link: "x"})
		if err != nil || r.Order != 23501 || r.Warning != "Order created, e-mail notification failed" {
			t.Errorf("HTTP %d: %+v, %v", status, r, err)
		}
	}
	// The warning is bounded, sanitised and never shows the key; "warning" is read too.
	for body, want := range map[string]string{
		`{"order":"7","error":"` + strings.Repeat("é", 5000) + `"}`:      strings.Repeat("é", MaxWarningRunes-1) + "…",
		`{"order":7,"error":"mail to key=` + testKey + ` failed\u0007"}`: "mail to key=" + redactedMark + " failed",
		`{"order":7,"warning":"slow supplier"}`:                          "slow supplier",
		`{"order":7,"error":{"message":"nested"}}`:                       "nested",
		`{"order":7,"error":""}`:                                         "",
	} {
		srv := newFakeServer(t, answer(200, body))
		c, _ := newTestClient(t, srv.URL)
		r, err := c.Add(ctxT(t), AddRequest{Service: 1, Quantity: 1})
		if err != nil || r.Order != 7 || r.Warning != want {
			t.Errorf("%.50s: %+v, %v", body, r, err)
		}
		if utf8.RuneCountInString(r.Warning) > MaxWarningRunes {
			t.Errorf("warning of %d runes", utf8.RuneCountInString(r.Warning))
		}
	}
}

func TestAddRefusalWithoutOrderIDIsNotSent(t *testing.T) {
	for _, body := range []string{`{"error":"Insufficient balance"}`, `{"order":0,"error":"Insufficient balance"}`,
		`{"order":null,"error":"Insufficient balance"}`, `{"Order":5,"error":"Insufficient balance"}`} {
		for _, status := range []int{200, 400, 500} {
			srv := newFakeServer(t, answer(status, body))
			c, _ := newTestClient(t, srv.URL)
			r, err := c.Add(ctxT(t), AddRequest{Service: 1, Quantity: 1})
			if r != nil || !errors.Is(err, ErrNotSent) || !errors.Is(err, ErrInsufficientBalance) {
				t.Errorf("%s at %d: %+v, %v", body, status, r, err)
			}
		}
	}
	// No id and no error: the outcome is unknown, as before.
	srv := newFakeServer(t, answer(200, `{"status":"ok"}`))
	c, _ := newTestClient(t, srv.URL)
	if _, err := c.Add(ctxT(t), AddRequest{Service: 1, Quantity: 1}); !errors.Is(err, ErrOutcomeUnknown) {
		t.Errorf("no id: %v", err)
	}
}

func TestAddSMSPlacedNumbersWithError(t *testing.T) {
	srv := newFakeServer(t, answer(500, `{"orders":[{"order":1,"phone":"+1","status":"active"},{"phone":"+2"},{"order":"x"},{"order":3,"phone":"+3"}],
		"error":"Only 2 numbers were available"}`))
	c, _ := newTestClient(t, srv.URL)
	os, err := c.AddSMS(ctxT(t), AddSMSRequest{ProjectID: "p", Quantity: 4})
	if err != nil || len(os) != 2 || os[0].Order != 1 || os[1].Order != 3 || os[0].Phone != "+1" {
		t.Fatalf("got %+v, %v", os, err)
	}
	want := "Only 2 numbers were available; 2 of 4 numbers in the answer came without an order id"
	for _, o := range os {
		if o.Warning != want {
			t.Errorf("warning %q", o.Warning)
		}
	}
	// All placed, no error: no warning.
	os, err = decodeSMSOrders([]byte(docAddSMS))
	if err != nil || os[0].Warning != "" {
		t.Errorf("plain answer: %+v, %v", os, err)
	}
	// A refusal without any order id stays a refusal.
	for _, body := range []string{`{"error":"Insufficient balance"}`, `{"orders":[],"error":"Insufficient balance"}`,
		`{"orders":[{"phone":"+1"}],"error":"Insufficient balance"}`} {
		srv := newFakeServer(t, answer(400, body))
		c, _ := newTestClient(t, srv.URL)
		os, err := c.AddSMS(ctxT(t), AddSMSRequest{ProjectID: "p"})
		if os != nil || !errors.Is(err, ErrNotSent) || !errors.Is(err, ErrInsufficientBalance) {
			t.Errorf("%s: %+v, %v", body, os, err)
		}
	}
}

// ---- 2. A price may be unknown. ----

func TestUnknownPrice(t *testing.T) {
	pg, err := decodeServicesPage([]byte(`{"services":[{"service":1},{"service":2,"rate":null},{"service":3,"rate":""},
		{"service":4,"rate":"0"},{"service":5,"rate":"0.50"},{"service":6,"rate":" ","entityType":"product"}]}`), "services")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range pg.Services {
		unknown := s.Service <= 3 || s.Service == 6
		cost, ok := s.EstimateCost(1000)
		if s.RateUnknown != unknown || s.PriceKnown() == unknown || ok == unknown || !s.Rate.IsZero() && unknown {
			t.Errorf("service %d: RateUnknown %v, PriceKnown %v, EstimateCost %s %v", s.Service, s.RateUnknown, s.PriceKnown(), cost, ok)
		}
		if unknown && !cost.IsZero() {
			t.Errorf("service %d: cost %s for an unknown price", s.Service, cost)
		}
	}
	if cost, ok := pg.Services[4].EstimateCost(100); !ok || cost.String() != "0.05" {
		t.Errorf("known: %s %v", cost, ok)
	}
	if cost, ok := pg.Services[3].EstimateCost(100); !ok || !cost.IsZero() {
		t.Errorf("a rate of 0 is a price: %s %v", cost, ok)
	}

	inv, err := decodeInventory([]byte(`{"service":1,"subproducts":[{"subproductId":"a"},{"subproductId":"b","rate":null},
		{"subproductId":"c","price":"1.50"},{"subproductId":"d","rate":"0"},{"subproductId":"e","rate":"0","price":"2"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []struct {
		known bool
		rate  string
	}{{false, "0"}, {false, "0"}, {true, "1.50"}, {true, "0"}, {true, "2"}} {
		sp := inv.Subproducts[i]
		if sp.PriceKnown() != want.known || sp.HasRate != want.known || sp.Rate.String() != want.rate {
			t.Errorf("subproduct %s: %+v", sp.SubproductID, sp)
		}
	}

	ps, err := decodeSMSProjects([]byte(`[{"project_id":"a"},{"project_id":"b","price":null},{"project_id":"c","price":"0.5000"}]`))
	if err != nil || len(ps) != 3 {
		t.Fatal(err)
	}
	if !ps[0].PriceUnknown || !ps[1].PriceUnknown || ps[2].PriceUnknown || ps[2].PriceKnown() != true || ps[0].PriceKnown() {
		t.Errorf("projects: %+v", ps)
	}

	// Marshalled and decoded again, an unknown price stays unknown (and a known 0 stays known).
	for _, v := range []any{&pg.Services, &inv.Subproducts, &ps} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		back := reflect.New(reflect.TypeOf(v).Elem())
		if err := json.Unmarshal(b, back.Interface()); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(back.Elem().Interface(), reflect.ValueOf(v).Elem().Interface()) {
			t.Errorf("%T round trip:\n got %+v\nwant %+v\njson %s", v, back.Elem().Interface(), reflect.ValueOf(v).Elem().Interface(), b)
		}
	}
}

// ---- 3. Keys match exactly. ----

func TestExactKeysEveryModel(t *testing.T) {
	// Each body has the exact key and variants spelled otherwise (before and after it, and with a
	// character that Unicode folding equates: "ſ" is "s" to encoding/json). The exact one wins.
	cases := []struct {
		family string
		body   string
		check  func() (any, bool)
	}{}
	add := func(family, body string, check func(b []byte) (any, bool)) {
		cases = append(cases, struct {
			family string
			body   string
			check  func() (any, bool)
		}{family, body, func() (any, bool) { return check([]byte(body)) }})
	}
	add("services", `{"services":[{"service":1,"RATE":"9","rate":"0.50","Rate":"0.05","ſervice":7,"MIN":5}]}`, func(b []byte) (any, bool) {
		pg, err := decodeServicesPage(b, "services")
		return pg, err == nil && pg.Services[0].Rate.String() == "0.50" && pg.Services[0].Service == 1 && pg.Services[0].Min == 0
	})
	add("services envelope", `{"Services":[{"service":9}],"services":[{"service":1}],"SERVICES":[],"Total":99,"total":1}`, func(b []byte) (any, bool) {
		pg, err := decodeServicesPage(b, "services")
		return pg, err == nil && len(pg.Services) == 1 && pg.Services[0].Service == 1 && pg.Total == 1
	})
	add("services envelope variant only", `{"Services":[{"service":9}]}`, func(b []byte) (any, bool) {
		_, err := decodeServicesPage(b, "services")
		return err, errors.Is(err, ErrMalformedResponse)
	})
	add("status", `{"status":"In progress","Status":"Completed","STATUS":"Canceled","ſtatus":"Partial"}`, func(b []byte) (any, bool) {
		st, err := decodeOrderStatus(b)
		return st, err == nil && st.Status == StatusInProgress && !st.Status.Terminal()
	})
	add("status variant only", `{"Status":"Completed"}`, func(b []byte) (any, bool) {
		_, err := decodeOrderStatus(b)
		return err, errors.Is(err, ErrMalformedResponse) // no status
	})
	add("status accounts", `{"status":"Completed","Accounts":["x"],"accounts":["a:b"],"CHARGE":"9","charge":"1.00"}`, func(b []byte) (any, bool) {
		st, err := decodeOrderStatus(b)
		return st, err == nil && reflect.DeepEqual(st.Accounts, []string{"a:b"}) && st.Charge.String() == "1.00"
	})
	add("inventory", `{"service":1,"Stock":5,"stock":0,"Available":true,"subproducts":[{"subproductId":"a","Stock":9,"stock":1,"RATE":"3"}]}`, func(b []byte) (any, bool) {
		inv, err := decodeInventory(b)
		return inv, err == nil && inv.Stock == 0 && !inv.Available && inv.Subproducts[0].Stock == 1 && !inv.Subproducts[0].HasRate
	})
	add("balance", `{"Balance":"999.00","balance":"1.00","CURRENCY":"XXX","currency":"USD"}`, func(b []byte) (any, bool) {
		bal, err := decodeBalance(b)
		return bal, err == nil && bal.Balance.String() == "1.00" && bal.Currency == "USD"
	})
	add("balance variant only", `{"Balance":"999.00"}`, func(b []byte) (any, bool) {
		_, err := decodeBalance(b)
		return err, errors.Is(err, ErrMalformedResponse)
	})
	add("add", `{"ORDER":99,"order":5,"Order":98}`, func(b []byte) (any, bool) {
		r, err := decodeAddResult(b)
		return r, err == nil && r.Order == 5
	})
	add("categories", `{"Categories":[{"category":"X"}],"categories":[{"CATEGORY":"Y","category":"A","Subcategories":["z"],"subcategories":["b"]}]}`, func(b []byte) (any, bool) {
		cs, err := decodeCategories(b)
		return cs, err == nil && reflect.DeepEqual(cs, []Category{{Category: "A", Subcategories: []string{"b"}}})
	})
	add("shops", `{"shops":[{"id":"s","Name":"X","name":"A","RATING":1,"rating":4.5}],"Shops":[]}`, func(b []byte) (any, bool) {
		pg, err := decodeShopsPage(b)
		return pg, err == nil && len(pg.Shops) == 1 && pg.Shops[0].Name == "A" && pg.Shops[0].Rating == 4.5
	})
	add("sms countries", `{"Countries":[],"countries":[{"Country_Code":"xx","country_code":"us","COUNTRY_NAME":"X","country_name":"United States"}]}`, func(b []byte) (any, bool) {
		cs, err := decodeSMSCountries(b)
		return cs, err == nil && reflect.DeepEqual(cs, []SMSCountry{{"us", "United States"}})
	})
	add("sms projects", `[{"project_id":"p","PRICE":"9","price":"0.5000","Price":"0.0001"}]`, func(b []byte) (any, bool) {
		ps, err := decodeSMSProjects(b)
		return ps, err == nil && ps[0].Price.String() == "0.5000"
	})
	add("sms orders", `{"Orders":[{"order":9}],"orders":[{"ORDER":8,"order":1,"Phone":"x","phone":"+1"}]}`, func(b []byte) (any, bool) {
		os, err := decodeSMSOrders(b)
		return os, err == nil && len(os) == 1 && os[0].Order == 1 && os[0].Phone == "+1"
	})
	add("sms code", `{"status":"waiting","Code":"999999","CODE":"1","Message":"x","message":"Waiting for code"}`, func(b []byte) (any, bool) {
		c, err := decodeSMSCode(b)
		return c, err == nil && !c.Received() && c.Message == "Waiting for code"
	})
	add("sms status", `{"status":"active","Status":"completed","Expires_At":"2023-01-01T12:00:00Z","CHARGE":"9","charge":"0.5000"}`, func(b []byte) (any, bool) {
		s, err := decodeSMSStatus(b)
		return s, err == nil && s.Status == "active" && s.ExpiresAt.IsZero() && s.Charge.String() == "0.5000"
	})
	add("error envelope", `{"error":"","Error":"Insufficient balance"}`, func(b []byte) (any, bool) {
		msg, ok := decodeErrorEnvelope(b)
		return msg, !ok
	})
	add("error envelope exact wins", `{"ERROR":"Order not found","error":"Insufficient balance"}`, func(b []byte) (any, bool) {
		msg, ok := decodeErrorEnvelope(b)
		return msg, ok && msg == "Insufficient balance"
	})
	add("escaped key is the key", `{"status":"Pending","st\u0061tus":"In progress"}`, func(b []byte) (any, bool) {
		st, err := decodeOrderStatus(b)
		return st, err == nil && st.Status == StatusInProgress // the last exact one, as encoding/json
	})
	for _, tc := range cases {
		t.Run(tc.family, func(t *testing.T) {
			if got, ok := tc.check(); !ok {
				t.Errorf("%s\n got %+v", tc.body, got)
			}
		})
	}

	// Through the client: a status whose variant says Completed does not end the tracking.
	srv := newFakeServer(t, answer(200, `{"status":"In progress","Status":"Completed"}`))
	c, _ := newTestClient(t, srv.URL)
	if st, err := c.Status(ctxT(t), 1); err != nil || st.Status.Terminal() {
		t.Errorf("Status: %+v, %v", st, err)
	}
}

// ---- 4. One bad row is left out, not fatal. ----

func TestServicesSkipBadRows(t *testing.T) {
	body := `{"services":[{"service":1,"rate":"0.50"},{"service":2,"min":1e20},{"service":3,"rate":"1 000.00"},
		{"service":4,"rate":"` + testKey + `x"},5,null,{"name":"no number","stock":{}},{"service":6,"rate":"1.00"}],"total":8}`
	logs := &logSink{}
	srv := newFakeServer(t, answer(200, body))
	c, _ := newTestClient(t, srv.URL, WithLogf(logs.logf))
	pg, err := c.Services(ctxT(t), ServicesParams{})
	if err != nil || len(pg.Services) != 2 || pg.Services[0].Service != 1 || pg.Services[1].Service != 6 {
		t.Fatalf("got %+v, %v", pg, err)
	}
	if pg.Skipped.Rows != 6 || len(pg.Skipped.Reasons) != MaxSkipReasons {
		t.Fatalf("report %+v", pg.Skipped)
	}
	for i, want := range []string{"row 2: service 2: min: value is not an integer", "row 3: service 3: rate: invalid decimal",
		"row 4: service 4: rate: invalid decimal", "row 5: value is not an object", "row 6: row is null"} {
		if pg.Skipped.Reasons[i] != want {
			t.Errorf("reason %d = %q, want %q", i, pg.Skipped.Reasons[i], want)
		}
	}
	if s := pg.Skipped.String(); !strings.HasPrefix(s, "6 rows left out: row 2") || strings.Contains(s, testKey) {
		t.Errorf("String() = %q", s)
	}
	log := logs.all()
	if !strings.Contains(log, "6 rows left out") || !strings.Contains(log, `{"service":2,"min":1e20}`) ||
		strings.Contains(log, testKey) || !strings.Contains(log, redactedMark) {
		t.Errorf("log:\n%s", log)
	}
	if strings.Count(log, "a row left out") != maxSkipRaw {
		t.Errorf("log holds %d rows", strings.Count(log, "a row left out"))
	}

	// Every row bad: not a catalogue with bad rows but an answer of another shape.
	srv2 := newFakeServer(t, answer(200, `{"services":[{"service":1,"min":"x"},{"service":2,"rate":{}}]}`))
	c2, _ := newTestClient(t, srv2.URL)
	if _, err := c2.Services(ctxT(t), ServicesParams{}); !errors.Is(err, ErrMalformedResponse) {
		t.Errorf("all bad: %v", err)
	}
	// A syntax error is no bad row: the body is not JSON.
	srv3 := newFakeServer(t, answer(200, `{"services":[{"service":1},{"service":2,"rate":1.}]}`))
	c3, _ := newTestClient(t, srv3.URL, WithRetry(1, 0, 0))
	if _, err := c3.Services(ctxT(t), ServicesParams{}); !errors.Is(err, ErrNotJSON) {
		t.Errorf("syntax: %v", err)
	}
}

func TestAllServicesReportsSkippedRows(t *testing.T) {
	// 3 pages of 4; page 2 has a bad row, which must not make it look like a short last page.
	srv := newFakeServer(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		page, _ := strconv.Atoi(r.PostForm.Get("page"))
		var rows []string
		for i := 0; i < 4; i++ {
			n := (page-1)*4 + i + 1
			if page == 0 { // limit 0: everything
				break
			}
			if n == 6 {
				rows = append(rows, `{"service":6,"min":1e20}`)
				continue
			}
			rows = append(rows, fmt.Sprintf(`{"service":%d,"rate":"1.00"}`, n))
		}
		if page == 0 {
			rows = []string{`{"service":1}`, `{"service":2,"max":"many"}`}
		}
		fmt.Fprintf(w, `{"services":[%s],"total":12,"total_pages":3}`, strings.Join(rows, ","))
	})
	c, _ := newTestClient(t, srv.URL)
	all, skipped, err := c.AllServices(ctxT(t), ServicesParams{}, 4, nil)
	if err != nil || len(all) != 11 || skipped.Rows != 1 || srv.count() != 3 {
		t.Fatalf("%d rows, %+v, %d requests, %v", len(all), skipped, srv.count(), err)
	}
	if !reflect.DeepEqual(skipped.Reasons, []string{"page 2: row 2: service 6: min: value is not an integer"}) {
		t.Errorf("reasons %q", skipped.Reasons)
	}
	all, skipped, err = c.AllServices(ctxT(t), ServicesParams{}, 0, nil)
	if err != nil || len(all) != 1 || skipped.Rows != 1 || skipped.Reasons[0] != "row 2: service 2: max: value is not an integer" {
		t.Fatalf("one answer: %d rows, %+v, %v", len(all), skipped, err)
	}
}

func TestOtherListsSkipBadRows(t *testing.T) {
	pg, err := decodeShopsPage([]byte(`{"shops":[{"id":"a","rating":"great"},{"id":"b","rating":4}]}`))
	if err != nil || len(pg.Shops) != 1 || pg.Shops[0].ID != "b" || pg.Skipped.Rows != 1 || pg.Total != 2 {
		t.Errorf("shops: %+v, %v", pg, err)
	}
	logs := &logSink{}
	srv := newFakeServer(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		switch r.PostForm.Get("action") {
		case "sms_projects":
			_, _ = io.WriteString(w, `[{"project_id":"a","price":"1 000"},{"project_id":"b","price":"0.50"}]`)
		case "sms_countries":
			_, _ = io.WriteString(w, `[{"country_code":{}},{"country_code":"us"}]`)
		case "categories":
			_, _ = io.WriteString(w, `{"categories":[{"category":[1]},"B"]}`)
		}
	})
	c, _ := newTestClient(t, srv.URL, WithLogf(logs.logf))
	ctx := ctxT(t)
	if ps, err := c.SMSProjects(ctx, ""); err != nil || len(ps) != 1 || ps[0].ProjectID != "b" {
		t.Errorf("projects: %+v, %v", ps, err)
	}
	if cs, err := c.SMSCountries(ctx); err != nil || len(cs) != 1 || cs[0].Code != "us" {
		t.Errorf("countries: %+v, %v", cs, err)
	}
	if cs, err := c.Categories(ctx); err != nil || len(cs) != 1 || cs[0].Category != "B" {
		t.Errorf("categories: %+v, %v", cs, err)
	}
	for _, a := range []string{"sms_projects: 1 row left out", "sms_countries: 1 row left out", "categories: 1 row left out"} {
		if !strings.Contains(logs.all(), a) {
			t.Errorf("log lacks %q:\n%s", a, logs.all())
		}
	}
}

// ---- 5. A body stops at the cap while streaming. ----

// zeros is an endless (or n-byte, n >= 0) reader.
type zeros struct{ n int64 }

func (z *zeros) Read(p []byte) (int, error) {
	if z.n == 0 {
		return 0, io.EOF
	}
	if z.n > 0 && int64(len(p)) > z.n {
		p = p[:z.n]
	}
	clear(p)
	if z.n > 0 {
		z.n -= int64(len(p))
	}
	return len(p), nil
}

// allocated returns the bytes f allocated.
func allocated(f func()) uint64 {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func TestReadBodyMemoryBound(t *testing.T) {
	const limit = DefaultMaxBodyBytes
	const bound = uint64(limit + 64<<20)
	// An endless body of unknown length (what a gzip bomb inflates to).
	var err error
	got := allocated(func() { _, err = readBody(&zeros{n: -1}, -1, limit) })
	if !errors.Is(err, ErrBodyTooLarge) || got > bound {
		t.Errorf("endless body: %v, %d MiB allocated", err, got>>20)
	}
	// A legitimate body of unknown length near the cap: read whole, within the same bound.
	var b []byte
	got = allocated(func() { b, err = readBody(&zeros{n: limit - 10}, -1, limit) })
	if err != nil || int64(len(b)) != limit-10 || got > bound {
		t.Errorf("big body: %v, %d bytes, %d MiB allocated", err, len(b), got>>20)
	}
	b = nil
	// A 40 MB answer of unknown length: segments then one join, about twice the body.
	got = allocated(func() { b, err = readBody(&zeros{n: 40 << 20}, -1, limit) })
	if err != nil || len(b) != 40<<20 || got > 2*(40<<20)+64<<10 {
		t.Errorf("40 MB body: %v, %d MiB allocated", err, got>>20)
	}
	b = nil
	// A known length: one buffer of that size.
	got = allocated(func() { b, err = readBody(&zeros{n: 10 << 20}, 10<<20, limit) })
	if err != nil || len(b) != 10<<20 || got > 10<<20+1024 {
		t.Errorf("known length: %v, %d bytes allocated", err, got)
	}
}

func TestReadBodyEdges(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789"), 10_000) // 100 kB
	for _, tc := range []struct {
		name   string
		r      io.Reader
		length int64
		limit  int64
		want   int
		err    error
	}{
		{"exact cap, unknown length", bytes.NewReader(data), -1, int64(len(data)), len(data), nil},
		{"exact cap, known length", bytes.NewReader(data), int64(len(data)), int64(len(data)), len(data), nil},
		{"one over, unknown length", bytes.NewReader(data), -1, int64(len(data)) - 1, 0, ErrBodyTooLarge},
		{"announced over the cap", bytes.NewReader(data), int64(len(data)), 10, 0, ErrBodyTooLarge},
		{"longer than announced", bytes.NewReader(data), 100, int64(len(data)), 0, errLongerThanAnnounced},
		{"empty", bytes.NewReader(nil), -1, 10, 0, nil},
		{"empty, known", bytes.NewReader(nil), 0, 10, 0, nil},
		{"one-byte reads", iotestOneByte{bytes.NewReader(data[:5000])}, -1, 5000, 5000, nil},
	} {
		b, err := readBody(tc.r, tc.length, tc.limit)
		if !errors.Is(err, tc.err) || err == nil && (len(b) != tc.want || !bytes.Equal(b, data[:tc.want])) {
			t.Errorf("%s: %d bytes, %v", tc.name, len(b), err)
		}
	}
}

type iotestOneByte struct{ r io.Reader }

func (o iotestOneByte) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return o.r.Read(p[:1])
}

// ---- 6. Text before the JSON. ----

func TestJunkBeforeJSON(t *testing.T) {
	phpHTML := "<br />\n<b>Warning</b>:  Undefined variable $x in <b>/var/www/api.php</b> on line <b>12</b><br />\n"
	phpCLI := "PHP Notice:  Undefined index: key=" + testKey + " in /srv/api/v2.php on line 7\r\n"
	for _, tc := range []struct {
		name, body string
		ok         bool
		logged     string
	}{
		{"bom", "\uFEFF" + docBalance, true, ""},
		{"two boms and space", "\uFEFF\n\uFEFF  " + docBalance, true, ""},
		{"php html", phpHTML + docBalance, true, "Warning"},
		{"php cli with key", phpCLI + docBalance, true, "PHP Notice"},
		{"bom then php", "\uFEFF" + phpCLI + "\n\n  " + docBalance, true, "PHP Notice"},
		{"after a tag", "<b>Deprecated</b>: x on line 3<br />" + docBalance, true, "Deprecated"},
		{"error_log line", "[01-Dec-2026 10:00:00 UTC] PHP Warning:  x in /a.php on line 3\n" + docBalance, true, "PHP Warning"},
		{"stack trace", "{main}\n  thrown in /a.php on line 9\n" + docBalance, true, "thrown"},
		{"php then cut-off json", phpHTML + docBalance[:20], false, ""},
		{"php then json then more", phpHTML + docBalance + "\n<b>Notice</b>", false, ""},
		{"json mid-line", "Notice: here it comes " + docBalance, false, ""},
		{"html page", html502, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logs := &logSink{}
			srv := newFakeServer(t, answer(200, tc.body))
			c, _ := newTestClient(t, srv.URL, WithLogf(logs.logf), WithRetry(1, 0, 0))
			bal, err := c.Balance(ctxT(t))
			if tc.ok != (err == nil) || err == nil && bal.Balance.String() != "100.00" {
				t.Fatalf("got %+v, %v", bal, err)
			}
			if !tc.ok && !errors.Is(err, ErrNotJSON) {
				t.Errorf("not ErrNotJSON: %v", err)
			}
			log := logs.all()
			if tc.logged != "" && !strings.Contains(log, tc.logged) || tc.logged == "" && log != "" {
				t.Errorf("log %q", log)
			}
			if strings.Contains(log, testKey) || strings.Contains(fmt.Sprint(err), testKey) {
				t.Error("the key shows")
			}
		})
	}
	// An order behind a PHP warning is placed; a refusal behind one is still a refusal.
	srv := newFakeServer(t, answer(200, phpHTML+`{"order":23501}`))
	c, _ := newTestClient(t, srv.URL)
	if r, err := c.Add(ctxT(t), AddRequest{Service: 1, Quantity: 1}); err != nil || r.Order != 23501 {
		t.Errorf("add: %+v, %v", r, err)
	}
	srv = newFakeServer(t, answer(402, phpCLI+`{"error":"Insufficient balance"}`))
	c, _ = newTestClient(t, srv.URL)
	if _, err := c.Add(ctxT(t), AddRequest{Service: 1, Quantity: 1}); !errors.Is(err, ErrNotSent) || !errors.Is(err, ErrInsufficientBalance) {
		t.Errorf("refusal: %v", err)
	}
}

// ---- 7. A total deadline per call. ----

// dripServer answers 200 and then one byte every tick, forever.
func dripServer(t *testing.T, tick time.Duration) *fakeServer {
	return newFakeServer(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		w.Header().Set("Content-Type", "image/png") // for FetchImage; the API calls do not look
		w.WriteHeader(200)
		for {
			if _, err := w.Write([]byte(" ")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(tick):
			}
		}
	})
}

func TestCallTimeout(t *testing.T) {
	if c, _ := New(); c.callTimeout != DefaultCallTimeout || DefaultCallTimeout != time.Minute {
		t.Errorf("default %v", c.callTimeout)
	}
	if _, err := New(WithCallTimeout(-time.Second)); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("negative: %v", err)
	}
	if c, _ := New(WithCallTimeout(0)); c.callTimeout != 0 {
		t.Error("0 does not remove the bound")
	}

	srv := dripServer(t, 20*time.Millisecond)
	const timeout = 300 * time.Millisecond
	// Retries allowed: the bound is on the call, not on each attempt.
	c, _ := newTestClient(t, srv.URL, WithCallTimeout(timeout), WithRetry(4, 0, 0))
	c.sleep = sleepCtx
	start := time.Now()
	_, err := c.Balance(context.Background())
	var te *TransportError
	if !errors.As(err, &te) || !errors.Is(err, ErrCallTimeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("read: %v", err)
	}
	if d := time.Since(start); d > timeout+500*time.Millisecond {
		t.Errorf("read took %v", d)
	}
	if strings.Contains(err.Error(), testKey) {
		t.Error("key in the error")
	}
	// A spend that times out after sending: the outcome is unknown.
	start = time.Now()
	_, err = c.Add(context.Background(), AddRequest{Service: 1, Quantity: 1})
	if !errors.Is(err, ErrOutcomeUnknown) || !errors.Is(err, ErrCallTimeout) || time.Since(start) > timeout+500*time.Millisecond {
		t.Errorf("add: %v after %v", err, time.Since(start))
	}
	if _, err = c.AddSMS(context.Background(), AddSMSRequest{ProjectID: "p"}); !errors.Is(err, ErrOutcomeUnknown) || !errors.Is(err, ErrCallTimeout) {
		t.Errorf("add_sms: %v", err)
	}
	// The caller's sooner deadline still applies, and is not reported as the call timeout.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err = c.Balance(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrCallTimeout) {
		t.Errorf("caller's deadline: %v", err)
	}
	// Images too.
	_, _, err = c.FetchImage(context.Background(), srv.URL+"/img")
	if !errors.Is(err, ErrCallTimeout) {
		t.Errorf("image: %v", err)
	}
}
