package account

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
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
