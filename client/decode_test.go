package client

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestDecodeServicesNewer(t *testing.T) {
	pg, err := decodeServicesPage([]byte(newerServices), "services")
	if err != nil {
		t.Fatal(err)
	}
	want := &ServicesPage{
		Services: []Service{
			{ID: "507f1f77bcf86cd799439011", Service: 1, Name: "Instagram Followers", Type: "Default",
				Category: "Instagram", Rate: MustDecimal("0.50"), Min: 100, Max: 10000, Refill: true,
				Stock: 10000, EntityType: EntitySMM, AutoDelivery: true},
			{ID: "507f1f77bcf86cd799439012", Service: 2, Name: "Gmail Account - USA", Type: "Default",
				Category: "Accounts-Email", Rate: MustDecimal("25.00"), Min: 1, Max: 50, Stock: 50,
				EntityType: EntityProduct, AutoDelivery: true,
				Description: "Verified Gmail account with recovery email",
				ImageURL:    "https://example.com/uploads/products/gmail.webp"},
		},
		Page: Page{Total: 150, Page: 1, Limit: 50, TotalPages: 3},
	}
	if !reflect.DeepEqual(pg, want) {
		t.Fatalf("got  %+v\nwant %+v", pg, want)
	}
	if pg.Services[0].Rate.String() != "0.50" || pg.Services[1].Rate.String() != "25.00" {
		t.Error("rate scale lost")
	}
	if pg.Services[0].IsProduct() || !pg.Services[1].IsProduct() {
		t.Error("IsProduct")
	}
}

func TestDecodeServicesOlder(t *testing.T) {
	pg, err := decodeServicesPage([]byte(olderServices), "services")
	if err != nil {
		t.Fatal(err)
	}
	if len(pg.Services) != 2 || pg.Total != 150 || pg.TotalPages != 3 {
		t.Fatalf("page = %+v", pg)
	}
	s := pg.Services[1]
	if s.ID != "" || s.EntityType != "" || !s.AutoDelivery || s.IsProduct() || !s.IsCustomComments() ||
		s.Service != 2 || s.Rate.String() != "5.00" || s.Min != 10 || s.Max != 1000 || s.Stock != 1000 {
		t.Fatalf("older row = %+v", s)
	}
}

func TestDecodeServicesTolerant(t *testing.T) {
	// Numbers as strings and strings as numbers, booleans as strings and numbers, snake_case.
	body := `{"services":[{"_id":"abc","service":"7","name":123,"type":"Default","category":"X","subcategory":"Y",
	  "rate":0.5,"min":"100","max":"1e4","stock":"10000.0","refill":"true","cancel":1,
	  "entity_type":"product","auto_delivery":"0","image_url":"u","extra":{"nested":[1,2]}}],
	  "total":"1","page":"1","limit":"0","totalPages":"1"}`
	pg, err := decodeServicesPage([]byte(body), "services")
	if err != nil {
		t.Fatal(err)
	}
	s := pg.Services[0]
	want := Service{ID: "abc", Service: 7, Name: "123", Type: "Default", Category: "X", Subcategory: "Y",
		Rate: MustDecimal("0.5"), Min: 100, Max: 10000, Stock: 10000, Refill: true, Cancel: true,
		EntityType: EntityProduct, AutoDelivery: false, ImageURL: "u"}
	if !reflect.DeepEqual(s, want) {
		t.Fatalf("got  %+v\nwant %+v", s, want)
	}
	if pg.Page != (Page{Total: 1, Page: 1, Limit: 0, TotalPages: 1}) {
		t.Errorf("page = %+v", pg.Page)
	}

	// Bare array (older published shape): one page holding everything.
	pg, err = decodeServicesPage([]byte(`[{"service":1,"rate":"0.50"},{"service":2,"rate":"1"}]`), "services")
	if err != nil || len(pg.Services) != 2 || pg.Page != (Page{Total: 2, Page: 1, Limit: 2, TotalPages: 1}) {
		t.Fatalf("bare array: %+v, %v", pg, err)
	}
	// Products: "products" envelope, "services" accepted too; empty and null lists.
	for _, b := range []string{`{"products":[{"service":3}]}`, `{"services":[{"service":3}]}`, `{"data":[{"service":3}]}`} {
		pg, err := decodeServicesPage([]byte(b), "products")
		if err != nil || len(pg.Services) != 1 || pg.Services[0].Service != 3 {
			t.Errorf("products %s: %+v, %v", b, pg, err)
		}
	}
	for _, b := range []string{`{"services":[],"total":0}`, `{"services":null}`, `[]`} {
		pg, err := decodeServicesPage([]byte(b), "services")
		if err != nil || pg.Services == nil && b != `[]` || len(pg.Services) != 0 || pg.TotalPages != 0 {
			t.Errorf("empty %s: %+v, %v", b, pg, err)
		}
	}
}

func TestDecodeMalformed(t *testing.T) {
	decoders := map[string]func([]byte) error{
		"services":     func(b []byte) error { _, err := decodeServicesPage(b, "services"); return err },
		"categories":   func(b []byte) error { _, err := decodeCategories(b); return err },
		"shops":        func(b []byte) error { _, err := decodeShopsPage(b); return err },
		"inventory":    func(b []byte) error { _, err := decodeInventory(b); return err },
		"balance":      func(b []byte) error { _, err := decodeBalance(b); return err },
		"add":          func(b []byte) error { _, err := decodeAddResult(b); return err },
		"status":       func(b []byte) error { _, err := decodeOrderStatus(b); return err },
		"smsCountries": func(b []byte) error { _, err := decodeSMSCountries(b); return err },
		"smsProjects":  func(b []byte) error { _, err := decodeSMSProjects(b); return err },
		"addSMS":       func(b []byte) error { _, err := decodeSMSOrders(b); return err },
		"smsCode":      func(b []byte) error { _, err := decodeSMSCode(b); return err },
		"smsStatus":    func(b []byte) error { _, err := decodeSMSStatus(b); return err },
	}
	for name, dec := range decoders {
		for _, b := range []string{``, `"x"`, `42`, `true`, `null`, `{"services": 5, "categories": 5, "shops": 5, "orders": 5, "countries": 5, "projects": 5, "status": [], "order": "x", "balance": {}, "stock": {}, "code": {}, "charge": "abc"}`} {
			err := dec([]byte(b))
			if err == nil {
				t.Errorf("%s(%q): no error", name, b)
				continue
			}
			if !errors.Is(err, ErrMalformedResponse) {
				t.Errorf("%s(%q): %v is not ErrMalformedResponse", name, b, err)
			}
		}
	}
	// Required fields.
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"balance", func() error { _, err := decodeBalance([]byte(`{"currency":"USD"}`)); return err }()},
		{"balance null", func() error { _, err := decodeBalance([]byte(`{"balance":null}`)); return err }()},
		{"add", func() error { _, err := decodeAddResult([]byte(`{"status":"ok"}`)); return err }()},
		{"add zero", func() error { _, err := decodeAddResult([]byte(`{"order":0}`)); return err }()},
		{"status", func() error { _, err := decodeOrderStatus([]byte(`{"charge":"1"}`)); return err }()},
		{"add_sms empty", func() error { _, err := decodeSMSOrders([]byte(`{"orders":[]}`)); return err }()},
		{"add_sms no id", func() error { _, err := decodeSMSOrders([]byte(`{"orders":[{"phone":"+1"}]}`)); return err }()},
		{"services no list", func() error { _, err := decodeServicesPage([]byte(`{"total":3}`), "services"); return err }()},
		{"bad rate", func() error {
			_, err := decodeServicesPage([]byte(`{"services":[{"rate":"`+testKey+`"}]}`), "services")
			return err
		}()},
	} {
		if !errors.Is(tc.err, ErrMalformedResponse) {
			t.Errorf("%s: %v", tc.name, tc.err)
		}
		if tc.err != nil && strings.Contains(tc.err.Error(), testKey) {
			t.Errorf("%s: decoder error quotes a value: %v", tc.name, tc.err)
		}
	}
}

func TestDecodeCategories(t *testing.T) {
	want := []Category{
		{Category: "Instagram", Subcategories: []string{"Followers", "Comments", "Likes"}},
		{Category: "Email Accounts", Subcategories: []string{"Gmail", "Outlook"}},
	}
	got, err := decodeCategories([]byte(newerCategories))
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, %v", got, err)
	}
	got, err = decodeCategories([]byte(`[{"name":"A","subcategories":null},"B",{"category":"C","subcategories":["x",2]}]`))
	want = []Category{{Category: "A"}, {Category: "B"}, {Category: "C", Subcategories: []string{"x", "2"}}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("tolerant: got %+v, %v", got, err)
	}
}

func TestDecodeShops(t *testing.T) {
	pg, err := decodeShopsPage([]byte(specShops))
	want := &ShopsPage{Shops: []Shop{{ID: "6650aa", Name: "Sh***1", ProductCount: 12, Rating: 4.5, ReviewCount: 8}},
		Page: Page{Total: 1, Page: 1, Limit: 20, TotalPages: 1}}
	if err != nil || !reflect.DeepEqual(pg, want) {
		t.Fatalf("got %+v, %v", pg, err)
	}
	for _, b := range []string{
		`{"shops":[{"_id":"s1","name":"A","products":3,"rating":"4.25","reviews":7}]}`,
		`{"shops":[{"shopId":"s1","name":"A","product_count":"3","rating":4.25,"review_count":"7","x":{}}]}`,
		`{"shops":[{"shop_id":"s1","name":"A","products":[{},{},{}],"rating":"4.25","reviews":[1,2,3,4,5,6,7]}]}`,
		`[{"id":"s1","name":"A","productCount":3,"rating":4.25,"reviewCount":7}]`,
	} {
		pg, err := decodeShopsPage([]byte(b))
		if err != nil || len(pg.Shops) != 1 {
			t.Errorf("%s: %+v, %v", b, pg, err)
			continue
		}
		if got := pg.Shops[0]; got != (Shop{ID: "s1", Name: "A", ProductCount: 3, Rating: 4.25, ReviewCount: 7}) {
			t.Errorf("%s: %+v", b, got)
		}
		if pg.Total != 1 || pg.Page.Page != 1 || pg.TotalPages != 1 {
			t.Errorf("%s: page %+v", b, pg.Page)
		}
	}
}

func TestDecodeInventory(t *testing.T) {
	inv, err := decodeInventory([]byte(newerInventorySMM))
	if err != nil || inv.Rate.String() != "0.5000" || inv.EntityType != EntitySMM || !inv.AutoDelivery ||
		!inv.Available || inv.Stock != 10000 || inv.Subproducts != nil {
		t.Fatalf("smm: %+v, %v", inv, err)
	}
	inv, err = decodeInventory([]byte(newerInventoryProduct))
	want := &Inventory{Service: 23501, Stock: 42, Available: true, Rate: MustDecimal("25.0000"), RateKnown: true, Min: 1, Max: 42,
		EntityType: EntityProduct, AutoDelivery: true, Subproducts: []Subproduct{
			{SubproductID: "674a1f77bcf86cd799439011", Name: "1 Month", Stock: 42},
			{SubproductID: "674a1f77bcf86cd799439012", Name: "3 Months", Stock: 0},
		}}
	if err != nil || !reflect.DeepEqual(inv, want) || !inv.IsProduct() {
		t.Fatalf("product: %+v, %v", inv, err)
	}
	inv, err = decodeInventory([]byte(olderInventory))
	if err != nil || !reflect.DeepEqual(*inv, Inventory{Service: 23501, Stock: 42, Available: true, AutoDelivery: true}) {
		t.Fatalf("older: %+v, %v", inv, err)
	}
	inv, err = decodeInventory([]byte(`{"service":"5","stock":"0","autoDelivery":false,"subproducts":[{"id":"x","name":"v","stock":"2","price":"1.50"}]}`))
	if err != nil || inv.Available || inv.AutoDelivery || inv.Subproducts[0].SubproductID != "x" || inv.Subproducts[0].Rate.String() != "1.50" {
		t.Fatalf("tolerant: %+v, %v", inv, err)
	}
}

func TestDecodeBalanceAddStatus(t *testing.T) {
	bal, err := decodeBalance([]byte(docBalance))
	if err != nil || bal.Balance.String() != "100.00" || bal.Currency != "USD" {
		t.Fatalf("balance: %+v, %v", bal, err)
	}
	bal, err = decodeBalance([]byte(`{"balance": 12.5, "currency": "EUR"}`))
	if err != nil || bal.Balance.String() != "12.5" {
		t.Fatalf("numeric balance: %+v, %v", bal, err)
	}
	for _, b := range []string{docAdd, `{"order":"23501"}`, `{"order":23501.0}`} {
		r, err := decodeAddResult([]byte(b))
		if err != nil || r.Order != 23501 {
			t.Errorf("add %s: %+v, %v", b, r, err)
		}
	}
	st, err := decodeOrderStatus([]byte(newerStatus))
	if err != nil || st.Status != StatusInProgress || st.Charge.String() != "5.00" || st.StartCount != 1000 ||
		st.Remains != 500 || st.Currency != "USD" || !st.AutoDelivery || st.Status.Terminal() {
		t.Fatalf("status: %+v, %v", st, err)
	}
	st, err = decodeOrderStatus([]byte(newerStatusProduct))
	if err != nil || st.Status != StatusCompleted || !st.Status.Terminal() || st.EntityType != EntityProduct ||
		!reflect.DeepEqual(st.Accounts, []string{"user1:pass1", "user2:pass2"}) || st.Charge.String() != "10.00" {
		t.Fatalf("product status: %+v, %v", st, err)
	}
	st, err = decodeOrderStatus([]byte(olderStatus))
	if err != nil || !st.AutoDelivery || st.EntityType != "" || st.Accounts != nil {
		t.Fatalf("older status: %+v, %v", st, err)
	}
	st, err = decodeOrderStatus([]byte(`{"status":"Partial","charge":2.5,"start_count":"10","remains":"3","autoDelivery":"false","accounts":"a:b\r\nc:d\n\n"}`))
	if err != nil || st.AutoDelivery || st.StartCount != 10 || st.Remains != 3 || !reflect.DeepEqual(st.Accounts, []string{"a:b", "c:d"}) {
		t.Fatalf("tolerant status: %+v, %v", st, err)
	}
	st, err = decodeOrderStatus([]byte(`{"status":"Completed","accounts":[{"login":"a","password":"b"},7,null]}`))
	if err != nil || !reflect.DeepEqual(st.Accounts, []string{`{"login":"a","password":"b"}`, "7"}) {
		t.Fatalf("object accounts: %+v, %v", st, err)
	}
}

func TestStatusTerminal(t *testing.T) {
	for s, want := range map[Status]bool{
		StatusPending: false, StatusInProgress: false, StatusProcessing: false,
		StatusCompleted: true, StatusPartial: true, StatusCanceled: true, StatusCancelled: true,
		"completed": true, " CANCELED ": true, "Refunded": false, "": false,
	} {
		if s.Terminal() != want {
			t.Errorf("%q.Terminal() = %v", s, !want)
		}
	}
	if StatusInProgress.String() != "In progress" {
		t.Error("String")
	}
}

func TestDecodeSMS(t *testing.T) {
	cs, err := decodeSMSCountries([]byte(docSMSCountries))
	if err != nil || !reflect.DeepEqual(cs, []SMSCountry{{"us", "United States"}, {"gb", "United Kingdom"}}) {
		t.Fatalf("countries: %+v, %v", cs, err)
	}
	for _, b := range []string{`{"countries":[{"code":"us","name":"United States"}]}`, `{"sms_countries":[{"id":"us","title":"United States"}]}`} {
		cs, err := decodeSMSCountries([]byte(b))
		if err != nil || !reflect.DeepEqual(cs, []SMSCountry{{"us", "United States"}}) {
			t.Errorf("countries %s: %+v, %v", b, cs, err)
		}
	}
	ps, err := decodeSMSProjects([]byte(docSMSProjects))
	want := []SMSProject{{ProjectID: "65f...", Name: "OpenAI / ChatGPT", Price: MustDecimal("0.5000"), CountryID: "us", CountryTitle: "United States"}}
	if err != nil || !reflect.DeepEqual(ps, want) || ps[0].Price.String() != "0.5000" {
		t.Fatalf("projects: %+v, %v", ps, err)
	}
	ps, err = decodeSMSProjects([]byte(`{"projects":[{"id":"p1","name":"X","price":0.25,"country_id":"gb"}]}`))
	if err != nil || len(ps) != 1 || ps[0].ProjectID != "p1" || ps[0].Price.String() != "0.25" {
		t.Fatalf("enveloped projects: %+v, %v", ps, err)
	}
	os, err := decodeSMSOrders([]byte(docAddSMS))
	if err != nil || !reflect.DeepEqual(os, []SMSOrder{{Order: 12345, Phone: "+1234567890", Country: "us", Status: "active"}}) {
		t.Fatalf("orders: %+v, %v", os, err)
	}
	os, err = decodeSMSOrders([]byte(`{"order":"9","phone":1234567890}`))
	if err != nil || len(os) != 1 || os[0].Order != 9 || os[0].Phone != "1234567890" {
		t.Fatalf("single order: %+v, %v", os, err)
	}
	code, err := decodeSMSCode([]byte(docSMSCodeCompleted))
	if err != nil || !code.Received() || code.Code != "123456" || code.SMSContent != "Your verification code is 123456" {
		t.Fatalf("code: %+v, %v", code, err)
	}
	code, err = decodeSMSCode([]byte(docSMSCodeWaiting))
	if err != nil || code.Received() || code.Status != "waiting" || code.Message != "Waiting for code" {
		t.Fatalf("waiting: %+v, %v", code, err)
	}
	code, err = decodeSMSCode([]byte(`{"status":"completed","code":123456}`))
	if err != nil || code.Code != "123456" {
		t.Fatalf("numeric code: %+v, %v", code, err)
	}
	st, err := decodeSMSStatus([]byte(docSMSStatus))
	if err != nil || st.Status != "code_received" || st.Code != "123456" || st.Charge.String() != "0.5000" ||
		!st.ExpiresAt.Equal(time.Date(2023, 1, 1, 12, 0, 0, 0, time.UTC)) {
		t.Fatalf("sms status: %+v, %v", st, err)
	}
	if !st.Expired(time.Date(2023, 1, 1, 12, 0, 0, 0, time.UTC)) || st.Expired(time.Date(2023, 1, 1, 11, 59, 0, 0, time.UTC)) {
		t.Error("Expired")
	}
	for b, want := range map[string]time.Time{
		`{"expires_at": 1672574400}`:                  time.Unix(1672574400, 0),
		`{"expires_at": "1672574400"}`:                time.Unix(1672574400, 0),
		`{"expires_at": 1672574400000}`:               time.Unix(1672574400, 0),
		`{"expires_at": "2023-01-01T12:00:00Z"}`:      time.Unix(1672574400, 0),
		`{"expires_at": "2023-01-01T14:00:00+02:00"}`: time.Unix(1672574400, 0),
		`{"expires_at": "2023-01-01 12:00:00"}`:       time.Unix(1672574400, 0),
		`{"expiresAt": "2023-01-01T12:00:00.000Z"}`:   time.Unix(1672574400, 0),
		`{"expires_at": "soon"}`:                      {},
		`{"expires_at": null}`:                        {},
		`{"expires_at": {"a":1}}`:                     {},
		`{"expires_at": -5}`:                          {},
		`{}`:                                          {},
	} {
		st, err := decodeSMSStatus([]byte(b))
		if err != nil || !st.ExpiresAt.Equal(want) {
			t.Errorf("%s: %v, %v (want %v)", b, st.ExpiresAt, err, want)
		}
		if want.IsZero() && (!st.ExpiresAt.IsZero() || st.Expired(time.Now())) {
			t.Errorf("%s: expiry should be zero", b)
		}
	}
}

func TestDecodeErrorEnvelope(t *testing.T) {
	for _, b := range docErrors {
		msg, ok := decodeErrorEnvelope([]byte(b))
		if !ok || msg == "" {
			t.Errorf("%s: not an error", b)
		}
	}
	for b, want := range map[string]string{
		`{"error":"Rate limit exceeded"}`:                         "Rate limit exceeded",
		`{"error":{"message":"deep","code":5}}`:                   "deep",
		`{"error":{"code":5}}`:                                    `{"code":5}`,
		`{"error":true,"message":"bad things"}`:                   "bad things",
		`{"error":true}`:                                          "unspecified error",
		`{"error":404}`:                                           "404",
		`{"error":["a","b"]}`:                                     `["a","b"]`,
		`{"Error":"case"}`:                                        "case",
		`{"status":"x","error":"with data","services":[1,2,3]}  `: "with data",
	} {
		msg, ok := decodeErrorEnvelope([]byte(b))
		if !ok || msg != want {
			t.Errorf("%s: %q, %v; want %q", b, msg, ok, want)
		}
	}
	for _, b := range []string{`{"error":null}`, `{"error":""}`, `{"error":"  "}`, `{"error":false}`, `{"order":1}`,
		`[{"error":"x"}]`, `"error"`, ``, `{"error":`, `<html>error</html>`} {
		if msg, ok := decodeErrorEnvelope([]byte(b)); ok {
			t.Errorf("%s: taken as error %q", b, msg)
		}
	}
}

// Models marshalled by this package (by a cache, say) decode back to the same values.
func TestModelsJSONRoundTrip(t *testing.T) {
	pg, err := decodeServicesPage([]byte(newerServices), "services")
	if err != nil {
		t.Fatal(err)
	}
	inv, _ := decodeInventory([]byte(newerInventoryProduct))
	st, _ := decodeOrderStatus([]byte(newerStatusProduct))
	sms, _ := decodeSMSStatus([]byte(docSMSStatus))
	ps, _ := decodeSMSProjects([]byte(docSMSProjects))
	shops, _ := decodeShopsPage([]byte(specShops))
	manual := Service{Service: 9, Rate: MustDecimal("1.0000"), EntityType: EntityProduct, AutoDelivery: false}
	for _, v := range []any{pg, inv, st, sms, ps, shops, &manual, &Balance{MustDecimal("100.00"), "USD"},
		&SMSCode{Status: "completed", Code: "0042"}, []SMSCountry{{"us", "United States"}}, &AddResult{Order: 5},
		[]SMSOrder{{Order: 1, Phone: "+1"}}, []Category{{Category: "A", Subcategories: []string{"b"}}}} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("%T: %v", v, err)
		}
		back := reflect.New(reflect.TypeOf(v)).Interface()
		if err := json.Unmarshal(b, back); err != nil {
			t.Fatalf("%T: %v", v, err)
		}
		if got := reflect.ValueOf(back).Elem().Interface(); !reflect.DeepEqual(got, v) {
			t.Errorf("%T round trip:\n got %+v\nwant %+v\njson %s", v, got, v, b)
		}
	}
}
