package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// docServer answers every action with the documents' example.
func docServer(t *testing.T) *fakeServer {
	bodies := map[string]string{
		"categories":    newerCategories,
		"shops":         specShops,
		"services":      newerServices,
		"products":      `{"products":[` + strings.SplitN(strings.SplitN(newerServices, `"services": [`, 2)[1], "],\n  \"total\"", 2)[0] + `], "total": 2, "page": 1, "limit": 2, "total_pages": 1}`,
		"inventory":     newerInventoryProduct,
		"balance":       docBalance,
		"add":           docAdd,
		"status":        newerStatusProduct,
		"sms_countries": docSMSCountries,
		"sms_projects":  docSMSProjects,
		"add_sms":       docAddSMS,
		"sms_code":      docSMSCodeCompleted,
		"sms_status":    docSMSStatus,
	}
	return newFakeServer(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		body, ok := bodies[r.PostForm.Get("action")]
		if !ok {
			body = `{"error": "Invalid action"}`
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body)
	})
}

// langActions are the actions that take lang.
var langActions = map[string]bool{
	"categories": true, "services": true, "products": true, "inventory": true, "sms_projects": true, "sms_countries": true,
}

func TestEveryActionSendsItsForm(t *testing.T) {
	srv := docServer(t)
	c, _ := newTestClient(t, srv.URL, WithLang("jp"), WithUserAgent("tester/2"))
	ctx := ctxT(t)
	if c.Lang() != "ja" || c.Endpoint() != srv.URL {
		t.Fatalf("Lang %q Endpoint %q", c.Lang(), c.Endpoint())
	}

	type call struct {
		name string
		do   func() (any, error)
		want url.Values // besides key, action and (where allowed) lang
	}
	calls := []call{
		{"categories", func() (any, error) { return c.Categories(ctx) }, url.Values{}},
		{"shops", func() (any, error) { return c.Shops(ctx, 2, 30) }, url.Values{"page": {"2"}, "limit": {"30"}}},
		{"services", func() (any, error) {
			return c.Services(ctx, ServicesParams{Page: 3, Limit: 50, Category: "Instagram", Subcategory: "Followers",
				ShopID: "shop1", EntityType: "Product", ProductIDs: []string{"2", " 507f1f77bcf86cd799439011 ", "", "9"}})
		}, url.Values{"page": {"3"}, "limit": {"50"}, "category": {"Instagram"}, "subcategory": {"Followers"},
			"shopId": {"shop1"}, "entityType": {"product"}, "productIds": {"2,507f1f77bcf86cd799439011,9"}}},
		{"products", func() (any, error) {
			return c.Products(ctx, ServicesParams{Category: "Accounts-Email", EntityType: "smm", ProductIDs: []string{"2", "5", "9"}})
		}, url.Values{"category": {"Accounts-Email"}, "productIds": {"2,5,9"}}},
		{"inventory", func() (any, error) { return c.Inventory(ctx, 23501) }, url.Values{"service": {"23501"}}},
		{"balance", func() (any, error) { return c.Balance(ctx) }, url.Values{}},
		{"add", func() (any, error) {
			return c.Add(ctx, AddRequest{Service: 1, Quantity: 1000, Link: "https://instagram.com/username"})
		}, url.Values{"service": {"1"}, "quantity": {"1000"}, "link": {"https://instagram.com/username"}}},
		{"status", func() (any, error) { return c.Status(ctx, 23501) }, url.Values{"order": {"23501"}}},
		{"sms_countries", func() (any, error) { return c.SMSCountries(ctx) }, url.Values{}},
		{"sms_projects", func() (any, error) { return c.SMSProjects(ctx, "gb") }, url.Values{"country": {"gb"}}},
		{"add_sms", func() (any, error) {
			return c.AddSMS(ctx, AddSMSRequest{ProjectID: "65f1", Quantity: 3, Country: "us", Phone: "+1234567890"})
		}, url.Values{"project_id": {"65f1"}, "quantity": {"3"}, "country": {"us"}, "phone": {"+1234567890"}}},
		{"sms_code", func() (any, error) { return c.SMSCode(ctx, 12345) }, url.Values{"order": {"12345"}}},
		{"sms_status", func() (any, error) { return c.SMSStatus(ctx, 12345) }, url.Values{"order": {"12345"}}},
	}
	for _, tc := range calls {
		t.Run(tc.name, func(t *testing.T) {
			v, err := tc.do()
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if reflect.ValueOf(v).IsNil() {
				t.Fatalf("%s: nil result", tc.name)
			}
			got := srv.last(t)
			want := url.Values{"key": {testKey}, "action": {tc.name}}
			for k, vs := range tc.want {
				want[k] = vs
			}
			if langActions[tc.name] {
				want.Set("lang", "ja")
			}
			if !reflect.DeepEqual(got.Form, want) {
				t.Errorf("form\n got %v\nwant %v", got.Form, want)
			}
			if got.Method != http.MethodPost || got.Query != "" {
				t.Errorf("method %s, query %q", got.Method, got.Query)
			}
			if h := got.Header; h.Get("Accept") != "application/json" || h.Get("User-Agent") != "tester/2" ||
				h.Get("Content-Type") != "application/x-www-form-urlencoded" {
				t.Errorf("headers %v", h)
			}
		})
	}
}

func TestResultsOfEveryAction(t *testing.T) {
	srv := docServer(t)
	c, _ := newTestClient(t, srv.URL)
	ctx := ctxT(t)

	cats, err := c.Categories(ctx)
	if err != nil || len(cats) != 2 || cats[1].Subcategories[1] != "Outlook" {
		t.Errorf("Categories: %+v, %v", cats, err)
	}
	shops, err := c.Shops(ctx, 0, 0)
	if err != nil || len(shops.Shops) != 1 || shops.Shops[0].Rating != 4.5 {
		t.Errorf("Shops: %+v, %v", shops, err)
	}
	if f := srv.last(t).Form; f.Has("page") || f.Has("limit") || f.Has("lang") {
		t.Errorf("Shops(0, 0) sent %v", f)
	}
	prods, err := c.Products(ctx, ServicesParams{})
	if err != nil || len(prods.Services) != 2 || prods.Services[1].ImageURL == "" {
		t.Errorf("Products: %+v, %v", prods, err)
	}
	if f := srv.last(t).Form; len(f) != 2 {
		t.Errorf("Products with no params sent %v", f)
	}
	inv, err := c.Inventory(ctx, 23501)
	if err != nil || len(inv.Subproducts) != 2 {
		t.Errorf("Inventory: %+v, %v", inv, err)
	}
	bal, err := c.Balance(ctx)
	if err != nil || bal.Balance.String() != "100.00" {
		t.Errorf("Balance: %+v, %v", bal, err)
	}
	add, err := c.Add(ctx, AddRequest{Service: 2, Quantity: 1})
	if err != nil || add.Order != 23501 {
		t.Errorf("Add: %+v, %v", add, err)
	}
	if f := srv.last(t).Form; f.Has("link") || f.Has("comments") {
		t.Errorf("Add without link/comments sent %v", f)
	}
	st, err := c.Status(ctx, 23501)
	if err != nil || len(st.Accounts) != 2 || !st.Status.Terminal() {
		t.Errorf("Status: %+v, %v", st, err)
	}
	cs, err := c.SMSCountries(ctx)
	if err != nil || len(cs) != 2 {
		t.Errorf("SMSCountries: %+v, %v", cs, err)
	}
	ps, err := c.SMSProjects(ctx, "")
	if err != nil || len(ps) != 1 {
		t.Errorf("SMSProjects: %+v, %v", ps, err)
	}
	if f := srv.last(t).Form; f.Has("country") {
		t.Errorf("SMSProjects(\"\") sent %v", f)
	}
	os, err := c.AddSMS(ctx, AddSMSRequest{ProjectID: "65f"})
	if err != nil || len(os) != 1 || os[0].Order != 12345 {
		t.Errorf("AddSMS: %+v, %v", os, err)
	}
	if f := srv.last(t).Form; f.Has("quantity") || f.Has("country") || f.Has("phone") {
		t.Errorf("AddSMS with defaults sent %v", f)
	}
	code, err := c.SMSCode(ctx, 1)
	if err != nil || !code.Received() {
		t.Errorf("SMSCode: %+v, %v", code, err)
	}
	ss, err := c.SMSStatus(ctx, 1)
	if err != nil || ss.ExpiresAt.IsZero() {
		t.Errorf("SMSStatus: %+v, %v", ss, err)
	}
}

func TestCommentsAndLangOverride(t *testing.T) {
	srv := docServer(t)
	c, _ := newTestClient(t, srv.URL)
	ctx := ctxT(t)
	comments := "Great post!\nLove it\n  spaced  "
	if _, err := c.Add(ctx, AddRequest{Service: 2, Quantity: 3, Link: " https://x.y/p ", Comments: comments}); err != nil {
		t.Fatal(err)
	}
	if f := srv.last(t).Form; f.Get("comments") != comments || f.Get("link") != "https://x.y/p" {
		t.Errorf("comments/link sent %q %q", f.Get("comments"), f.Get("link"))
	}
	if _, err := c.Add(ctx, AddRequest{Service: 2, Quantity: 3, Comments: " \n "}); err != nil {
		t.Fatal(err)
	}
	if f := srv.last(t).Form; f.Has("comments") {
		t.Errorf("blank comments sent: %v", f)
	}
	// No client lang: lang absent everywhere, unless a call overrides it.
	if _, err := c.Categories(ctx); err != nil {
		t.Fatal(err)
	}
	if f := srv.last(t).Form; f.Has("lang") {
		t.Errorf("lang sent without one set: %v", f)
	}
	if _, err := c.Services(ctx, ServicesParams{Lang: "PT-br"}); err != nil {
		t.Fatal(err)
	}
	if f := srv.last(t).Form; f.Get("lang") != "pt-BR" {
		t.Errorf("lang override sent %v", f)
	}
	if _, err := c.Services(ctx, ServicesParams{Lang: "xx"}); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("bad lang override: %v", err)
	}
}

func TestArgumentValidation(t *testing.T) {
	srv := docServer(t)
	c, _ := newTestClient(t, srv.URL)
	ctx := ctxT(t)
	tooMany := make([]string, MaxProductIDs+1)
	for i := range tooMany {
		tooMany[i] = strconv.Itoa(i + 1)
	}
	exactly := tooMany[:MaxProductIDs]
	errs := map[string]error{}
	_, errs["services productIds>100"] = c.Services(ctx, ServicesParams{ProductIDs: tooMany})
	_, errs["products productIds>100"] = c.Products(ctx, ServicesParams{ProductIDs: tooMany})
	_, errs["productIds comma"] = c.Services(ctx, ServicesParams{ProductIDs: []string{"1,2"}})
	_, errs["entityType"] = c.Services(ctx, ServicesParams{EntityType: "other"})
	_, errs["negative page"] = c.Services(ctx, ServicesParams{Page: -1})
	_, errs["shops negative"] = c.Shops(ctx, -1, 0)
	_, errs["inventory 0"] = c.Inventory(ctx, 0)
	_, errs["status 0"] = c.Status(ctx, 0)
	_, errs["sms_code 0"] = c.SMSCode(ctx, -1)
	_, errs["sms_status 0"] = c.SMSStatus(ctx, 0)
	_, _, errs["all negative"] = c.AllServices(ctx, ServicesParams{}, -1, nil)
	for name, err := range errs {
		if !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("%s: %v", name, err)
		}
	}
	spends := map[string]error{}
	_, spends["add service"] = c.Add(ctx, AddRequest{Quantity: 1})
	_, spends["add quantity"] = c.Add(ctx, AddRequest{Service: 1})
	_, spends["add_sms project"] = c.AddSMS(ctx, AddSMSRequest{Quantity: 1})
	_, spends["add_sms quantity"] = c.AddSMS(ctx, AddSMSRequest{ProjectID: "p", Quantity: 11})
	_, spends["add_sms negative"] = c.AddSMS(ctx, AddSMSRequest{ProjectID: "p", Quantity: -1})
	for name, err := range spends {
		var se *SpendError
		if !errors.As(err, &se) || !errors.Is(err, ErrNotSent) || !errors.Is(err, ErrInvalidArgument) || !se.NotSent() {
			t.Errorf("%s: %v", name, err)
		}
	}
	if n := srv.count(); n != 0 {
		t.Fatalf("%d invalid calls reached the server", n)
	}
	if _, err := c.Services(ctx, ServicesParams{ProductIDs: exactly}); err != nil {
		t.Fatalf("100 product ids: %v", err)
	}
	if got := strings.Count(srv.last(t).Form.Get("productIds"), ",") + 1; got != MaxProductIDs {
		t.Errorf("sent %d ids", got)
	}
}

func TestMissingKeySendsNothing(t *testing.T) {
	srv := docServer(t)
	c, err := New(WithEndpoint(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	if c.HasAPIKey() {
		t.Fatal("HasAPIKey")
	}
	if _, err := c.Balance(ctxT(t)); !errors.Is(err, ErrMissingAPIKey) {
		t.Errorf("Balance: %v", err)
	}
	if _, err := c.Add(ctxT(t), AddRequest{Service: 1, Quantity: 1}); !errors.Is(err, ErrMissingAPIKey) || !errors.Is(err, ErrNotSent) {
		t.Errorf("Add: %v", err)
	}
	if srv.count() != 0 {
		t.Error("a request without key was sent")
	}
}

func TestOptions(t *testing.T) {
	c, err := New()
	if err != nil || c.Endpoint() != DefaultEndpoint || c.Lang() != "" || c.userAgent != DefaultUserAgent ||
		c.maxBody != DefaultMaxBodyBytes || c.maxAttempts != DefaultMaxAttempts {
		t.Fatalf("defaults: %v %v", c, err)
	}
	if !strings.HasPrefix(DefaultUserAgent, "hstockplus/") {
		t.Error("user agent")
	}
	for _, lang := range append(SupportedLangs(), "jp", "PT-BR", "bn_bd", " en ") {
		if _, err := New(WithLang(lang)); err != nil {
			t.Errorf("WithLang(%q): %v", lang, err)
		}
	}
	if len(SupportedLangs()) != 15 {
		t.Errorf("%d languages", len(SupportedLangs()))
	}
	bad := map[string]Option{
		"lang":          WithLang("klingon"),
		"lang pt-PT":    WithLang("pt-PT"),
		"nil client":    WithHTTPClient(nil),
		"empty ua":      WithUserAgent(" "),
		"ua newline":    WithUserAgent("a\r\nX-Evil: 1"),
		"attempts":      WithRetry(0, time.Second, time.Second),
		"base>max":      WithRetry(2, time.Second, time.Millisecond),
		"negative base": WithRetry(2, -1, time.Second),
		"burst":         WithRateLimit(1, 0),
		"body":          WithMaxBodyBytes(0),
		"key space":     WithAPIKey("ab cd"),
		"key control":   WithAPIKey("ab\x00cd"),
	}
	for name, opt := range bad {
		if _, err := New(opt); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("%s: %v", name, err)
		}
	}
	c, err = New(WithAPIKey("  abcdef\n"), nil)
	if err != nil || c.key != "abcdef" {
		t.Errorf("key trimmed: %q %v", c.key, err)
	}
}

func TestEndpointSchemes(t *testing.T) {
	ok := []string{
		"https://hstockplus.com/api/v2", "HTTPS://example.org/api/v2#frag", "https://panel.example:8443/api/v2?x=1",
		"http://127.0.0.1:8080/api/v2", "http://127.8.9.10/api", "http://[::1]:9000/api/v2", "http://localhost:1234/api/v2",
		"http://LOCALHOST/api/v2",
	}
	for _, e := range ok {
		c, err := New(WithEndpoint(e))
		if err != nil {
			t.Errorf("WithEndpoint(%q): %v", e, err)
			continue
		}
		if strings.Contains(c.Endpoint(), "#") {
			t.Errorf("fragment kept: %s", c.Endpoint())
		}
	}
	refused := []string{
		"http://hstockplus.com/api/v2", "http://10.0.0.1/api", "http://192.168.1.1/api", "http://localhost.evil.com/api",
		"http://127.0.0.1.nip.io/api", "http://[::2]/api", "ftp://hstockplus.com/api", "hstockplus.com/api/v2",
		"https://", "https://user:pass@hstockplus.com/api/v2", "://bad", "", "file:///etc/passwd",
	}
	for _, e := range refused {
		if _, err := New(WithEndpoint(e)); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("WithEndpoint(%q) accepted (%v)", e, err)
		}
	}
}

func TestRedirectsAreNotFollowed(t *testing.T) {
	target := docServer(t)
	srv := newFakeServer(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		http.Redirect(w, r, target.URL, http.StatusTemporaryRedirect)
	})
	c, _ := newTestClient(t, srv.URL)
	_, err := c.Balance(ctxT(t))
	var te *TransportError
	if !errors.As(err, &te) || te.HTTPStatus != http.StatusTemporaryRedirect || !errors.Is(err, ErrUnexpectedRedirect) {
		t.Fatalf("Balance: %v", err)
	}
	_, err = c.Add(ctxT(t), AddRequest{Service: 1, Quantity: 1})
	if !errors.Is(err, ErrOutcomeUnknown) || !errors.Is(err, ErrUnexpectedRedirect) {
		t.Fatalf("Add: %v", err)
	}
	if target.count() != 0 {
		t.Fatal("the redirect was followed: the key went to another server")
	}
	if srv.count() != 2 {
		t.Fatalf("%d requests, want 2 (a redirect is not retried)", srv.count())
	}
	// Also with a caller's http.Client whose policy would follow.
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}
	c2, _ := newTestClient(t, srv.URL, WithHTTPClient(hc))
	if _, err := c2.Balance(ctxT(t)); !errors.Is(err, ErrUnexpectedRedirect) || target.count() != 0 {
		t.Fatalf("custom client followed the redirect: %v", err)
	}
	if hc.CheckRedirect == nil || hc.CheckRedirect(nil, nil) != nil {
		t.Error("the caller's http.Client was modified")
	}
}

func TestDocumentedErrors(t *testing.T) {
	sentinels := []error{ErrInvalidKey, ErrInvalidAction, ErrServiceIDRequired, ErrInsufficientBalance, ErrOrderNotFound, ErrServiceNotFound}
	for i, body := range docErrors {
		for _, status := range []int{200, 400, 401, 404, 500} {
			srv := newFakeServer(t, answer(status, body))
			c, _ := newTestClient(t, srv.URL)
			_, err := c.Inventory(ctxT(t), 5)
			var ae *APIError
			if !errors.As(err, &ae) || ae.HTTPStatus != status || ae.Action != "inventory" {
				t.Fatalf("%s at %d: %v", body, status, err)
			}
			for j, s := range sentinels {
				if errors.Is(err, s) != (i == j) {
					t.Errorf("%s at %d: errors.Is(%v) = %v", body, status, s, i != j)
				}
			}
			if srv.count() != 1 {
				t.Errorf("%s at %d: %d requests; API errors are not retried", body, status, srv.count())
			}
		}
	}
	// Case, spaces and a final period do not matter; other messages pass through.
	for body, want := range map[string]error{
		`{"error":"invalid api key."}`:        ErrInvalidKey,
		`{"error":"  INSUFFICIENT  BALANCE"}`: ErrInsufficientBalance,
		`{"error":"Order not found!"}`:        ErrOrderNotFound,
	} {
		srv := newFakeServer(t, answer(200, body))
		c, _ := newTestClient(t, srv.URL)
		if _, err := c.Status(ctxT(t), 1); !errors.Is(err, want) {
			t.Errorf("%s: %v", body, err)
		}
	}
	srv := newFakeServer(t, answer(200, `{"error":"Link is invalid for this service\u0007\u001b[31m \u202e evil"}`))
	c, _ := newTestClient(t, srv.URL)
	_, err := c.Add(ctxT(t), AddRequest{Service: 1, Quantity: 10, Link: "x"})
	var ae *APIError
	if !errors.As(err, &ae) || ae.Message != "Link is invalid for this service[31m evil" || !errors.Is(err, ErrNotSent) {
		t.Fatalf("other message: %q %v", ae.Message, err)
	}
	for _, s := range sentinels {
		if errors.Is(err, s) {
			t.Errorf("undocumented message matched %v", s)
		}
	}
	if ae.Documented() {
		t.Error("Documented")
	}
}

func TestNonJSONAnswers(t *testing.T) {
	huge := strings.Repeat("A", 3<<20)
	cases := []struct {
		name   string
		status int
		body   string
		cause  error
		excerp string
	}{
		{"html 502", 502, html502, ErrNotJSON, "502 Bad Gateway"},
		{"html 200", 200, "<!DOCTYPE html><html><body>Checking your browser…</body></html>", ErrNotJSON, "<!DOCTYPE html>"},
		{"empty 200", 200, "", ErrNotJSON, ""},
		{"empty 503", 503, "", ErrNotJSON, ""},
		{"truncated", 200, newerServices[:200], ErrNotJSON, `{ "services": [`},
		{"json without error 400", 400, `{"message":"bad"}`, errHTTPStatus, `{ "message": "bad" }`},
		{"json without error 500", 500, `{"ok":false}`, errHTTPStatus, `{"ok":false}`},
		{"huge text", 200, huge, ErrNotJSON, "AAAA"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newFakeServer(t, answer(tc.status, tc.body))
			c, _ := newTestClient(t, srv.URL, WithRetry(1, 0, 0))
			_, err := c.Services(ctxT(t), ServicesParams{})
			var te *TransportError
			if !errors.As(err, &te) || !errors.Is(err, tc.cause) || te.HTTPStatus != tc.status {
				t.Fatalf("got %v", err)
			}
			if n := len([]rune(te.Excerpt)); n > 200 {
				t.Errorf("excerpt of %d runes", n)
			}
			if tc.excerp != "" && !strings.Contains(strings.ReplaceAll(te.Excerpt, "\n", " "), strings.Fields(tc.excerp)[0]) {
				t.Errorf("excerpt %q lacks %q", te.Excerpt, tc.excerp)
			}
			if len(err.Error()) > 600 {
				t.Errorf("error of %d bytes", len(err.Error()))
			}
		})
	}
}

func TestBodyCap(t *testing.T) {
	big := `{"services":[` + strings.Repeat(`{"service":1,"name":"xxxxxxxxxxxxxxxxxxxxxxxx"},`, 4000) + `{"service":2}]}`
	srv := newFakeServer(t, answer(200, big))
	c, _ := newTestClient(t, srv.URL, WithMaxBodyBytes(64<<10))
	_, err := c.Services(ctxT(t), ServicesParams{})
	var te *TransportError
	if !errors.As(err, &te) || !errors.Is(err, ErrBodyTooLarge) || te.HTTPStatus != 200 {
		t.Fatalf("got %v", err)
	}
	if srv.count() != 1 {
		t.Errorf("%d requests: an oversized body is not retried", srv.count())
	}
	_, err = c.Add(ctxT(t), AddRequest{Service: 1, Quantity: 1})
	if !errors.Is(err, ErrBodyTooLarge) || !errors.Is(err, ErrOutcomeUnknown) {
		t.Fatalf("Add: %v", err)
	}
	// At exactly the cap it is read.
	c2, _ := newTestClient(t, srv.URL, WithMaxBodyBytes(int64(len(big))))
	if pg, err := c2.Services(ctxT(t), ServicesParams{}); err != nil || len(pg.Services) != 4001 {
		t.Fatalf("at the cap: %v", err)
	}
}

func TestHostileStrings(t *testing.T) {
	long := strings.Repeat(`é\u0000\u202e\n`, 1<<20) // JSON escapes: NUL, RLO, newline
	srv := newFakeServer(t, answer(400, `{"error":"`+long+`"}`))
	c, _ := newTestClient(t, srv.URL)
	_, err := c.Balance(ctxT(t))
	var ae *APIError
	if !errors.As(err, &ae) {
		t.Fatalf("got %v", err)
	}
	if n := len([]rune(ae.Message)); n > maxMessageRunes+len(redactedMark) {
		t.Errorf("message of %d runes", n)
	}
	if strings.ContainsAny(ae.Message, "\u0000\u202e") {
		t.Error("control characters kept")
	}
	// Huge field values in data are data: kept, and nothing breaks.
	name := strings.Repeat("n", 1<<20)
	srv2 := newFakeServer(t, answer(200, `{"services":[{"service":1,"name":"`+name+`","rate":"1.00"}]}`))
	c2, _ := newTestClient(t, srv2.URL)
	pg, err := c2.Services(ctxT(t), ServicesParams{})
	if err != nil || len(pg.Services[0].Name) != len(name) {
		t.Fatalf("big name: %v", err)
	}
	// Absurd numbers are refused, not computed.
	for _, body := range []string{
		`{"services":[{"service":1,"rate":"1e999999999"}]}`,
		`{"services":[{"service":1,"rate":` + strings.Repeat("9", 5000) + `}]}`,
		`{"services":[{"service":99999999999999999999999}]}`,
		`{"services":[{"service":1,"min":1.5}]}`,
	} {
		srv := newFakeServer(t, answer(200, body))
		c, _ := newTestClient(t, srv.URL)
		if _, err := c.Services(ctxT(t), ServicesParams{}); !errors.Is(err, ErrMalformedResponse) {
			t.Errorf("%.60s: %v", body, err)
		}
		if srv.count() != 1 {
			t.Errorf("%.60s: malformed JSON retried", body)
		}
	}
}

func TestAllServices(t *testing.T) {
	const total = 23
	rows := func(from, to int) string {
		var b strings.Builder
		for i := from; i < to && i < total; i++ {
			if b.Len() > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"service":%d,"rate":"0.50"}`, i+1)
		}
		return b.String()
	}
	srv := newFakeServer(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		limit, _ := strconv.Atoi(r.PostForm.Get("limit"))
		page, _ := strconv.Atoi(r.PostForm.Get("page"))
		if limit == 0 {
			fmt.Fprintf(w, `{"services":[%s],"total":%d,"page":%d,"limit":%d,"total_pages":1}`, rows(0, total), total, total, total)
			return
		}
		// Page 2 overlaps page 1 by one row, as if the catalogue shifted.
		from := (page - 1) * limit
		if page == 2 {
			from--
		}
		pages := (total + limit - 1) / limit
		fmt.Fprintf(w, `{"services":[%s],"total":%d,"page":%d,"limit":%d,"total_pages":%d}`, rows(from, from+limit), total, page, limit, pages)
	})
	c, _ := newTestClient(t, srv.URL)
	ctx := ctxT(t)

	var calls [][2]int
	all, _, err := c.AllServices(ctx, ServicesParams{Category: "Instagram", Page: 7, Limit: 9}, 0, func(d, tot int) { calls = append(calls, [2]int{d, tot}) })
	if err != nil || len(all) != total || srv.count() != 1 {
		t.Fatalf("pageSize 0: %d rows, %d requests, %v", len(all), srv.count(), err)
	}
	if f := srv.last(t).Form; f.Has("page") || f.Has("limit") || f.Get("category") != "Instagram" {
		t.Errorf("pageSize 0 sent %v", f)
	}
	if !reflect.DeepEqual(calls, [][2]int{{total, total}}) {
		t.Errorf("progress %v", calls)
	}

	calls = nil
	before := srv.count()
	all, _, err = c.AllServices(ctx, ServicesParams{}, 10, func(d, tot int) { calls = append(calls, [2]int{d, tot}) })
	if err != nil {
		t.Fatal(err)
	}
	if got := srv.count() - before; got != 3 {
		t.Errorf("%d requests for 3 pages", got)
	}
	seenIDs := map[int64]bool{}
	for _, s := range all {
		if seenIDs[s.Service] {
			t.Errorf("duplicate row %d", s.Service)
		}
		seenIDs[s.Service] = true
	}
	if len(calls) != 3 || calls[0] != [2]int{10, total} || calls[2][1] != total {
		t.Errorf("progress %v", calls)
	}
	for i, p := range srv.reqs[before:] {
		if p.Form.Get("page") != strconv.Itoa(i+1) || p.Form.Get("limit") != "10" {
			t.Errorf("request %d: %v", i, p.Form)
		}
	}
	// AllProducts uses the products action.
	if _, _, err := c.AllProducts(ctx, ServicesParams{EntityType: "smm"}, 0, nil); err != nil {
		// the fake answers "services" for everything: accepted for products too
		t.Fatal(err)
	}
	if f := srv.last(t).Form; f.Get("action") != "products" || f.Has("entityType") {
		t.Errorf("AllProducts sent %v", f)
	}
}

func TestAllServicesStopsOnEndlessPagination(t *testing.T) {
	// A server that ignores page and always answers the same full page.
	srv := newFakeServer(t, answer(200, `{"services":[{"service":1},{"service":2}],"total":1000000,"total_pages":500000}`))
	c, _ := newTestClient(t, srv.URL)
	all, _, err := c.AllServices(ctxT(t), ServicesParams{}, 2, nil)
	if err != nil || len(all) != 2 || srv.count() != 2 {
		t.Fatalf("%d rows, %d requests, %v", len(all), srv.count(), err)
	}
	// A server that ignores limit: the first answer has everything.
	srv2 := newFakeServer(t, answer(200, `{"services":[{"service":1},{"service":2},{"service":3}],"total":3}`))
	c2, _ := newTestClient(t, srv2.URL)
	all, _, err = c2.AllServices(ctxT(t), ServicesParams{}, 2, nil)
	if err != nil || len(all) != 3 || srv2.count() != 1 {
		t.Fatalf("ignored limit: %d rows, %d requests, %v", len(all), srv2.count(), err)
	}
	// A failing page fails the whole call.
	srv3 := newFakeServer(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if r.PostForm.Get("page") == "2" {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"error":"Invalid page"}`)
			return
		}
		_, _ = io.WriteString(w, `{"services":[{"service":1},{"service":2}],"total":4,"total_pages":2}`)
	})
	c3, _ := newTestClient(t, srv3.URL)
	if _, _, err := c3.AllServices(ctxT(t), ServicesParams{}, 2, nil); err == nil {
		t.Fatal("a failed page was ignored")
	}
}

func TestClientStringHidesKey(t *testing.T) {
	c, _ := newTestClient(t, "https://hstockplus.com/api/v2")
	for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
		if s := fmt.Sprintf(f, c); strings.Contains(s, testKey) {
			t.Errorf("%s of the client shows the key: %s", f, s)
		}
	}
}

func TestContextCancelledRead(t *testing.T) {
	srv := docServer(t)
	c, _ := newTestClient(t, srv.URL)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Balance(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v", err)
	}
	if srv.count() != 0 {
		t.Error("a request was sent with a cancelled context")
	}
}
