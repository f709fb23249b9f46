package client

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"
)

// Fuzz targets for every response decoder: none may panic, hang or fail without
// ErrMalformedResponse. Seeds are the documents' examples and tolerated variants.

// addSeeds adds the common hostile seeds and the given examples.
func addSeeds(f *testing.F, examples ...string) {
	for _, e := range examples {
		f.Add([]byte(e))
	}
	for _, e := range []string{``, `null`, `{}`, `[]`, `"x"`, `0`, `{"error":"Invalid API key"}`, `[null]`, `[{}]`,
		`{"a":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`, `[1e999999999]`, `{"rate":"1e999999999"}`} {
		f.Add([]byte(e))
	}
}

// checkDecoded enforces the decoders' contract on one result.
func checkDecoded(t *testing.T, isNil bool, err error) {
	t.Helper()
	if err != nil {
		if !errors.Is(err, ErrMalformedResponse) {
			t.Fatalf("error %v is not ErrMalformedResponse", err)
		}
		return
	}
	if isNil {
		t.Fatal("nil result without an error")
	}
}

func FuzzDecodeServicesPage(f *testing.F) {
	addSeeds(f, newerServices, olderServices, `[{"service":"1","rate":0.5,"refill":"1"}]`,
		`{"products":[{"_id":"x","service":2,"entity_type":"product","autoDelivery":"false"}],"total":"1"}`,
		`{"services":null,"total_pages":"3"}`)
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, key := range []string{"services", "products"} {
			pg, err := decodeServicesPage(b, key)
			checkDecoded(t, pg == nil, err)
			if err == nil {
				for _, s := range pg.Services {
					if _, ok := s.EstimateCost(1000); ok != s.PriceKnown() {
						t.Fatal("EstimateCost ok disagrees with PriceKnown")
					}
					_ = s.Rate.String()
				}
				// What we decoded marshals and decodes back.
				out, err := json.Marshal(pg)
				if err != nil {
					t.Fatalf("marshal: %v", err)
				}
				if _, err := decodeServicesPage(out, "services"); err != nil {
					t.Fatalf("re-decode %s: %v", out, err)
				}
			}
		}
	})
}

func FuzzDecodeCategories(f *testing.F) {
	addSeeds(f, newerCategories, `["A","B"]`, `{"categories":[{"name":"A","subcategories":"x\ny"}]}`)
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := decodeCategories(b)
		if err != nil && !errors.Is(err, ErrMalformedResponse) {
			t.Fatal(err)
		}
		_ = v
	})
}

func FuzzDecodeShops(f *testing.F) {
	addSeeds(f, specShops, `{"shops":[{"_id":"s","products":[1,2],"rating":"4.5","reviews":"3"}]}`, `[{"shopId":"x"}]`)
	f.Fuzz(func(t *testing.T, b []byte) {
		pg, err := decodeShopsPage(b)
		checkDecoded(t, pg == nil, err)
	})
}

func FuzzDecodeInventory(f *testing.F) {
	addSeeds(f, newerInventorySMM, newerInventoryProduct, olderInventory,
		`{"service":"1","available":"yes","subproducts":[{"subproduct_id":1,"price":"0.50"}]}`)
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := decodeInventory(b)
		checkDecoded(t, v == nil, err)
	})
}

func FuzzDecodeOrderStatus(f *testing.F) {
	addSeeds(f, newerStatus, newerStatusProduct, olderStatus,
		`{"status":"Partial","accounts":"a:b\nc:d","start_count":"5"}`, `{"status":"Completed","accounts":[{"l":"a"},1,null]}`)
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := decodeOrderStatus(b)
		checkDecoded(t, v == nil, err)
		if err == nil {
			_ = v.Status.Terminal()
		}
	})
}

func FuzzDecodeSMSLists(f *testing.F) {
	addSeeds(f, docSMSCountries, docSMSProjects, `{"countries":[{"code":"us"}]}`, `{"projects":[{"id":1,"price":0.5}]}`)
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, err := decodeSMSCountries(b); err != nil && !errors.Is(err, ErrMalformedResponse) {
			t.Fatal(err)
		}
		if _, err := decodeSMSProjects(b); err != nil && !errors.Is(err, ErrMalformedResponse) {
			t.Fatal(err)
		}
	})
}

func FuzzDecodeSMSCode(f *testing.F) {
	addSeeds(f, docSMSCodeCompleted, docSMSCodeWaiting, `{"code":123456}`)
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := decodeSMSCode(b)
		checkDecoded(t, v == nil, err)
		if err == nil {
			_ = v.Received()
		}
	})
}

func FuzzDecodeSMSStatus(f *testing.F) {
	addSeeds(f, docSMSStatus, `{"expires_at":1672574400}`, `{"expires_at":"1672574400000"}`, `{"expires_at":1e308}`,
		`{"expires_at":"2023-01-01 12:00:00"}`, `{"expires_at":-1e308}`)
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := decodeSMSStatus(b)
		checkDecoded(t, v == nil, err)
	})
}

func FuzzDecodeBalance(f *testing.F) {
	addSeeds(f, docBalance, `{"balance":12.5}`, `{"balance":null}`)
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := decodeBalance(b)
		checkDecoded(t, v == nil, err)
	})
}

func FuzzDecodeAdd(f *testing.F) {
	addSeeds(f, docAdd, `{"order":"23501"}`, `{"order":23501.0}`, `{"order":-1}`)
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := decodeAddResult(b)
		checkDecoded(t, v == nil, err)
		if err == nil && v.Order <= 0 {
			t.Fatalf("order %d accepted", v.Order)
		}
	})
}

func FuzzDecodeAddSMS(f *testing.F) {
	addSeeds(f, docAddSMS, `[{"order":1}]`, `{"order":"7","phone":123}`, `{"orders":[]}`)
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := decodeSMSOrders(b)
		checkDecoded(t, v == nil, err)
		if err == nil {
			for _, o := range v {
				if o.Order <= 0 {
					t.Fatalf("order %d accepted", o.Order)
				}
			}
		}
	})
}

func FuzzDecodeErrorEnvelope(f *testing.F) {
	addSeeds(f, append(docErrors, `{"error":{"message":"m"}}`, `{"error":true,"message":"x"}`, `{"error":["a"]}`,
		`{"error":null}`, `{"error":""}`)...)
	f.Fuzz(func(t *testing.T, b []byte) {
		msg, ok := decodeErrorEnvelope(b)
		if ok && strings.TrimSpace(msg) == "" {
			t.Fatal("an error without a message")
		}
		if !ok && msg != "" {
			t.Fatal("a message without an error")
		}
	})
}

// FuzzInterpret drives the whole answer path (status, body) with a key-echo check: whatever the
// server says, the error never shows the key and excerpts stay short.
func FuzzInterpret(f *testing.F) {
	for _, s := range []string{newerServices, html502, ``, `{"error":"` + testKey + `"}`, `{"order":1}`, testKey} {
		f.Add(200, []byte(s))
		f.Add(502, []byte(s))
		f.Add(429, []byte(s))
	}
	c, err := New(WithAPIKey(testKey))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, status int, b []byte) {
		r := &response{status: status, header: http.Header{}, body: b}
		err := c.interpret("services", r)
		if err == nil {
			_, err = decodeServicesPage(b, "services")
			if err != nil {
				err = c.decodeError("services", r, err)
			}
		}
		if err == nil {
			return
		}
		if strings.Contains(err.Error(), testKey) {
			t.Fatalf("key in %q", err)
		}
		var te *TransportError
		if errors.As(err, &te) && utf8.RuneCountInString(te.Excerpt) > maxExcerptRunes+len(redactedMark) {
			t.Fatalf("excerpt of %d runes", utf8.RuneCountInString(te.Excerpt))
		}
	})
}

func FuzzParseDecimal(f *testing.F) {
	for _, s := range []string{"0.50", "25.0000", "-3", "1e3", "1e-40", "+.5", "5.", "", "1e999999999", "0x1p3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDecimal(s)
		if err != nil {
			return
		}
		again, err := ParseDecimal(d.String())
		if err != nil || !again.Equal(d.Decimal) || again.String() != d.String() {
			t.Fatalf("%q -> %q -> %q, %v", s, d.String(), again.String(), err)
		}
		b, _ := json.Marshal(d)
		var back Decimal
		if err := json.Unmarshal(b, &back); err != nil || back.String() != d.String() {
			t.Fatalf("JSON round trip of %q: %s, %v", s, b, err)
		}
	})
}
