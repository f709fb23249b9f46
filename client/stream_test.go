package client

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"time"
)

// bigCatalog is a catalogue answer of n rows in the documents' envelope, with what real answers
// hold: escapes, non-Latin names, numbers as strings, repeated and unique texts, a null row and
// bad rows (every 1000th), and pagination after the list.
func bigCatalog(n int, after string) []byte {
	var b bytes.Buffer
	b.WriteString(`{"services": [`)
	for i := range n {
		if i > 0 {
			b.WriteString(",\n")
		}
		switch {
		case i%1000 == 999:
			b.WriteString(`{"service":` + strconv.Itoa(i+1) + `,"rate":"1 000.00"}`) // bad: skipped
			continue
		case i%1000 == 500:
			b.WriteString("null")
			continue
		}
		name := fmt.Sprintf("Followers %d \\\"HQ\\\" \\u0026 more", i)
		if i%3 == 1 {
			name = fmt.Sprintf("Подписчики %d 日本語", i)
		}
		rate := strconv.Itoa(i%50) + ".50"
		if i%7 == 0 {
			rate = `"` + rate + `"`
		}
		fmt.Fprintf(&b, `{"id":"%024x","service":"%d","name":"%s","type":"Default","category":"Cat %d","subcategory":"Sub %d","rate":%s,"min":10,"max":"%d","stock":%d,"refill":%v,"cancel":1,"entityType":"%s","description":"%s","imageUrl":null}`,
			i, i+1, name, i%40, i%400, rate, 1000+i, i%9, i%2 == 0, []string{"smm", "product"}[i%2], strings.Repeat("d", i%5))
	}
	b.WriteString("]" + after + "}")
	return b.Bytes()
}

// TestStreamMatchesWhole: a large answer decoded as it arrives gives exactly what the whole
// answer decoded gives, however the bytes arrive (one at a time, across the window's edge).
func TestStreamMatchesWhole(t *testing.T) {
	body := bigCatalog(6000, `, "total": 6000, "page": "1", "limit": 0`)
	if len(body) <= streamAbove {
		t.Fatalf("answer of %d bytes: not over streamAbove", len(body))
	}
	want, err := decodeServicesPage(body, "services")
	if err != nil {
		t.Fatal(err)
	}
	if want.Skipped.Rows != 12 || len(want.Services) != 5988 {
		t.Fatalf("whole: %d rows, %d skipped", len(want.Services), want.Skipped.Rows)
	}
	for name, r := range map[string]func() io.Reader{
		"plain":    func() io.Reader { return bytes.NewReader(body[streamAbove:]) },
		"one byte": func() io.Reader { return iotest.OneByteReader(bytes.NewReader(body[streamAbove:])) },
		"halves":   func() io.Reader { return iotest.HalfReader(bytes.NewReader(body[streamAbove:])) },
	} {
		for _, cl := range []int64{-1, int64(len(body))} {
			cs := &catalogStream{key: "services"}
			head := append([]byte(nil), body[:streamAbove]...)
			if err := cs.decode(newJSONStream(head, r(), 1<<30), cl); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if !reflect.DeepEqual(cs.page.Services, want.Services) || cs.page.Page != want.Page || cs.page.Skipped.String() != want.Skipped.String() {
				t.Errorf("%s, length %d: %d rows %+v %s; whole: %d rows %+v %s", name, cl, len(cs.page.Services), cs.page.Page, cs.page.Skipped,
					len(want.Services), want.Page, want.Skipped)
			}
		}
	}
}

// TestStreamShapes: answers that are not clean lists fail as their whole reading does.
func TestStreamShapes(t *testing.T) {
	rows := bigCatalog(8000, "")
	list := rows[bytes.IndexByte(rows, '[') : len(rows)-1]
	cases := []struct {
		name string
		body []byte
		want func(*ServicesPage, *catalogStream, error) bool
	}{
		{"bare array", list, func(p *ServicesPage, _ *catalogStream, err error) bool { return err == nil && len(p.Services) == 7984 }},
		{"error after the list", append(rows[:len(rows)-1:len(rows)-1], []byte(`, "Error": {"message": "rate limited"}}`)...),
			func(p *ServicesPage, cs *catalogStream, err error) bool {
				return err == nil && p == nil && cs.hasError && cs.errMsg == "rate limited"
			}},
		{"false error after the list", append(rows[:len(rows)-1:len(rows)-1], []byte(`, "error": false}`)...),
			func(p *ServicesPage, cs *catalogStream, err error) bool {
				return err == nil && !cs.hasError && len(p.Services) == 7984
			}},
		{"cut off", rows[:len(rows)-5000], func(_ *ServicesPage, _ *catalogStream, err error) bool { return isSyntax(err) }},
		{"junk in the middle", append(append(rows[:2<<20:2<<20], 0), rows[2<<20:]...),
			func(_ *ServicesPage, _ *catalogStream, err error) bool { return isSyntax(err) }},
		{"data after", append(rows[:len(rows):len(rows)], []byte(" {}")...), func(_ *ServicesPage, _ *catalogStream, err error) bool { return isSyntax(err) }},
		{"list twice", append(rows[:len(rows)-1:len(rows)-1], []byte(`, "services": []}`)...),
			func(_ *ServicesPage, _ *catalogStream, err error) bool { return errors.Is(err, ErrMalformedResponse) }},
		{"bad total", append(rows[:len(rows)-1:len(rows)-1], []byte(`, "total": "many"}`)...),
			func(_ *ServicesPage, _ *catalogStream, err error) bool { return errors.Is(err, ErrMalformedResponse) }},
	}
	for _, c := range cases {
		cs := &catalogStream{key: "services"}
		head := append([]byte(nil), c.body[:streamAbove]...)
		err := cs.decode(newJSONStream(head, iotest.HalfReader(bytes.NewReader(c.body[streamAbove:])), 1<<30), -1)
		if !c.want(cs.page, cs, err) {
			t.Errorf("%s: page %v, error %v", c.name, cs.page != nil, err)
		}
	}
	// A row larger than the window, and an answer over the cap.
	huge := []byte(`{"services":[{"service":1,"rate":"1","description":"` + strings.Repeat("x", 3<<20) + `"},{"service":2,"rate":"2"}]}`)
	cs := &catalogStream{key: "services"}
	if err := cs.decode(newJSONStream(append([]byte(nil), huge[:streamAbove]...), bytes.NewReader(huge[streamAbove:]), 1<<30), -1); err != nil ||
		len(cs.page.Services) != 2 || len(cs.page.Services[0].Description) != 3<<20 {
		t.Errorf("a row over the window: %v", err)
	}
	cs = &catalogStream{key: "services"}
	if err := cs.decode(newJSONStream(append([]byte(nil), huge[:streamAbove]...), bytes.NewReader(huge[streamAbove:]), 2<<20), -1); !errors.Is(err, ErrBodyTooLarge) {
		t.Errorf("over the cap: %v", err)
	}
}

// TestStreamedCalls: through the client, a large answer is streamed plain, chunked and
// compressed; one cut off is retried; one whose list is not first, or with text before it, is
// read whole; an error envelope is the API's error.
func TestStreamedCalls(t *testing.T) {
	body := bigCatalog(5000, `, "total": 5000`)
	want, err := decodeServicesPage(body, "services")
	if err != nil {
		t.Fatal(err)
	}
	var cut atomic.Bool
	serve := func(mode string) func(http.ResponseWriter, *http.Request, int) {
		return func(w http.ResponseWriter, _ *http.Request, n int) {
			w.Header().Set("Content-Type", "application/json")
			switch mode {
			case "length":
				w.Header().Set("Content-Length", strconv.Itoa(len(body)))
				_, _ = w.Write(body)
			case "gzip":
				w.Header().Set("Content-Encoding", "gzip")
				zw := gzip.NewWriter(w)
				_, _ = zw.Write(body)
				_ = zw.Close()
			case "cut":
				if n == 1 {
					cut.Store(true)
					w.Header().Set("Content-Length", strconv.Itoa(len(body)))
					_, _ = w.Write(body[:len(body)/2])
					return // the server hangs up short of its length
				}
				_, _ = w.Write(body)
			case "total first":
				_, _ = w.Write([]byte(`{"total": 5000, "services"` + string(body[len(`{"services"`):])))
			case "junk":
				_, _ = w.Write([]byte("PHP Notice: x in y.php on line 3\n"))
				_, _ = w.Write(body)
			default:
				_, _ = w.Write(body)
			}
		}
	}
	for _, mode := range []string{"chunked", "length", "gzip", "cut", "total first", "junk"} {
		srv := newFakeServer(t, serve(mode))
		c, _ := newTestClient(t, srv.URL)
		pg, err := c.Services(ctxT(t), ServicesParams{})
		if err != nil || !reflect.DeepEqual(pg.Services, want.Services) || pg.Total != 5000 {
			t.Errorf("%s: %v", mode, err)
			continue
		}
		if mode == "cut" && srv.count() != 2 {
			t.Errorf("cut off: %d requests, want a retry", srv.count())
		}
	}
	errBody := append(body[:len(body)-1:len(body)-1], []byte(`, "error": "Invalid API key"}`)...)
	srv := newFakeServer(t, answer(200, string(errBody)))
	c, _ := newTestClient(t, srv.URL)
	var ae *APIError
	if _, err := c.Services(ctxT(t), ServicesParams{}); !errors.As(err, &ae) || ae.Message != "Invalid API key" {
		t.Errorf("error envelope: %v", err)
	}
	junk := append(body[:len(body)*3/4:len(body)*3/4], []byte("\x00\x00 not json")...)
	srv = newFakeServer(t, answer(200, string(junk)))
	c, _ = newTestClient(t, srv.URL)
	if _, err := c.Services(ctxT(t), ServicesParams{}); !errors.Is(err, ErrNotJSON) {
		t.Errorf("not JSON half way: %v", err)
	}
}

// chunkReader hands out at most n bytes a read.
type chunkReader struct {
	r io.Reader
	n int
}

func (c chunkReader) Read(p []byte) (int, error) { return c.r.Read(p[:min(len(p), c.n)]) }

// TestStreamLargeMembers: a member after the list larger than the window is scanned again once
// per window, not once per read (32 MiB in reads of 4 KiB was minutes of rescanning), and one
// the decoding does not read is skipped whatever its size, as the whole reading skips it.
func TestStreamLargeMembers(t *testing.T) {
	rows := bigCatalog(4000, "")
	body := append(rows[:len(rows)-1:len(rows)-1], []byte(`, "categories": ["`+strings.Repeat("c", 32<<20)+`"], "total": 3992}`)...)
	cs := &catalogStream{key: "services"}
	done := make(chan error, 1)
	go func() {
		done <- cs.decode(newJSONStream(append([]byte(nil), body[:streamAbove]...), chunkReader{bytes.NewReader(body[streamAbove:]), 4096}, 1<<30), -1)
	}()
	select {
	case err := <-done:
		if err != nil || len(cs.page.Services) != 3992 || cs.page.Total != 3992 {
			t.Errorf("large member: %v", err)
		}
	case <-time.After(30 * time.Second): // linear: milliseconds; rescanning per read: minutes
		t.Fatal("a large member is rescanned at every read")
	}
}

// TestStreamNotJSONExcerpt: the excerpt of an answer that turns out not to be JSON is its start,
// not where the window had moved to.
func TestStreamNotJSONExcerpt(t *testing.T) {
	body := bigCatalog(5000, "")
	bad := append(body[:len(body)-100:len(body)-100], 0)
	srv := newFakeServer(t, answer(200, string(bad)))
	c, _ := newTestClient(t, srv.URL, WithRetry(1, 0, 0))
	_, err := c.Services(ctxT(t), ServicesParams{})
	var te *TransportError
	if !errors.As(err, &te) || !errors.Is(err, ErrNotJSON) || !strings.Contains(te.Excerpt, `"services"`) {
		t.Errorf("got %v (excerpt %.60q)", err, te.Excerpt)
	}
}
