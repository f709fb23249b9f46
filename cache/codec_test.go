package cache

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/hstockplus/hstockplus/client"
)

// fill sets every field of the struct v points to a distinct non-zero value, by reflection, so
// that a field the codec forgets shows up as a difference after a round trip.
func fill(t *testing.T, v reflect.Value, seed *int) {
	t.Helper()
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		ft := v.Type().Field(i)
		if !ft.IsExported() {
			t.Fatalf("%s.%s is unexported: the codec cannot see it; update codec.go", v.Type(), ft.Name)
		}
		*seed++
		switch {
		case ft.Type == reflect.TypeOf(client.Decimal{}):
			f.Set(reflect.ValueOf(client.MustDecimal(fmt.Sprintf("%d.%02d0", *seed, *seed%100))))
			continue
		}
		switch f.Kind() {
		case reflect.String:
			f.SetString(fmt.Sprintf("%s-%d-ü", ft.Name, *seed))
		case reflect.Int, reflect.Int64, reflect.Int32:
			f.SetInt(int64(*seed) * 1001)
		case reflect.Bool:
			f.SetBool(true)
		case reflect.Float64:
			f.SetFloat(float64(*seed) + 0.25)
		case reflect.Slice:
			if f.Type().Elem().Kind() != reflect.String {
				t.Fatalf("%s.%s: slice of %s not handled by the test; update codec.go and this test", v.Type(), ft.Name, f.Type().Elem())
			}
			f.Set(reflect.ValueOf([]string{"a", fmt.Sprint(*seed), ""}))
		default:
			t.Fatalf("%s.%s has kind %s, which the codec does not encode: update codec.go and this test", v.Type(), ft.Name, f.Kind())
		}
	}
}

func roundTrip[T any](t *testing.T, c *rowCodec[T], rows []T) []T {
	t.Helper()
	var out []T
	for _, ch := range encodeChunks(c, rows) {
		var err error
		if out, err = decodeChunk(c, ch, out); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func checkCovers[T any](t *testing.T, c *rowCodec[T]) {
	t.Helper()
	var v T
	seed := 0
	fill(t, reflect.ValueOf(&v).Elem(), &seed)
	var zero T
	got := roundTrip(t, c, []T{v, zero})
	if len(got) != 2 {
		t.Fatalf("%s: %d rows back", c.kind, len(got))
	}
	if fmt.Sprintf("%#v", got[0]) != fmt.Sprintf("%#v", v) {
		t.Errorf("%s: round trip lost a field:\n got %#v\nwant %#v", c.kind, got[0], v)
	}
	if fmt.Sprintf("%#v", got[1]) != fmt.Sprintf("%#v", zero) {
		t.Errorf("%s: zero row changed:\n got %#v\nwant %#v", c.kind, got[1], zero)
	}
}

// TestCodecCoversEveryField fails when a client model gains a field that codec.go would drop.
func TestCodecCoversEveryField(t *testing.T) {
	checkCovers(t, servicesCodec)
	checkCovers(t, productsCodec)
	checkCovers(t, categoriesCodec)
	checkCovers(t, shopsCodec)
	checkCovers(t, smsCountriesCodec)
	checkCovers(t, smsProjectsCodec)
}

func TestCodecMoneyKeepsScale(t *testing.T) {
	for _, s := range []string{"0.50", "0.5000", "25.0000", "0", "0.00", "-3", "1e3", "123456789012345678901234567890.123456", "0.0000000001"} {
		d := client.MustDecimal(s)
		got := roundTrip(t, smsProjectsCodec, []client.SMSProject{{Price: d}})
		if got[0].Price.String() != d.String() || got[0].Price.Cmp(d.Decimal) != 0 {
			t.Errorf("%s: got %s want %s", s, got[0].Price, d)
		}
	}
}

func TestCodecChunksAndCorruption(t *testing.T) {
	defer func(n int) { chunkTarget = n }(chunkTarget)
	chunkTarget = 64 << 10
	rows := genServices(5000, 0)
	chunks := encodeChunks(servicesCodec, rows)
	if len(chunks) < 2 {
		t.Fatalf("5000 rows in %d chunk(s); want several", len(chunks))
	}
	got := roundTrip(t, servicesCodec, rows)
	if !reflect.DeepEqual(fmt.Sprint(got), fmt.Sprint(rows)) {
		t.Fatal("rows differ after a round trip")
	}
	if len(encodeChunks(servicesCodec, nil)) != 0 {
		t.Fatal("no rows should make no chunks")
	}
	ch := chunks[0]
	for _, bad := range [][]byte{nil, {chunkVersion + 1}, ch[:len(ch)/2], append(append([]byte{}, ch...), 0)} {
		if _, err := decodeChunk(servicesCodec, bad, nil); err == nil {
			t.Errorf("a damaged chunk (%d bytes) decoded without error", len(bad))
		}
	}
	if _, err := decodeChunk(productsCodec, ch, nil); err == nil {
		t.Error("a services chunk decoded as products")
	}
}

func FuzzDecodeChunk(f *testing.F) {
	for _, ch := range encodeChunks(servicesCodec, genServices(3, 0)) {
		f.Add(ch)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		rows, err := decodeChunk(servicesCodec, b, nil)
		if err == nil {
			// Whatever decodes must encode and decode to the same rows.
			again := roundTrip(t, servicesCodec, rows)
			if fmt.Sprint(again) != fmt.Sprint(rows) {
				t.Fatal("unstable round trip")
			}
		}
	})
}

// TestCodecUnknownPrice: an unknown price survives a round trip, and chunks of version 1 (before
// the flag existed) still decode, their zero-value prices read as unknown.
func TestCodecUnknownPrice(t *testing.T) {
	services := []client.Service{
		{Service: 1, RateUnknown: true},
		{Service: 2, Rate: client.MustDecimal("0")},
		{Service: 3, Rate: client.MustDecimal("0.00")},
		{Service: 4, Rate: client.MustDecimal("0.50"), AutoDelivery: true, Refill: true},
	}
	got := roundTrip(t, servicesCodec, services)
	if fmt.Sprintf("%#v", got) != fmt.Sprintf("%#v", services) {
		t.Fatalf("services:\n got %#v\nwant %#v", got, services)
	}
	projects := []client.SMSProject{{ProjectID: "a", PriceUnknown: true}, {ProjectID: "b", Price: client.MustDecimal("0")},
		{ProjectID: "c", Price: client.MustDecimal("0.5000"), CountryID: "us"}}
	if got := roundTrip(t, smsProjectsCodec, projects); fmt.Sprintf("%#v", got) != fmt.Sprintf("%#v", projects) {
		t.Fatalf("projects:\n got %#v\nwant %#v", got, projects)
	}

	// Version 1 of services: the same layout, without the flag.
	old := services[1:]
	chunk := encodeChunks(servicesCodec, old)[0]
	chunk[0] = 1
	rows, err := decodeChunk(servicesCodec, chunk, nil)
	if err != nil || len(rows) != 3 {
		t.Fatalf("v1 services: %v", err)
	}
	if !rows[0].RateUnknown || rows[1].RateUnknown || rows[2].RateUnknown || rows[2].Rate.String() != "0.50" || !rows[2].Refill {
		t.Errorf("v1 services: %#v", rows)
	}
	// Version 1 of SMS projects: no flags byte.
	w := &wbuf{}
	w.byte1(1)
	w.byte1(smsProjectsCodec.tag)
	w.uvarint(2)
	for _, p := range []client.SMSProject{{ProjectID: "z", Name: "Zero"}, {ProjectID: "p", Name: "P", Price: client.MustDecimal("0.5000"), CountryID: "us", CountryTitle: "United States"}} {
		w.str(p.ProjectID)
		w.str(p.Name)
		w.dec(p.Price)
		w.str(p.CountryID)
		w.str(p.CountryTitle)
	}
	ps, err := decodeChunk(smsProjectsCodec, w.b, nil)
	if err != nil || len(ps) != 2 || !ps[0].PriceUnknown || ps[1].PriceUnknown || ps[1].Price.String() != "0.5000" || ps[1].CountryTitle != "United States" {
		t.Fatalf("v1 projects: %#v, %v", ps, err)
	}
	// A version from the future is refused.
	chunk[0] = chunkVersion + 1
	if _, err := decodeChunk(servicesCodec, chunk, nil); err == nil {
		t.Error("a chunk of a later version decoded")
	}
}
