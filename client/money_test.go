package client

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func TestParseDecimalKeepsScale(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"0.50", "0.50"},
		{"0.5000", "0.5000"},
		{"25.0000", "25.0000"},
		{"25", "25"},
		{"-3.10", "-3.10"},
		{" 100.00 ", "100.00"},
		{"+1.5", "1.5"},
		{"1.5e2", "150"},
		{"1e-3", "0.001"},
		{"0", "0"},
		{"123456789012345678901234567890.12", "123456789012345678901234567890.12"},
	} {
		d, err := ParseDecimal(tc.in)
		if err != nil {
			t.Errorf("ParseDecimal(%q): %v", tc.in, err)
			continue
		}
		if got := d.String(); got != tc.want {
			t.Errorf("ParseDecimal(%q).String() = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseDecimalRefuses(t *testing.T) {
	for _, in := range []string{"", " ", "abc", "NaN", "Inf", "-Inf", "1.2.3", "0x10", "1e999999999",
		"1e41", "1e-41", strings.Repeat("9", 65), "1,5", "--1", "1e", ".-5", "−1"} {
		if d, err := ParseDecimal(in); err == nil {
			t.Errorf("ParseDecimal(%q) = %s, want an error", in, d)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("MustDecimal(bad) did not panic")
		}
	}()
	MustDecimal("bad")
}

func TestDecimalZeroValue(t *testing.T) {
	var d Decimal
	if d.String() != "0" || !d.IsZero() {
		t.Fatalf("zero Decimal = %q", d.String())
	}
	b, err := json.Marshal(d)
	if err != nil || string(b) != `"0"` {
		t.Fatalf("Marshal(zero) = %s, %v", b, err)
	}
}

func TestDecimalExactArithmetic(t *testing.T) {
	a, b := MustDecimal("0.1"), MustDecimal("0.2")
	if sum := NewDecimal(a.Add(b.Decimal)); sum.String() != "0.3" || !sum.Equal(MustDecimal("0.3").Decimal) {
		t.Errorf("0.1+0.2 = %s", sum)
	}
	// 1000 × 0.0001 is exactly 0.1, a float would not say so.
	total := Decimal{}
	for range 1000 {
		total = NewDecimal(total.Add(MustDecimal("0.0001").Decimal))
	}
	if total.Cmp(MustDecimal("0.1").Decimal) != 0 {
		t.Errorf("sum of 1000 × 0.0001 = %s", total)
	}
	if got := NewDecimal(MustDecimal("0.50").Mul(decimal.NewFromInt(3))).String(); got != "1.50" {
		t.Errorf("0.50 × 3 = %s", got)
	}
	if got := NewDecimal(MustDecimal("100.00").Sub(MustDecimal("0.0005").Decimal)).String(); got != "99.9995" {
		t.Errorf("100.00 - 0.0005 = %s", got)
	}
	if DecimalFromInt(7).String() != "7" || MustDecimal("2.50").Scale() != 2 || MustDecimal("1e3").Scale() != 0 {
		t.Error("DecimalFromInt / Scale")
	}
}

func TestDecimalJSON(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`"0.50"`, "0.50"},
		{`0.5`, "0.5"},
		{`"0.5000"`, "0.5000"},
		{`25.0000`, "25.0000"},
		{`null`, "0"},
		{`""`, "0"},
		{`"  "`, "0"},
		{`" 1.25 "`, "1.25"},
		{`-2`, "-2"},
		{`1E+2`, "100"},
	} {
		var d Decimal
		if err := json.Unmarshal([]byte(tc.in), &d); err != nil {
			t.Errorf("Unmarshal(%s): %v", tc.in, err)
			continue
		}
		if d.String() != tc.want {
			t.Errorf("Unmarshal(%s) = %q, want %q", tc.in, d.String(), tc.want)
		}
		out, err := json.Marshal(d)
		if err != nil || string(out) != `"`+tc.want+`"` {
			t.Errorf("Marshal after Unmarshal(%s) = %s, %v", tc.in, out, err)
		}
		var back Decimal
		if err := json.Unmarshal(out, &back); err != nil || back.String() != d.String() {
			t.Errorf("round trip of %s: %q, %v", tc.in, back.String(), err)
		}
	}
	for _, bad := range []string{`true`, `{}`, `[]`, `"abc"`, `"NaN"`, `nul`, `"1e99999"`} {
		var d Decimal
		if err := json.Unmarshal([]byte(bad), &d); err == nil {
			t.Errorf("Unmarshal(%s) = %s, want an error", bad, d)
		}
	}
	// In a struct, with MarshalText for maps and text encodings.
	type row struct {
		Rate Decimal            `json:"rate"`
		M    map[string]Decimal `json:"m"`
	}
	in := row{Rate: MustDecimal("0.50"), M: map[string]Decimal{"a": MustDecimal("25.0000")}}
	b, err := json.Marshal(in)
	if err != nil || string(b) != `{"rate":"0.50","m":{"a":"25.0000"}}` {
		t.Fatalf("Marshal(row) = %s, %v", b, err)
	}
	var out row
	if err := json.Unmarshal(b, &out); err != nil || out.Rate.String() != "0.50" || out.M["a"].String() != "25.0000" {
		t.Fatalf("Unmarshal(row) = %+v, %v", out, err)
	}
	var txt Decimal
	if err := txt.UnmarshalText([]byte("")); err != nil || !txt.IsZero() {
		t.Errorf("UnmarshalText(empty) = %v, %v", txt, err)
	}
	if err := txt.UnmarshalText([]byte("x")); err == nil {
		t.Error("UnmarshalText(x) succeeded")
	}
}

func TestDecimalFormat(t *testing.T) {
	d := MustDecimal("0.50")
	for _, tc := range []struct{ format, want string }{
		{"%s", "0.50"},
		{"%v", "0.50"},
		{"%+v", "0.50"},
		{"%q", `"0.50"`},
		{"%8s", "    0.50"},
		{"%-6s|", "0.50  |"},
		{"%f", "0.50"},
		{"%.1f", "0.5"},
		{"%.3f", "0.500"},
		{"%7.2f", "   0.50"},
		{"%#v", `client.MustDecimal("0.50")`},
		{"%d", "%!d(client.Decimal=0.50)"},
	} {
		if got := fmt.Sprintf(tc.format, d); got != tc.want {
			t.Errorf("Sprintf(%q) = %q, want %q", tc.format, got, tc.want)
		}
	}
	if got := fmt.Sprint(MustDecimal("25.0000")); got != "25.0000" {
		t.Errorf("Sprint = %q", got)
	}
	if got := fmt.Sprintf("%s each", Service{Rate: MustDecimal("25.00")}.Rate); got != "25.00 each" {
		t.Errorf("rate in a sentence = %q", got)
	}
}

func TestEstimateCost(t *testing.T) {
	for _, tc := range []struct {
		rate, entity string
		qty          int64
		want         string
	}{
		{"0.50", EntitySMM, 1000, "0.50"},
		{"0.50", EntitySMM, 100, "0.05"},
		{"0.50", EntitySMM, 1, "0.0005"},
		{"0.50", "", 3000, "1.50"}, // older servers: SMM
		{"5.00", EntitySMM, 10, "0.05"},
		{"25.00", EntityProduct, 3, "75.00"},
		{"25.0000", "Product", 2, "50.0000"},
		{"0.3333", EntitySMM, 3, "0.0009999"},
		{"7", EntitySMM, 1, "0.007"},
		{"7", EntityProduct, 0, "0"},
		{"999999999.99", EntityProduct, 1000000, "999999999990000.00"},
	} {
		s := Service{Rate: MustDecimal(tc.rate), EntityType: tc.entity}
		cost, ok := s.EstimateCost(tc.qty)
		if got := cost.String(); got != tc.want || !ok {
			t.Errorf("EstimateCost(rate %s, %q, %d) = %s, want %s", tc.rate, tc.entity, tc.qty, got, tc.want)
		}
	}
	if !(Service{EntityType: " product "}).IsProduct() || (Service{}).IsProduct() || (Service{EntityType: "smm"}).IsProduct() {
		t.Error("IsProduct")
	}
}
