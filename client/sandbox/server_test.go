package sandbox

import (
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestParseFaults(t *testing.T) {
	f, err := ParseFaults("reset=0.1, drop=0.05,HTML=0.1,429=0.1,slow=0.1,malformed=0.05,slowdelay=2s")
	if err != nil {
		t.Fatal(err)
	}
	want := Faults{Reset: 0.1, DropAfterCommit: 0.05, HTML502: 0.1, RateLimit: 0.1, Slow: 0.1, Malformed: 0.05, SlowDelay: 2 * time.Second}
	if f != want {
		t.Fatalf("got %+v", f)
	}
	back, err := ParseFaults(f.String())
	if err != nil || back != f {
		t.Fatalf("round trip %q: %+v %v", f.String(), back, err)
	}
	if f, err := ParseFaults(""); err != nil || f.Any() || f.String() != "" {
		t.Fatalf("empty: %+v %v", f, err)
	}
	if f, err := ParseFaults("ratelimit=0.2,502=0.3,dropaftercommit=0.1,delay=10ms,"); err != nil ||
		f != (Faults{RateLimit: 0.2, HTML502: 0.3, DropAfterCommit: 0.1, SlowDelay: 10 * time.Millisecond}) {
		t.Fatalf("aliases: %+v %v", f, err)
	}
	for _, bad := range []string{
		"bogus=0.1", "reset", "reset=x", "reset=1.5", "reset=-0.1", "reset=NaN", "reset=0.6,html=0.6",
		"slowdelay=fast", "slowdelay=-1s", "reset=0.1,reset=0.2",
	} {
		if _, err := ParseFaults(bad); err == nil {
			t.Errorf("ParseFaults(%q) accepted", bad)
		}
	}
}

func TestNewValidation(t *testing.T) {
	for name, o := range map[string]Options{
		"balance":      {Balance: "lots"},
		"balance5":     {Balance: "1.00001"},
		"negative":     {Balance: "-1"},
		"speed":        {Speed: -1},
		"services":     {Services: -1},
		"services-max": {Services: MaxServices + 1},
		"faults":       {Faults: Faults{Reset: 2}},
		"baseurl":      {BaseURL: "ftp://x"},
	} {
		if _, err := New(o); err == nil {
			t.Errorf("%s: accepted %+v", name, o)
		}
	}
	s, err := New(Options{Key: "k", Balance: "5.5", Currency: "EUR"})
	if err != nil {
		t.Fatal(err)
	}
	if s.Key() != "k" || s.BalanceString() != "5.50" {
		t.Fatalf("key %s balance %s", s.Key(), s.BalanceString())
	}
	if m := obj(t, s, "action", "balance"); m["currency"] != "EUR" || m["balance"] != "5.50" {
		t.Fatalf("balance %v", m)
	}
}

func TestAuthAndRouting(t *testing.T) {
	s, _ := newServer(t, Options{Key: "secret"})
	for _, f := range []url.Values{
		form("action", "balance"),
		form("key", "wrong", "action", "balance"),
		form("key", "", "action", "add", "service", "1", "quantity", "100", "link", "l"),
		form("key", "secre", "action", "bogus"),
	} {
		w := raw(t, s, f)
		if w.Code != 200 || strings.TrimSpace(w.Body.String()) != `{"error":"Invalid API key"}` {
			t.Fatalf("%v: %d %s", f, w.Code, w.Body.String())
		}
	}
	apiErr(t, s, errInvalidAction, "action", "bogus")
	apiErr(t, s, errInvalidAction)
	apiErr(t, s, errInvalidAction, "action", "Balance")

	// Query-string parameters are not the form body.
	r := httptest.NewRequest(http.MethodPost, "/api/v2?key=secret&action=balance", nil)
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	if !strings.Contains(w.Body.String(), errInvalidKey) {
		t.Fatalf("query string accepted: %s", w.Body.String())
	}

	// Multipart bodies work too.
	var body strings.Builder
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("key", "secret")
	_ = mw.WriteField("action", "balance")
	_ = mw.Close()
	r = httptest.NewRequest(http.MethodPost, "/api/v2/", strings.NewReader(body.String()))
	r.Header.Set("Content-Type", mw.FormDataContentType())
	w = httptest.NewRecorder()
	s.ServeHTTP(w, r)
	if !strings.Contains(w.Body.String(), `"balance":"100.00"`) {
		t.Fatalf("multipart: %s", w.Body.String())
	}

	for _, c := range []struct {
		method, path string
		code         int
	}{
		{http.MethodGet, "/api/v2", http.StatusMethodNotAllowed},
		{http.MethodPut, "/api/v2", http.StatusMethodNotAllowed},
		{http.MethodGet, "/", http.StatusNotFound},
		{http.MethodPost, "/api/v1", http.StatusNotFound},
		{http.MethodPost, "/img/x.png", http.StatusMethodNotAllowed},
	} {
		r := httptest.NewRequest(c.method, c.path, nil)
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		var m map[string]string
		if w.Code != c.code || json.Unmarshal(w.Body.Bytes(), &m) != nil || m["error"] == "" {
			t.Errorf("%s %s: %d %s", c.method, c.path, w.Code, w.Body.String())
		}
	}
	st := s.Stats()
	if st.Requests["balance"] != 3 || st.Requests["invalid"] != 5 || st.Requests["add"] != 1 {
		t.Fatalf("stats %+v", st.Requests)
	}
}

// faultClient talks to a real socket without connection reuse.
func faultClient(t *testing.T, s *Server) (post func(kv ...string) (*http.Response, []byte, error), done func()) {
	srv := httptest.NewServer(s)
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	post = func(kv ...string) (*http.Response, []byte, error) {
		resp, err := c.PostForm(srv.URL+"/api/v2", form(append([]string{"key", s.Key()}, kv...)...))
		if err != nil {
			return nil, nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp, b, err
	}
	return post, srv.Close
}

func TestFaultReset(t *testing.T) {
	s, _ := newServer(t, Options{Faults: Faults{Reset: 1}})
	post, done := faultClient(t, s)
	defer done()
	svc := smmRow(t, s, 2)
	if _, _, err := post("action", "balance"); err == nil {
		t.Fatal("reset read answered")
	}
	if _, _, err := post("action", "add", "service", itoa(svc.number), "quantity", itoa(svc.min), "link", "l"); err == nil {
		t.Fatal("reset add answered")
	}
	st := s.Stats()
	if st.OrdersPlaced != 0 || s.BalanceString() != "100.00" {
		t.Fatal("reset committed an order")
	}
	if st.Faults["reset"] != 2 || st.Faulted["add"] != 1 || st.Requests["add"] != 1 || st.Faulted["balance"] != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestFaultDropAfterCommit(t *testing.T) {
	s, _ := newServer(t, Options{Faults: Faults{DropAfterCommit: 1}})
	post, done := faultClient(t, s)
	defer done()
	svc := smmRow(t, s, 2)
	if _, _, err := post("action", "add", "service", itoa(svc.number), "quantity", itoa(svc.min), "link", "l"); err == nil {
		t.Fatal("dropped add answered")
	}
	if _, _, err := post("action", "add_sms", "project_id", s.cat.projects[0].id); err == nil {
		t.Fatal("dropped add_sms answered")
	}
	if _, _, err := post("action", "balance"); err == nil {
		t.Fatal("dropped read answered")
	}
	s.SetFaults(Faults{})
	// The order went through although its answer was lost.
	if s.Stats().OrdersPlaced != 1 || s.Stats().SMSPlaced != 1 {
		t.Fatalf("stats %+v", s.Stats())
	}
	_, b, err := post("action", "balance")
	if err != nil {
		t.Fatal(err)
	}
	want := units(10000 * 100).Sub(smmCharge(units(svc.rate), svc.min)).Sub(units(s.cat.projects[0].price))
	if !strings.Contains(string(b), `"balance":"`+money24(want)+`"`) {
		t.Fatalf("balance %s, want %s", b, money24(want))
	}
	_, b, _ = post("action", "status", "order", itoa(firstOrderID))
	if !strings.Contains(string(b), `"status":"Pending"`) {
		t.Fatalf("committed order: %s", b)
	}
	if st := s.Stats(); st.Faults["drop"] != 3 || st.Faulted["add_sms"] != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestFaultHTMLAndRateLimit(t *testing.T) {
	s, _ := newServer(t, Options{Faults: Faults{HTML502: 1}})
	post, done := faultClient(t, s)
	defer done()
	svc := smmRow(t, s, 2)
	resp, b, err := post("action", "add", "service", itoa(svc.number), "quantity", itoa(svc.min), "link", "l")
	if err != nil || resp.StatusCode != 502 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(string(b), "502 Bad Gateway") || !strings.Contains(string(b), "nginx") {
		t.Fatalf("502: %v %v %s", err, resp, b)
	}
	s.SetFaults(Faults{RateLimit: 1})
	resp, b, err = post("action", "add", "service", itoa(svc.number), "quantity", itoa(svc.min), "link", "l")
	if err != nil || resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "1" || !strings.Contains(string(b), "429") {
		t.Fatalf("429: %v %v %s", err, resp, b)
	}
	if s.Stats().OrdersPlaced != 0 || s.BalanceString() != "100.00" {
		t.Fatal("an HTML answer committed an order")
	}
	if st := s.Stats(); st.Faults["html"] != 1 || st.Faults["429"] != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestFaultMalformed(t *testing.T) {
	s, _ := newServer(t, Options{Faults: Faults{Malformed: 1}})
	post, done := faultClient(t, s)
	defer done()
	svc := smmRow(t, s, 2)
	for _, kv := range [][]string{
		{"action", "services"},
		{"action", "balance"},
		{"action", "sms_countries"},
		{"action", "add", "service", itoa(svc.number), "quantity", itoa(svc.min), "link", "l"},
		{"action", "add_sms", "project_id", s.cat.projects[0].id},
	} {
		resp, b, err := post(kv...)
		if err != nil || resp.StatusCode != 200 || json.Valid(b) || len(b) == 0 {
			t.Fatalf("%v: %v %s", kv, err, truncate(b))
		}
	}
	s.SetFaults(Faults{})
	if s.Stats().OrdersPlaced != 0 || s.Stats().SMSPlaced != 0 || s.BalanceString() != "100.00" {
		t.Fatal("a malformed answer committed an order")
	}
}

func TestFaultSlow(t *testing.T) {
	s, _ := newServer(t, Options{Faults: Faults{Slow: 1, SlowDelay: time.Millisecond}})
	post, done := faultClient(t, s)
	defer done()
	resp, b, err := post("action", "balance")
	if err != nil || resp.StatusCode != 200 || !strings.Contains(string(b), `"balance":"100.00"`) {
		t.Fatalf("slow: %v %s", err, b)
	}
	// The delay ends when the client gives up: the handler does not linger
	// (done() waits for every handler to return).
	s.SetFaults(Faults{Slow: 1, SlowDelay: time.Hour})
	srv := httptest.NewServer(s)
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/api/v2",
		strings.NewReader(form("key", "demo", "action", "balance").Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	go func() {
		for s.Stats().Faults["slow"] < 2 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	if _, err := http.DefaultClient.Do(req); err == nil {
		t.Fatal("canceled slow request answered")
	}
	srv.Close()
}

func TestFaultProbabilities(t *testing.T) {
	s, _ := newServer(t, Options{Faults: Faults{HTML502: 0.25, RateLimit: 0.25}, Seed: 3})
	const n = 400
	codes := map[int]int{}
	for range n {
		codes[raw(t, s, form("key", "demo", "action", "balance")).Code]++
	}
	if codes[502] < 60 || codes[502] > 140 || codes[429] < 60 || codes[429] > 140 || codes[200] < 140 {
		t.Fatalf("codes %v", codes)
	}
	st := s.Stats()
	if st.Requests["balance"] != n || st.Faulted["balance"] != codes[502]+codes[429] {
		t.Fatalf("stats %+v", st)
	}
}

func TestListen(t *testing.T) {
	s, _ := newServer(t, Options{})
	rn, err := Listen("127.0.0.1:0", s)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(rn.URL, "http://127.0.0.1:") || !strings.HasSuffix(rn.URL, "/api/v2") || rn.Key != "demo" || rn.Server != s {
		t.Fatalf("running %+v", rn)
	}
	resp, err := http.PostForm(rn.URL, form("key", rn.Key, "action", "balance"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != `{"balance":"100.00","currency":"USD"}` {
		t.Fatalf("balance %s", b)
	}
	// A product image through the socket, from the URL the listing gives.
	resp, err = http.PostForm(rn.URL, form("key", rn.Key, "action", "products", "limit", "1"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Products []struct{ ImageURL string }
	}
	_ = json.NewDecoder(resp.Body).Decode(&m)
	resp.Body.Close()
	if len(m.Products) != 1 || !strings.HasPrefix(m.Products[0].ImageURL, strings.TrimSuffix(rn.URL, "/api/v2")+"/img/") {
		t.Fatalf("products %+v", m)
	}
	resp, err = http.Get(m.Products[0].ImageURL)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("image %v %v", resp, err)
	}
	resp.Body.Close()
	if err := rn.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := http.PostForm(rn.URL, form("key", rn.Key, "action", "balance")); err == nil {
		t.Fatal("server still answers after Close")
	}
	if _, err := Listen("127.0.0.1:0", nil); err == nil {
		t.Fatal("Listen(nil) accepted")
	}
	all, err := Listen(":0", s)
	if err != nil {
		t.Fatal(err)
	}
	defer all.Close(context.Background())
	if !strings.HasPrefix(all.URL, "http://127.0.0.1:") {
		t.Fatalf("wildcard listen URL %s", all.URL)
	}
}

// TestNewUserDemo is the promise of the default speed: an automatic product
// is delivered and an SMS code arrives within 30 seconds.
func TestNewUserDemo(t *testing.T) {
	s, clk := newServer(t, Options{})
	p := findRow(t, s, func(r *row) bool { return r.kind == entityProduct && r.auto && rowStock(r, s.slotStock) > 0 })
	id := num(t, obj(t, s, "action", "add", "service", itoa(p.number), "quantity", "1")["order"])
	sms := addSMS(t, s, "project_id", s.cat.projects[0].id)
	clk.Advance(30 * time.Second)
	if st := getStatus(t, s, id); st["status"] != "Completed" || len(st["accounts"].([]any)) != 1 {
		t.Fatalf("order after 30s: %v", st)
	}
	if c := obj(t, s, "action", "sms_code", "order", itoa(num(t, sms[0]["order"]))); c["status"] != "completed" {
		t.Fatalf("sms after 30s: %v", c)
	}
}

// A panel speaks the API v2 subset only: everything else is "Invalid action".
func TestPanelSpeaksTheV2SubsetOnly(t *testing.T) {
	s, _ := newServer(t, Options{Panel: true})
	for _, a := range []string{"categories", "shops", "products", "inventory", "sms_countries", "sms_projects", "add_sms", "sms_code", "sms_status"} {
		apiErr(t, s, errInvalidAction, "action", a, "service", "1", "order", "1", "project_id", "x")
	}
	if m, ok := api(t, s, "action", "balance").(map[string]any); !ok || m["balance"] != "100.00" {
		t.Fatalf("balance: %v", m)
	}
	if m, ok := api(t, s, "action", "services").(map[string]any); !ok || len(m["services"].([]any)) == 0 {
		t.Fatalf("services: %v", m)
	}
}
