package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"
)

// Fuzz targets for the tolerant decoding: the strict scanner against encoding/json, exact-key
// iteration, the search for JSON after leading text, and the whole answer path with such text.

var tolerantSeeds = []string{
	"\uFEFF" + docBalance,
	"\uFEFF\uFEFF  " + docAdd,
	"<br />\n<b>Warning</b>:  Undefined variable $x in <b>/var/www/api.php</b> on line <b>12</b><br />\n" + newerServices,
	"PHP Notice:  Undefined index: lang in /srv/api/v2.php on line 7\r\n" + docAddSMS,
	"Deprecated: x<br />[1,2]",
	"Warning: [0] in x\n[{\"service\":1}]",
	"Notice\n{\"a\":1} trailing",
	"[01-Dec-2026 10:00:00 UTC] PHP Warning:  x\n[\"a\"]",
	"[1, 2]", "[ ]", "{ }",
	`{"status":"In progress","Status":"Completed","st\u0061tus":"x"}`,
	`{"services":[{"service":1,"RATE":"9","rate":"0.50"},{"service":2,"min":1e20},null,5]}`,
	`{"a":"\ud800","b":"\u00e9\/\"","":1}`,
	"[-0.0e+1,1E-2,0,true,false,null,\"\",{}]",
	`{"a" : [ 1 , { "b" : null } ] } `,
	"1.", "-", "01", "[1,]", `{"a":1,}`, `{"a"}`, "\"\x01\"", "\"\\x\"", "nul", "[" + strings.Repeat("[", 10001),
}

func FuzzScanValid(f *testing.F) {
	for _, s := range tolerantSeeds {
		f.Add([]byte(s))
	}
	f.Add([]byte(strings.Repeat("[", maxJSONDepth) + strings.Repeat("]", maxJSONDepth)))
	f.Add([]byte(strings.Repeat("[", maxJSONDepth+1) + strings.Repeat("]", maxJSONDepth+1)))
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := validDocument(b), json.Valid(b); got != want {
			t.Fatalf("validDocument = %v, json.Valid = %v", got, want)
		}
	})
}

// FuzzExactMembers: on a valid object, eachMember sees the same members as encoding/json's map
// decoding (which matches keys exactly, the last of a repeated key winning).
func FuzzExactMembers(f *testing.F) {
	for _, s := range tolerantSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var want map[string]json.RawMessage
		jsonErr := json.Unmarshal(b, &want)
		got := map[string][]byte{}
		end, err := eachMember(b, 0, func(k, v []byte) error {
			got[string(k)] = v
			return nil
		})
		if err == nil && skipWS(b, end) != len(b) {
			err = errors.New("trailing data")
		}
		if (err == nil) != (jsonErr == nil) {
			// encoding/json accepts null for a map; eachMember wants an object.
			if jsonErr == nil && want == nil && bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
				return
			}
			t.Fatalf("eachMember: %v, encoding/json: %v", err, jsonErr)
		}
		if err != nil || !utf8.Valid(b) {
			return // invalid UTF-8 keys: encoding/json replaces the bad bytes
		}
		if len(got) != len(want) {
			t.Fatalf("%d members, encoding/json %d", len(got), len(want))
		}
		for k, v := range want {
			var a, c bytes.Buffer
			_ = json.Compact(&a, v)
			_ = json.Compact(&c, got[k])
			if !bytes.Equal(a.Bytes(), c.Bytes()) {
				t.Fatalf("member %q: %s, encoding/json %s", k, c.Bytes(), a.Bytes())
			}
		}
	})
}

// FuzzJSONBody: the document found after leading text is a suffix of the body, complete and
// valid (or starts with '{'/'[' when no text was dropped but space and BOMs); a body that is
// valid JSON as a whole is never cut.
func FuzzJSONBody(f *testing.F) {
	for _, s := range tolerantSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		doc, junk := jsonBody(b)
		if !bytes.HasSuffix(b, doc) {
			t.Fatal("the document is not a suffix of the body")
		}
		if json.Valid(b) && !bytes.Equal(doc, b[skipWS(b, 0):]) {
			t.Fatalf("a valid body was cut to %q", doc)
		}
		if len(junk) > 0 {
			if !validDocument(doc) {
				t.Fatal("junk dropped before an invalid document")
			}
			if len(junk) > maxJunkBytes || !bytes.Contains(b[:len(b)-len(doc)], junk) {
				t.Fatal("junk is not what came before the document")
			}
		}
		if len(doc) < len(b) && len(junk) == 0 {
			// Only white space and byte order marks were dropped.
			dropped := b[:len(b)-len(doc)]
			if len(bytes.Trim(bytes.ReplaceAll(dropped, utf8BOM, nil), " \t\r\n")) != 0 {
				t.Fatalf("dropped %q without reporting it", dropped)
			}
		}
	})
}

// FuzzTolerantAnswer drives the answer path after leading text: whatever the body, the result
// is a decoded page or a typed error, never a panic, and the key never shows (in the error or
// the log).
func FuzzTolerantAnswer(f *testing.F) {
	for _, s := range tolerantSeeds {
		f.Add(200, []byte(s))
		f.Add(500, []byte(s))
	}
	f.Add(200, []byte("PHP Warning: key="+testKey+"\n{\"services\":[{\"service\":1,\"rate\":\""+testKey+"\"},{\"service\":2}]}"))
	logs := &logSink{}
	c, err := New(WithAPIKey(testKey), WithLogf(logs.logf))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, status int, b []byte) {
		logs.lines = nil
		doc, junk := jsonBody(b)
		if len(junk) > 0 {
			c.logf("junk: %s", c.redact.clean(string(junk), maxJunkLogRunes))
		}
		r := &response{status: status, header: http.Header{}, body: doc}
		err := c.interpret("services", r)
		if err == nil {
			var pg *ServicesPage
			pg, err = decodeServicesPage(doc, "services")
			if err != nil {
				err = c.decodeError("services", r, err)
			} else {
				c.noteSkipped("services", &pg.Skipped)
				if len(pg.Services) == 0 && pg.Skipped.Rows > 0 {
					t.Fatal("every row bad, yet no error")
				}
			}
		}
		if err != nil {
			var te *TransportError
			var ae *APIError
			var rl *RateLimitError
			if !errors.As(err, &te) && !errors.As(err, &ae) && !errors.As(err, &rl) {
				t.Fatalf("untyped error %v", err)
			}
			if strings.Contains(err.Error(), testKey) {
				t.Fatalf("key in %q", err)
			}
		}
		if strings.Contains(logs.all(), testKey) {
			t.Fatal("key in the log")
		}
	})
}
