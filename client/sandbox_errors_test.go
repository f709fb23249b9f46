package client_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/hstockplus/hstockplus/client"
	"github.com/hstockplus/hstockplus/client/sandbox"
)

// Integration tests against the sandbox: documented errors as typed errors; other messages passed
// through.

// formRewriter edits the form of every request before it leaves: the way to send what the
// client itself never sends (an unknown action, an add without a service).
type formRewriter struct {
	base http.RoundTripper
	edit func(url.Values)
}

func (f formRewriter) RoundTrip(r *http.Request) (*http.Response, error) {
	b, err := io.ReadAll(r.Body)
	r.Body.Close()
	if err != nil {
		return nil, err
	}
	v, err := url.ParseQuery(string(b))
	if err != nil {
		return nil, err
	}
	f.edit(v)
	body := v.Encode()
	r2 := r.Clone(r.Context())
	r2.Body = io.NopCloser(strings.NewReader(body))
	r2.ContentLength = int64(len(body))
	r2.GetBody = nil
	return f.base.RoundTrip(r2)
}

func rewritingClient(t *testing.T, e *itEnv, edit func(url.Values)) *client.Client {
	t.Helper()
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return e.newClient(t, client.WithHTTPClient(&http.Client{Transport: formRewriter{tr, edit}}))
}

// documentedErrorCases makes every documented error happen through a client of e and returns
// them by name. It checks each: the typed error, errors.Is on its sentinel and on no other, one
// request, and for Add/AddSMS ErrNotSent.
func documentedErrorCases(t *testing.T, e *itEnv, wrongKey string) map[string]error {
	t.Helper()
	ctx := itCtx(t)
	all := e.allRows(t, ctx)
	out := map[string]error{}
	type call struct {
		name, action string
		do           func() error
		spend        bool
	}
	run := func(c *client.Client, sentinel error, msg string, calls func(c *client.Client) []call) {
		t.Helper()
		for _, cl := range calls(c) {
			before := e.srv.Stats()
			err := cl.do()
			after := e.srv.Stats()
			name := cl.name
			if err == nil {
				t.Fatalf("%s: no error", name)
			}
			ae := apiError(t, name, err, msg)
			if !ae.Documented() {
				t.Fatalf("%s: %q not documented", name, msg)
			}
			onlySentinel(t, name, err, sentinel)
			if cl.spend {
				notPlaced(t, name, err)
				if after.OrdersPlaced != before.OrdersPlaced || after.SMSPlaced != before.SMSPlaced {
					t.Fatalf("%s: an order was placed", name)
				}
			} else if errors.Is(err, client.ErrNotSent) || errors.Is(err, client.ErrOutcomeUnknown) {
				t.Fatalf("%s: a read error carries a spend outcome", name)
			}
			if got := delta(before.Requests, after.Requests, cl.action); got != 1 {
				t.Fatalf("%s: %d %s requests, want 1 (API errors are not retried)", name, got, cl.action)
			}
			out[name] = err
		}
	}
	smm := pick(t, all, "an SMM row in stock", func(s client.Service) bool { return !s.IsProduct() && s.Stock >= s.Min && s.Max >= 2*s.Min })
	dear := pick(t, all, "a product dearer than 1.00", func(s client.Service) bool {
		return s.IsProduct() && s.Stock >= 1 && s.Min == 1 && s.Rate.GreaterThan(decimal.NewFromInt(1))
	})
	us, err := e.c.SMSProjects(ctx, "us")
	if err != nil {
		t.Fatal(err)
	}
	proj := us[0]
	bal := e.srv.BalanceString()
	okAdd := client.AddRequest{Service: smm.Service, Quantity: smm.Min, Link: "https://t.me/x"}

	// Invalid API key: every action.
	bad := e.newClient(t, client.WithAPIKey(wrongKey))
	run(bad, client.ErrInvalidKey, "Invalid API key", func(c *client.Client) []call {
		return []call{
			{"bad key categories", "categories", func() error { _, err := c.Categories(ctx); return err }, false},
			{"bad key shops", "shops", func() error { _, err := c.Shops(ctx, 1, 5); return err }, false},
			{"bad key services", "services", func() error { _, err := c.Services(ctx, client.ServicesParams{}); return err }, false},
			{"bad key products", "products", func() error { _, err := c.Products(ctx, client.ServicesParams{}); return err }, false},
			{"bad key all services", "services", func() error { _, _, err := c.AllServices(ctx, client.ServicesParams{}, 10, nil); return err }, false},
			{"bad key inventory", "inventory", func() error { _, err := c.Inventory(ctx, smm.Service); return err }, false},
			{"bad key balance", "balance", func() error { _, err := c.Balance(ctx); return err }, false},
			{"bad key status", "status", func() error { _, err := c.Status(ctx, 23501); return err }, false},
			{"bad key sms_countries", "sms_countries", func() error { _, err := c.SMSCountries(ctx); return err }, false},
			{"bad key sms_projects", "sms_projects", func() error { _, err := c.SMSProjects(ctx, "us"); return err }, false},
			{"bad key sms_code", "sms_code", func() error { _, err := c.SMSCode(ctx, 23501); return err }, false},
			{"bad key sms_status", "sms_status", func() error { _, err := c.SMSStatus(ctx, 23501); return err }, false},
			{"bad key add", "add", func() error { _, err := c.Add(ctx, okAdd); return err }, true},
			{"bad key add_sms", "add_sms", func() error { _, err := c.AddSMS(ctx, client.AddSMSRequest{ProjectID: proj.ProjectID}); return err }, true},
		}
	})

	// Invalid action: the client cannot send one, so the form is rewritten on its way out.
	bogus := rewritingClient(t, e, func(v url.Values) { v.Set("action", "refund_everything") })
	run(bogus, client.ErrInvalidAction, "Invalid action", func(c *client.Client) []call {
		return []call{
			{"invalid action (read)", "invalid", func() error { _, err := c.Balance(ctx); return err }, false},
			{"invalid action (add)", "invalid", func() error { _, err := c.Add(ctx, okAdd); return err }, true},
		}
	})

	// Service ID is required: the client refuses a missing service itself, so it is removed on
	// the way out.
	noSvc := rewritingClient(t, e, func(v url.Values) { v.Del("service") })
	run(noSvc, client.ErrServiceIDRequired, "Service ID is required", func(c *client.Client) []call {
		return []call{
			{"no service (inventory)", "inventory", func() error { _, err := c.Inventory(ctx, smm.Service); return err }, false},
			{"no service (add)", "add", func() error { _, err := c.Add(ctx, okAdd); return err }, true},
		}
	})

	run(e.c, client.ErrServiceNotFound, "Service not found", func(c *client.Client) []call {
		return []call{
			{"unknown service (inventory)", "inventory", func() error { _, err := c.Inventory(ctx, 999_999); return err }, false},
			{"unknown service (add)", "add", func() error {
				_, err := c.Add(ctx, client.AddRequest{Service: 999_999, Quantity: 10, Link: "https://t.me/x"})
				return err
			}, true},
		}
	})
	run(e.c, client.ErrOrderNotFound, "Order not found", func(c *client.Client) []call {
		return []call{
			{"unknown order (status)", "status", func() error { _, err := c.Status(ctx, 1); return err }, false},
			{"unknown order (sms_code)", "sms_code", func() error { _, err := c.SMSCode(ctx, 1); return err }, false},
			{"unknown order (sms_status)", "sms_status", func() error { _, err := c.SMSStatus(ctx, 987_654_321); return err }, false},
		}
	})
	run(e.c, client.ErrInsufficientBalance, "Insufficient balance", func(c *client.Client) []call {
		return []call{
			{"insufficient balance (add)", "add", func() error {
				_, err := c.Add(ctx, client.AddRequest{Service: dear.Service, Quantity: 1})
				return err
			}, true},
			{"insufficient balance (add_sms)", "add_sms", func() error {
				_, err := c.AddSMS(ctx, client.AddSMSRequest{ProjectID: proj.ProjectID, Quantity: 3})
				return err
			}, true},
		}
	})
	if got := e.srv.BalanceString(); got != bal || e.srv.Stats().OrdersPlaced != 0 || e.srv.Stats().SMSPlaced != 0 {
		t.Fatalf("errors moved money: balance %s, want %s", got, bal)
	}
	return out
}

func TestIntegrationDocumentedErrors(t *testing.T) {
	// 1.00 is less than 3 numbers of any project in the United States and one unit of the
	// dearer products.
	e := newEnv(t, sandbox.Options{Balance: "1.00"})
	errs := documentedErrorCases(t, e, "sbx-Wrong-Key-91c2")
	if len(errs) != 25 {
		t.Fatalf("%d cases", len(errs))
	}
	if n := e.srv.Stats().Requests["invalid"]; n != 2 {
		t.Fatalf("the sandbox saw %d invalid actions, want 2", n)
	}
}

// otherMessageCases makes undocumented refusals happen; each must come through verbatim as an
// *APIError matching no sentinel, and Add/AddSMS must say ErrNotSent.
func otherMessageCases(t *testing.T, e *itEnv) map[string]error {
	t.Helper()
	ctx := itCtx(t)
	all := e.allRows(t, ctx)
	smm := pick(t, all, "an SMM row in stock with min > 1", func(s client.Service) bool {
		return !s.IsProduct() && !s.IsCustomComments() && s.Stock >= s.Min && s.Min > 1
	})
	soldOut := pick(t, all, "a sold-out SMM row", func(s client.Service) bool { return !s.IsProduct() && s.Stock == 0 })
	cc := pick(t, all, "a Custom Comments service", func(s client.Service) bool { return s.IsCustomComments() && s.Min <= 5 && s.Stock >= 10 })
	prod := pick(t, all, "a product in stock", func(s client.Service) bool { return s.IsProduct() && s.Stock >= 1 })
	projects, err := e.c.SMSProjects(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	us := slices.IndexFunc(projects, func(p client.SMSProject) bool { return p.CountryID == "us" })
	gb := slices.IndexFunc(projects, func(p client.SMSProject) bool { return p.CountryID == "gb" })
	// A number to reuse (bought before the cases; the cases must not move money).
	owned, err := e.c.AddSMS(ctx, client.AddSMSRequest{ProjectID: projects[us].ProjectID})
	if err != nil {
		t.Fatal(err)
	}
	bal := e.srv.BalanceString()
	placed := e.srv.Stats()

	link := "https://instagram.com/someone"
	cases := []struct {
		name, msg string
		add       *client.AddRequest
		sms       *client.AddSMSRequest
	}{
		{"below min", fmt.Sprintf("Quantity must be between %d and %d", smm.Min, smm.Max), &client.AddRequest{Service: smm.Service, Quantity: smm.Min - 1, Link: link}, nil},
		{"above max", fmt.Sprintf("Quantity must be between %d and %d", prod.Min, prod.Max), &client.AddRequest{Service: prod.Service, Quantity: prod.Max + 1}, nil},
		{"not enough stock", "Not enough stock", &client.AddRequest{Service: soldOut.Service, Quantity: soldOut.Min, Link: link}, nil},
		{"link required", "Link is required", &client.AddRequest{Service: smm.Service, Quantity: smm.Min}, nil},
		{"comments required", "Comments are required for this service (one per line)", &client.AddRequest{Service: cc.Service, Quantity: 5, Link: link}, nil},
		{"comments count", "Quantity must equal the number of comments (5)", &client.AddRequest{Service: cc.Service, Quantity: 6, Link: link, Comments: "a\nb\nc\nd\ne\n"}, nil},
		{"project not found", "Project not found", nil, &client.AddSMSRequest{ProjectID: "000000000000000000000000"}},
		{"country not found", "Country not found", nil, &client.AddSMSRequest{ProjectID: projects[us].ProjectID, Country: "zz"}},
		{"wrong country", "Project is not available in this country", nil, &client.AddSMSRequest{ProjectID: projects[gb].ProjectID, Country: "us"}},
		{"phone not found", "Phone number not found", nil, &client.AddSMSRequest{ProjectID: projects[us].ProjectID, Phone: "+10000000000"}},
		{"phone of another country", "Phone number does not belong to the project's country", nil, &client.AddSMSRequest{ProjectID: projects[gb].ProjectID, Phone: owned[0].Phone}},
		{"reuse quantity", "Quantity must be 1 when reusing a phone number", nil, &client.AddSMSRequest{ProjectID: projects[us].ProjectID, Phone: owned[0].Phone, Quantity: 2}},
	}
	out := map[string]error{}
	for _, tc := range cases {
		before := e.srv.Stats()
		var err error
		action := "add"
		if tc.add != nil {
			_, err = e.c.Add(ctx, *tc.add)
		} else {
			action = "add_sms"
			_, err = e.c.AddSMS(ctx, *tc.sms)
		}
		ae := apiError(t, tc.name, err, tc.msg)
		if ae.Documented() || ae.Action != action {
			t.Fatalf("%s: %+v", tc.name, ae)
		}
		onlySentinel(t, tc.name, err, nil)
		notPlaced(t, tc.name, err)
		if !strings.Contains(err.Error(), tc.msg) {
			t.Fatalf("%s: %q does not show the server's message", tc.name, err)
		}
		if d := delta(before.Requests, e.srv.Stats().Requests, action); d != 1 {
			t.Fatalf("%s: %d requests", tc.name, d)
		}
		out[tc.name] = err
	}
	if st := e.srv.Stats(); e.srv.BalanceString() != bal || st.OrdersPlaced != placed.OrdersPlaced || st.SMSPlaced != placed.SMSPlaced {
		t.Fatalf("refused orders moved money: %s -> %s", bal, e.srv.BalanceString())
	}
	return out
}

func TestIntegrationOtherMessages(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	if n := len(otherMessageCases(t, e)); n != 12 {
		t.Fatalf("%d cases", n)
	}
}
