package gui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	"github.com/shopspring/decimal"

	"github.com/hstockplus/hstockplus/client"
)

func TestBalanceChartsDrawFromTheStore(t *testing.T) {
	u, env := newTestUI(t, failingAPI{}, false)
	now := time.Now()
	for i, b := range []string{"100.00", "99.16", "98.50"} {
		if _, err := env.Store.RecordBalance(client.Balance{Balance: client.MustDecimal(b), Currency: "USD"}, now.Add(time.Duration(i-3)*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	u.balance.loadCharts()
	if len(u.balance.history.points) != 4 { // 3 points, the last held until now
		t.Fatalf("history points = %d", len(u.balance.history.points))
	}
	u.balance.history.Resize(fyne.NewSize(400, 200))
	r := test.WidgetRenderer(u.balance.history)
	lines, texts := 0, map[string]bool{}
	for _, o := range r.Objects() {
		switch v := o.(type) {
		case *canvas.Line:
			lines++
		case *canvas.Text:
			texts[v.Text] = true
		}
	}
	// The axis fits the balances (98.50 to 100.00), with a margin: not from zero.
	if lines < 2+4 || !texts["100.15"] || !texts["98.35"] || texts["0.00"] {
		t.Fatalf("chart: %d lines, labels %v", lines, texts)
	}
	u.balance.spending.Resize(fyne.NewSize(400, 200))
	if n := len(test.WidgetRenderer(u.balance.spending).Objects()); n < 30 {
		t.Fatalf("spending chart has %d objects for 30 days", n)
	}
}

func TestChartRangeFitsTheBalance(t *testing.T) {
	d := func(s string) decimal.Decimal { return client.MustDecimal(s).Decimal }
	lo, hi := chartRange(d("98.12"), d("100.00"), false)
	// The 1.88 change takes most of the height, not 2 % of it.
	if !lo.GreaterThan(d("90")) || !hi.LessThan(d("110")) || !lo.LessThan(d("98.12")) || !hi.GreaterThan(d("100")) {
		t.Fatalf("balance range %s–%s", lo, hi)
	}
	if lo, _ := chartRange(d("0.00"), d("1.88"), true); !lo.IsZero() {
		t.Fatalf("bars start at %s", lo)
	}
	if lo, hi := chartRange(d("5.00"), d("5.00"), false); !lo.LessThan(d("5")) || !hi.GreaterThan(d("5")) {
		t.Fatalf("flat balance range %s–%s", lo, hi)
	}
	day := time.Date(2026, 12, 2, 9, 0, 0, 0, time.Local)
	if from, to := dateLabels(day, day.Add(5*time.Hour)); from != "09:00" || to != "14:00" {
		t.Fatalf("same day: %q %q", from, to)
	}
	if from, to := dateLabels(day.AddDate(0, 0, -29), day); from == to || to == "" {
		t.Fatalf("a month: %q %q", from, to)
	}
}

// The transactions under the charts: every charge of the journal, newest first.
func TestBalanceTransactionsListed(t *testing.T) {
	u, env := newTestUI(t, failingAPI{}, false)
	st := env.Store
	sp, _ := st.BeginAdd(client.AddRequest{Service: 1, Quantity: 100}, "Likes", client.MustDecimal("1.50"))
	if _, err := st.MarkPlaced(sp.ID, 501); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RecordOrderStatus(501, client.OrderStatus{Status: "Completed", Charge: client.MustDecimal("1.50"), Currency: "USD"}); err != nil {
		t.Fatal(err)
	}
	u.balance.loadCharts()
	if u.balance.txList.Length() != 1 || u.balance.txMsg.Visible() {
		t.Fatalf("%d transactions listed", u.balance.txList.Length())
	}
	row := u.balance.txList.CreateItem()
	u.balance.txList.UpdateItem(0, row)
	if txt := labelTexts(row); !strings.Contains(txt, "Order #501 · Likes") || !strings.Contains(txt, "-1.50 USD") {
		t.Fatalf("row = %q", txt)
	}
}
