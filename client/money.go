package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// Limits on what ParseDecimal accepts. Money in this API is a short decimal string ("0.50",
// "25.0000"); the limits keep a hostile response from making the client allocate or compute
// with absurd numbers (a 1e999999999 would otherwise be printed digit by digit).
const (
	maxDecimalLen      = 64 // characters of the textual form, sign and exponent included
	maxDecimalExponent = 40 // |exponent| of the parsed value
)

// Decimal is an exact decimal amount of money. It keeps the scale it was given: "0.50" stays
// "0.50" and "25.0000" stays "25.0000" when printed or marshalled again.
//
// The embedded decimal.Decimal gives the arithmetic (Add, Sub, Mul, Cmp, IsZero, StringFixed, …);
// results of that arithmetic are decimal.Decimal values, which NewDecimal wraps again. Never
// convert money to float64.
//
// The zero value is 0.
type Decimal struct{ decimal.Decimal }

// ParseDecimal parses an exact decimal ("0.50", "-3", "1.5e2"). Surrounding spaces are ignored.
// It refuses empty input, NaN and infinities, texts longer than 64 characters and exponents
// beyond ±40.
func ParseDecimal(s string) (Decimal, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return Decimal{}, errors.New("hstockplus: empty decimal")
	}
	if len(t) > maxDecimalLen {
		return Decimal{}, fmt.Errorf("hstockplus: decimal too long (%d characters)", len(t))
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if (c < '0' || c > '9') && c != '.' && c != '-' && c != '+' && c != 'e' && c != 'E' {
			return Decimal{}, fmt.Errorf("hstockplus: invalid decimal %q", t)
		}
	}
	d, err := decimal.NewFromString(t)
	if err != nil {
		return Decimal{}, fmt.Errorf("hstockplus: invalid decimal %q", t)
	}
	if e := d.Exponent(); e > maxDecimalExponent || e < -maxDecimalExponent {
		return Decimal{}, fmt.Errorf("hstockplus: decimal %q out of range", t)
	}
	return Decimal{d}, nil
}

// MustDecimal is ParseDecimal for constants; it panics on invalid input.
func MustDecimal(s string) Decimal {
	d, err := ParseDecimal(s)
	if err != nil {
		panic(err)
	}
	return d
}

// NewDecimal wraps the result of decimal.Decimal arithmetic.
func NewDecimal(d decimal.Decimal) Decimal { return Decimal{d} }

// DecimalFromInt returns the integer n as a Decimal with scale 0.
func DecimalFromInt(n int64) Decimal { return Decimal{decimal.NewFromInt(n)} }

// Scale returns the number of digits after the decimal point the value carries (0 for integers).
func (d Decimal) Scale() int32 {
	if e := d.Exponent(); e < 0 {
		return -e
	}
	return 0
}

// String returns the exact value with the scale it carries: "0.50", "25.0000", "-3".
// It never uses scientific notation.
func (d Decimal) String() string {
	return d.Decimal.StringFixed(d.Scale())
}

// Format implements fmt.Formatter so that %v and %s print String() (scale kept) instead of the
// trimmed form of the embedded decimal.Decimal. %f without a precision prints the exact value;
// %.2f rounds half away from zero like StringFixed.
func (d Decimal) Format(f fmt.State, verb rune) {
	switch verb {
	case 'v':
		if f.Flag('#') {
			_, _ = fmt.Fprintf(f, "client.MustDecimal(%q)", d.String())
			return
		}
		_, _ = fmt.Fprintf(f, fmt.FormatString(f, 's'), d.String())
	case 's', 'q', 'x', 'X':
		_, _ = fmt.Fprintf(f, fmt.FormatString(f, verb), d.String())
	case 'f', 'F':
		if _, ok := f.Precision(); ok {
			d.Decimal.Format(f, verb)
			return
		}
		directive := fmt.FormatString(f, verb)
		directive = directive[:len(directive)-1] + "." + strconv.Itoa(int(d.Scale())) + string(verb)
		_, _ = fmt.Fprintf(f, directive, d.Decimal)
	default:
		_, _ = fmt.Fprintf(f, "%%!%c(client.Decimal=%s)", verb, d.String())
	}
}

// MarshalJSON writes the value as a JSON string with its scale: "0.50".
func (d Decimal) MarshalJSON() ([]byte, error) {
	return []byte(`"` + d.String() + `"`), nil
}

// UnmarshalJSON accepts a JSON string ("0.50") or number (0.5), keeping the scale written.
// null and "" decode as zero.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return errors.New("hstockplus: empty decimal")
	}
	var s string
	switch b[0] {
	case 'n':
		if string(b) != "null" {
			return errors.New("hstockplus: invalid decimal")
		}
		*d = Decimal{}
		return nil
	case '"':
		if fast, ok := quotedFast(b); ok {
			s = fast
		} else if err := json.Unmarshal(b, &s); err != nil {
			return errors.New("hstockplus: invalid decimal string")
		}
		if strings.TrimSpace(s) == "" {
			*d = Decimal{}
			return nil
		}
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		s = string(b)
	default:
		return errors.New("hstockplus: decimal is neither a number nor a string")
	}
	v, err := ParseDecimal(s)
	if err != nil {
		// Not ParseDecimal's error: it quotes the value, and a response may echo anything.
		return errInvalidDecimal
	}
	*d = v
	return nil
}

var errInvalidDecimal = errors.New("hstockplus: invalid decimal")

// MarshalText implements encoding.TextMarshaler with the scale kept.
func (d Decimal) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler; empty text is zero.
func (d *Decimal) UnmarshalText(b []byte) error {
	if len(bytes.TrimSpace(b)) == 0 {
		*d = Decimal{}
		return nil
	}
	v, err := ParseDecimal(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// withMinScale returns d with trailing zeros removed down to, but not below, minScale digits after
// the point. The value is unchanged: only its written form gets shorter.
func withMinScale(d decimal.Decimal, minScale int32) Decimal {
	if minScale < 0 {
		minScale = 0
	}
	for s := minScale; s < -d.Exponent(); s++ {
		if t := d.Truncate(s); t.Equal(d) {
			return Decimal{t}
		}
	}
	return Decimal{d}
}
