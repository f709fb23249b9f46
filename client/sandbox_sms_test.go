package client_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/hstockplus/hstockplus/client"
	"github.com/hstockplus/hstockplus/client/sandbox"
)

// Integration test of SMS numbers end to end against the sandbox (helpers in
// sandbox_helpers_test.go).

func TestIntegrationSMS(t *testing.T) {
	e := newEnv(t, sandbox.Options{Balance: "1000.00"})
	ctx := itCtx(t)

	countries, err := e.c.SMSCountries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(countries) != 20 || !slices.Contains(countries, client.SMSCountry{Code: "us", Name: "United States"}) {
		t.Fatalf("countries %+v", countries)
	}
	ja, err := e.newClient(t, client.WithLang("ja")).SMSCountries(ctx)
	if err != nil || len(ja) != len(countries) {
		t.Fatalf("ja countries %v %+v", err, ja)
	}
	translated := 0
	for i := range ja {
		if ja[i].Code != countries[i].Code || ja[i].Name == "" {
			t.Fatalf("ja country %+v vs %+v", ja[i], countries[i])
		}
		if ja[i].Name != countries[i].Name {
			translated++
		}
	}
	if translated == 0 {
		t.Fatal("no country name translated into ja")
	}

	every, err := e.c.SMSProjects(ctx, "")
	if err != nil || len(every) != 20*15 {
		t.Fatalf("all projects: %v, %d", err, len(every))
	}
	projects := map[string][]client.SMSProject{}
	for _, cc := range []string{"us", "gb"} {
		ps, err := e.c.SMSProjects(ctx, cc)
		if err != nil || len(ps) != 15 {
			t.Fatalf("%s projects: %v %d", cc, err, len(ps))
		}
		for _, p := range ps {
			if p.CountryID != cc || !hex24.MatchString(p.ProjectID) || !p.Price.IsPositive() || p.Price.Scale() != 4 || p.Name == "" || p.CountryTitle == "" {
				t.Fatalf("project %+v", p)
			}
		}
		projects[cc] = ps
	}
	us, gb := projects["us"], projects["gb"]
	if us[0].ProjectID == gb[0].ProjectID || us[0].Name != gb[0].Name {
		t.Fatalf("projects are per country: %+v %+v", us[0], gb[0])
	}
	ruProj, err := e.newClient(t, client.WithLang("ru")).SMSProjects(ctx, "us")
	if err != nil || ruProj[0].ProjectID != us[0].ProjectID || ruProj[0].CountryTitle == us[0].CountryTitle {
		t.Fatalf("ru projects: %v %+v", err, ruProj)
	}

	p, p2 := us[0], us[1]
	t0 := e.clk.Now()
	bal := e.balance(t, ctx)
	spent := decimal.Zero
	buy := func(r client.AddSMSRequest, n int, price client.Decimal) []client.SMSOrder {
		t.Helper()
		before := e.srv.Stats()
		got, err := e.c.AddSMS(ctx, r)
		if err != nil {
			t.Fatalf("AddSMS %+v: %v", r, err)
		}
		if len(got) != n {
			t.Fatalf("AddSMS %+v: %d numbers, want %d", r, len(got), n)
		}
		after := e.srv.Stats()
		if delta(before.Requests, after.Requests, "add_sms") != 1 || after.SMSPlaced-before.SMSPlaced != n {
			t.Fatalf("AddSMS %+v: sandbox stats %+v", r, after)
		}
		for _, o := range got {
			if o.Order <= 0 || !strings.HasPrefix(o.Phone, "+1") || o.Country != "us" || o.Status != "active" {
				t.Fatalf("number %+v", o)
			}
		}
		spent = spent.Add(price.Mul(decimal.NewFromInt(int64(n))))
		sameDecimal(t, "balance after AddSMS", e.balance(t, ctx), bal.Sub(spent))
		return got
	}
	five := buy(client.AddSMSRequest{ProjectID: p.ProjectID, Quantity: 5, Country: "us"}, 5, p.Price) // the 5th never gets a code
	one := buy(client.AddSMSRequest{ProjectID: p.ProjectID}, 1, p.Price)                              // quantity 0: the server's 1
	ten := buy(client.AddSMSRequest{ProjectID: p.ProjectID, Quantity: client.MaxSMSQuantity, Country: "US"}, 10, p.Price)
	reuse := buy(client.AddSMSRequest{ProjectID: p2.ProjectID, Phone: five[0].Phone}, 1, p2.Price) // another project, same number
	if reuse[0].Phone != five[0].Phone {
		t.Fatalf("reused %s, got %s", five[0].Phone, reuse[0].Phone)
	}
	phones := map[string]bool{}
	for _, o := range slices.Concat(five, one, ten) {
		if phones[o.Phone] {
			t.Fatalf("number %s sold twice", o.Phone)
		}
		phones[o.Phone] = true
	}

	// 11 numbers are refused before sending.
	before := e.srv.Stats().Requests["add_sms"]
	_, err = e.c.AddSMS(ctx, client.AddSMSRequest{ProjectID: p.ProjectID, Quantity: client.MaxSMSQuantity + 1})
	notPlaced(t, "11 numbers", err)
	if !errors.Is(err, client.ErrInvalidArgument) || e.srv.Stats().Requests["add_sms"] != before {
		t.Fatalf("11 numbers: %v, sent: %v", err, e.srv.Stats().Requests["add_sms"] != before)
	}

	// Right after the order: active, no code yet.
	st, err := e.c.SMSStatus(ctx, five[0].Order)
	if err != nil {
		t.Fatal(err)
	}
	if st.Status != "active" || st.Phone != five[0].Phone || st.Code != "" || st.Currency != "USD" ||
		st.Charge.String() != p.Price.String() || !st.ExpiresAt.Equal(t0.Add(sandbox.SMSLifetime)) || st.Expired(e.clk.Now()) {
		t.Fatalf("new number: %+v", st)
	}
	code, err := e.c.SMSCode(ctx, five[0].Order)
	if err != nil || code.Received() || code.Status != "waiting" || code.Message != "Waiting for code" {
		t.Fatalf("code at once: %v %+v", err, code)
	}
	e.clk.Advance(3 * time.Second)
	if st, err := e.c.SMSStatus(ctx, five[0].Order); err != nil || st.Status != "waiting" {
		t.Fatalf("after 3s: %v %+v", err, st)
	}

	// Poll sms_code, one simulated second at a time, until the code comes.
	for range 20 {
		if code, err = e.c.SMSCode(ctx, five[0].Order); err != nil {
			t.Fatal(err)
		}
		if code.Received() {
			break
		}
		e.clk.Advance(time.Second)
	}
	if !code.Received() || code.Status != "completed" || !digits6.MatchString(code.Code) ||
		code.SMSContent != "Your OpenAI verification code is "+code.Code {
		t.Fatalf("code: %+v", code)
	}

	// By 16 s every number has its code but the 5th.
	e.clk.Advance(t0.Add(16 * time.Second).Sub(e.clk.Now()))
	for i, o := range slices.Concat(five, one, ten, reuse) {
		n := i + 1 // the n-th number bought
		st, err := e.c.SMSStatus(ctx, o.Order)
		if err != nil {
			t.Fatal(err)
		}
		c, err := e.c.SMSCode(ctx, o.Order)
		if err != nil {
			t.Fatal(err)
		}
		if n%5 == 0 && o.Order != reuse[0].Order {
			if st.Status != "waiting" || st.Code != "" || c.Received() || c.Status != "waiting" {
				t.Fatalf("number %d (never gets a code): %+v %+v", n, st, c)
			}
			continue
		}
		if st.Status != "code_received" || !digits6.MatchString(st.Code) || c.Code != st.Code || c.Status != "completed" {
			t.Fatalf("number %d: %+v %+v", n, st, c)
		}
	}

	// After 20 minutes every number has expired; no money comes back.
	e.clk.Advance(sandbox.SMSLifetime)
	for i, o := range []client.SMSOrder{five[0], five[4]} {
		st, err := e.c.SMSStatus(ctx, o.Order)
		if err != nil {
			t.Fatal(err)
		}
		if st.Status != "expired" || !st.Expired(e.clk.Now()) || !st.Expired(st.ExpiresAt) || st.Expired(st.ExpiresAt.Add(-time.Millisecond)) {
			t.Fatalf("number %d after expiry: %+v", i, st)
		}
		c, err := e.c.SMSCode(ctx, o.Order)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 && (c.Status != "completed" || c.Code != code.Code || st.Code != code.Code) {
			t.Fatalf("expired number keeps its code: %+v %+v", st, c)
		}
		if i == 1 && (c.Status != "expired" || c.Received() || st.Code != "") {
			t.Fatalf("expired without a code: %+v %+v", st, c)
		}
	}
	sameDecimal(t, "balance after expiry", e.balance(t, ctx), bal.Sub(spent))
	sameDecimal(t, "money spent", spent, p.Price.Mul(decimal.NewFromInt(16)).Add(p2.Price.Decimal))
}
