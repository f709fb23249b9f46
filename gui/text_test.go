package gui

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hstockplus/hstockplus/client"
)

func TestShortCleansAndBounds(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Instagram Likes", "Instagram Likes"},
		{"report\u202Eexe.txt", "reportexe.txt"}, // a right-to-left override
		{"a\u2066b\u2069c\u200Fd", "abcd"},       // isolates and marks
		{"two\nlines\r\nhere", "two lines here"}, // a newline would break a row
		{"tab\there  and\u00a0\u00a0nbsp", "tab here and nbsp"},
		{"bell\a esc\x1b[31m red", "bell esc[31m red"},
		{"bad \xff utf8", "bad \uFFFD utf8"},
		{"  trailing  ", "trailing"},
	}
	for _, c := range cases {
		if got := short(c.in, maxName); got != c.want {
			t.Errorf("short(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := short("日本語のサービス名", 5); got != "日本語の…" || utf8.RuneCountInString(got) != 5 {
		t.Fatalf("bounded = %q", got)
	}
	if got := short("12345", 5); got != "12345" {
		t.Fatalf("at the bound = %q", got)
	}
}

func TestHugeServerStringIsBoundedCheaply(t *testing.T) {
	huge := strings.Repeat("USD\u202E", 250_000) // 1.5 MB
	got := short(huge, maxShort)
	if n := utf8.RuneCountInString(got); n != maxShort || strings.ContainsRune(got, '\u202E') {
		t.Fatalf("%d runes: %q", n, got)
	}
	allocs := testing.AllocsPerRun(5, func() { _ = short(huge, maxShort) })
	if allocs > 10 {
		t.Fatalf("%v allocations per call", allocs)
	}
}

func TestBlockKeepsLinesAndBoundsThem(t *testing.T) {
	if got := block("line 1\r\nline\u202E 2\n\tline 3", maxText); got != "line 1\nline 2\n line 3" {
		t.Fatalf("block = %q", got)
	}
	many := strings.Repeat("x\n", 500)
	if got := block(many, maxText); strings.Count(got, "\n") > maxLines+1 || !strings.HasSuffix(got, "…") {
		t.Fatalf("%d lines", strings.Count(got, "\n"))
	}
}

// hostileAPI answers with a catalog and a balance that try to break the window.
type hostileAPI struct{ failingAPI }

const rlo = "\u202E"

func (hostileAPI) AllServices(context.Context, client.ServicesParams, int, func(int, int)) ([]client.Service, client.SkipReport, error) {
	return []client.Service{{Service: 1, Name: "Invoice " + rlo + "fdp.exe\nsecond line", Category: strings.Repeat("C", 5000),
		Subcategory: "x\x1b[2J", Rate: client.MustDecimal("1.00"), Stock: 5, EntityType: client.EntitySMM,
		Description: strings.Repeat("long description ", 100_000)}}, client.SkipReport{}, nil
}

func (hostileAPI) Balance(context.Context) (*client.Balance, error) {
	return &client.Balance{Balance: client.MustDecimal("5.00"), Currency: strings.Repeat("USD", 400_000)}, nil
}

// Server strings on screen are bounded and cleaned; the window keeps a sane size.
func TestHostileServerStringsAreBoundedOnScreen(t *testing.T) {
	u, _ := newTestUI(t, hostileAPI{}, false)
	u.catalog.load(context.Background())
	u.balance.load(context.Background())
	u.catalog.list.Select(0)
	texts := labelTexts(u.win.Content())
	for _, bad := range []string{rlo, "\x1b", "\nsecond line"} {
		if strings.Contains(texts, bad) {
			t.Errorf("the window shows %q", bad)
		}
	}
	for _, l := range []string{u.status.balance.Text, u.balance.amount.Text} {
		if utf8.RuneCountInString(l) > maxShort+10 {
			t.Errorf("balance label of %d runes", utf8.RuneCountInString(l))
		}
	}
	if n := utf8.RuneCountInString(u.catalog.detail.desc.Text); n > maxText {
		t.Errorf("description of %d runes", n)
	}
	if w := u.win.Content().MinSize().Width; w > 2000 {
		t.Fatalf("the window wants to be %.0f wide", w)
	}
}

func TestMoneyKeepsEveryDigitInOneForm(t *testing.T) {
	for in, want := range map[string]string{
		"100":        "100.00",
		"1.5":        "1.50",
		"0.0012":     "0.0012",
		"1.07000":    "1.07",
		"-3":         "-3.00",
		"0.00000001": "0.00000001",
	} {
		if got := money(client.MustDecimal(in)); got != want {
			t.Errorf("money(%s) = %q, want %q", in, got, want)
		}
	}
}
