package gui

import (
	"github.com/shopspring/decimal"

	"github.com/hstockplus/hstockplus/client"
	"github.com/hstockplus/hstockplus/internal/safetext"
	"github.com/hstockplus/hstockplus/internal/tr"
)

// Every string a server sent is shown through short or block (internal/safetext): cleaned of
// control characters (a newline would break a row) and of bidirectional overrides (U+202E shows
// "exe.txt" as "txt.exe"), and bounded (a 1 MB currency would widen the window past the screen).
// The service layer and the store keep the raw values.

// Bounds, in runes, of what a widget shows.
const (
	maxShort    = 40   // a status, a code, a phone number
	maxCurrency = 12   // a currency code (USD)
	maxName     = 160  // a service, shop, project or country name; a label; a phone number
	maxLine     = 400  // a link, an account, a one-line message
	maxText     = 4000 // a description, an SMS text (lines kept)
	maxLines    = safetext.MaxLines
)

// short is s cleaned onto one line and cut to n runes with an ellipsis.
func short(s string, n int) string { return safetext.Short(s, n) }

// block is s cleaned, its line breaks kept, and cut to n runes.
func block(s string, n int) string { return safetext.Block(s, n) }

// money is an amount in one form everywhere: at least two decimals, more only when they count
// (0.25, 98.625, 0.0396) — exact, never through a float.
func money[T client.Decimal | decimal.Decimal](v T) string {
	var d decimal.Decimal
	switch x := any(v).(type) {
	case client.Decimal:
		d = x.Decimal
	case decimal.Decimal:
		d = x
	}
	for places := int32(2); places < 8; places++ {
		if r := d.Round(places); r.Equal(d) {
			return tr.Amount(d.StringFixed(places))
		}
	}
	return tr.Amount(d.StringFixed(8))
}
