package gui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	"github.com/hstockplus/hstockplus/cache"
	"github.com/hstockplus/hstockplus/client"
)

func TestSpendingPerDayIsExact(t *testing.T) {
	now := time.Date(2026, 11, 22, 15, 0, 0, 0, time.Local)
	d := client.MustDecimal
	orders := []cache.Order{
		{PlacedAt: now.Add(-time.Hour), Charge: d("0.1000")},
		{PlacedAt: now.Add(-2 * time.Hour), Charge: d("0.2000")},
		{PlacedAt: now.AddDate(0, 0, -1), Charge: d("5.0050")},
		{PlacedAt: now.AddDate(0, 0, -40), Charge: d("99.00")}, // outside the window
		{PlacedAt: now, Estimate: d("3.00")},                   // no charge reported yet
	}
	numbers := []cache.SMSNumber{{PlacedAt: now.Add(-3 * time.Hour), Charge: d("0.5000")}}
	got := spendingPerDay(orders, numbers, 30, now)
	if len(got) != 30 {
		t.Fatalf("%d days", len(got))
	}
	if today := got[29].Value.StringFixed(4); today != "0.8000" { // 0.1 + 0.2 + 0.5, exactly
		t.Fatalf("today = %s", today)
	}
	if y := got[28].Value.StringFixed(4); y != "5.0050" {
		t.Fatalf("yesterday = %s", y)
	}
	for i := 0; i < 28; i++ {
		if !got[i].Value.IsZero() {
			t.Fatalf("day %d = %s", i, got[i].Value)
		}
	}
	if !got[29].At.Equal(time.Date(2026, 11, 22, 0, 0, 0, 0, time.Local)) {
		t.Fatalf("last day starts %v", got[29].At)
	}
}

func TestBalanceChartsDrawFromTheStore(t *testing.T) {
	st := memStore(t)
	now := time.Now()
	for i, b := range []string{"100.00", "99.16", "98.50"} {
		if _, err := st.RecordBalance(client.Balance{Balance: client.MustDecimal(b), Currency: "USD"}, now.Add(time.Duration(i-3)*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	u := New(test.NewTempApp(t), Deps{API: failingAPI{}, Store: st})
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
	if lines < 2+4 || !texts["100.00"] || !texts["0.00"] {
		t.Fatalf("chart: %d lines, labels %v", lines, texts)
	}
	u.balance.spending.Resize(fyne.NewSize(400, 200))
	if n := len(test.WidgetRenderer(u.balance.spending).Objects()); n < 30 {
		t.Fatalf("spending chart has %d objects for 30 days", n)
	}
}
