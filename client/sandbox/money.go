package sandbox

import (
	"fmt"
	"strconv"

	"github.com/shopspring/decimal"
)

// Money rules (exact, no binary floats anywhere):
//
//   - Catalog prices are whole ten-thousandths (int64 units, 10000 = 1.00) and
//     become decimals at order time.
//   - An SMM charge is rate × quantity / 1000 rounded half up to 4 places; a
//     product charge is Σ unit price × units, exact. Refunds are differences of
//     such amounts, so the balance never needs more than 4 places.
//   - charge, price and subproduct/inventory rates are rendered with 4 places
//     ("5.0000"); a rate in a services/products row and the balance are
//     rendered with 2 places when that is exact, else with 4 ("0.50",
//     "0.0360", "99.50", "99.9925").

// units converts ten-thousandths to a decimal.
func units(v int64) decimal.Decimal { return decimal.New(v, -4) }

// money4 renders d with 4 places.
func money4(d decimal.Decimal) string { return d.StringFixed(4) }

// money24 renders d with 2 places when exact, else 4.
func money24(d decimal.Decimal) string {
	if d.Equal(d.Round(2)) {
		return d.StringFixed(2)
	}
	return d.StringFixed(4)
}

// smmCharge is the price of qty units at a per-1000 rate, 4 places half up.
func smmCharge(rate decimal.Decimal, qty int) decimal.Decimal {
	return rate.Mul(decimal.NewFromInt(int64(qty))).Shift(-3).Round(4)
}

// appendUnits appends ten-thousandths v with 2 places when exact and allowed
// (two is true), else with 4. It is the allocation-free twin of money24/money4
// for catalog rows.
func appendUnits(b []byte, v int64, two bool) []byte {
	if v < 0 {
		b = append(b, '-')
		v = -v
	}
	b = strconv.AppendInt(b, v/10000, 10)
	frac := v % 10000
	b = append(b, '.')
	if two && frac%100 == 0 {
		return append(b, byte('0'+frac/1000), byte('0'+frac/100%10))
	}
	return append(b, byte('0'+frac/1000), byte('0'+frac/100%10), byte('0'+frac/10%10), byte('0'+frac%10))
}

// unitsString renders ten-thousandths like appendUnits.
func unitsString(v int64, two bool) string { return string(appendUnits(nil, v, two)) }

// parseMoney reads an amount with at most 4 decimal places.
func parseMoney(s string) (decimal.Decimal, error) {
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Decimal{}, fmt.Errorf("not a decimal amount: %q", s)
	}
	if !d.Equal(d.Round(4)) {
		return decimal.Decimal{}, fmt.Errorf("amount %q has more than 4 decimal places", s)
	}
	return d, nil
}
