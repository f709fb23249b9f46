package gui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

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
	if lines < 2+4 || !texts["100.00"] || !texts["0.00"] {
		t.Fatalf("chart: %d lines, labels %v", lines, texts)
	}
	u.balance.spending.Resize(fyne.NewSize(400, 200))
	if n := len(test.WidgetRenderer(u.balance.spending).Objects()); n < 30 {
		t.Fatalf("spending chart has %d objects for 30 days", n)
	}
}
