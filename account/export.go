package account

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"strings"
)

// Export of delivered accounts.
//
// .txt: one account per line, each line ending in "\n", exactly as delivered. An account that
// itself holds a line break (no real account does; a hostile or broken answer might) has its line
// breaks replaced by spaces, so that the file always has exactly one line per account.
//
// .csv: RFC 4180 through encoding/csv, header "order,account", then one record per account with
// the account verbatim (quoted when it holds a comma, a quote or a line break). The account is not
// split into login and password: accounts come as login:password, mail:password:recovery-mail,
// or tokens without any ':', and a split on the first ':' would misrepresent the latter; the
// single column reads back exactly as delivered.

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
		_ = w.Write([]string{id, a})
	}
	w.Flush()
	return b.Bytes()
}
