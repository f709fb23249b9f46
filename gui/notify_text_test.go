package gui

import (
	"strings"
	"testing"

	"github.com/hstockplus/hstockplus/account"
	"github.com/hstockplus/hstockplus/client"
	"github.com/hstockplus/hstockplus/internal/tr"
)

func TestNotificationsInTheInterfaceLanguage(t *testing.T) {
	t.Cleanup(func() { tr.Set("") })
	delivered := account.Event{Kind: account.KindDelivered, Order: 7, Label: "Gmail\u202e", Count: 5, Status: "Completed"}
	code := account.Event{Kind: account.KindCodeReceived, Order: 9, Phone: "+15550001", Deliveries: []account.Delivery{{Value: "4821"}}}
	low := account.Event{Kind: account.KindLowBalance, Balance: client.MustDecimal("0.5"), Currency: "USD", Threshold: client.MustDecimal("1")}

	tr.Set("en")
	if _, body := NotificationText(low, false); body != "Your balance is 0.50 USD, below 1.00." { // money's one form
		t.Errorf("en low balance: %q", body)
	}
	for _, ev := range []account.Event{delivered, code, {Kind: account.KindNumberExpired, Phone: "+1"}, {Kind: account.KindStatusChanged, Order: 3, Status: "Partial"}} {
		gt, gb := NotificationText(ev, true)
		wt, wb := account.DefaultText(ev, true)
		if gt != wt || gb != wb {
			t.Errorf("English differs from account.DefaultText for %s:\n%q %q\n%q %q", ev.Kind, gt, gb, wt, wb)
		}
	}

	tr.Set("ru")
	title, body := NotificationText(delivered, true)
	if title != "Gmail (заказ #7): выдано 5 аккаунтов" || !strings.Contains(body, "Скопировано в буфер обмена.") {
		t.Fatalf("ru delivered: %q / %q", title, body)
	}
	if title, _ := NotificationText(account.Event{Kind: account.KindDelivered, Order: 7, Count: 21}, false); !strings.Contains(title, "выдан 21 аккаунт") {
		t.Fatalf("ru 21: %q", title)
	}
	if title, body := NotificationText(code, false); title != "SMS-код для +15550001" || !strings.Contains(body, "Код: 4821.") {
		t.Fatalf("ru code: %q / %q", title, body)
	}
	tr.Set("ja")
	if title, body := NotificationText(low, false); title != "残高不足" || !strings.Contains(body, "0.50 USD") {
		t.Fatalf("ja low balance: %q / %q", title, body)
	}
}

func TestWatchNotificationsInTheInterfaceLanguage(t *testing.T) {
	t.Cleanup(func() { tr.Set("") })
	stock := account.Event{Kind: account.KindBackInStock, ID: 1, Service: 12, Label: "Gmail", Stock: 5}
	drop := account.Event{Kind: account.KindPriceDrop, ID: 2, Service: 12, Label: "Gmail", Price: client.MustDecimal("0.4500"), OldPrice: client.MustDecimal("0.50")}
	below := drop
	below.Threshold = client.MustDecimal("0.48")
	variant := account.Event{Kind: account.KindNewVariant, ID: 3, Service: 12, Variant: "3 Months"}

	tr.Set("en")
	want := map[account.Kind][2]string{
		account.KindBackInStock: {"Back in stock", "Gmail is back in stock: 5 available."},
		account.KindNewVariant:  {"New variant", "Service #12 has a new variant: 3 Months."},
	}
	for _, ev := range []account.Event{stock, variant} {
		if title, body := NotificationText(ev, false); title != want[ev.Kind][0] || body != want[ev.Kind][1] {
			t.Errorf("en %s: %q / %q", ev.Kind, title, body)
		}
	}
	if _, body := NotificationText(drop, false); body != "Gmail now costs 0.45 (was 0.50)." {
		t.Errorf("en price drop: %q", body)
	}
	if _, body := NotificationText(below, false); body != "Gmail now costs 0.45, below your 0.48 (was 0.50)." {
		t.Errorf("en price below: %q", body)
	}
	tr.Set("ja")
	if title, body := NotificationText(stock, false); title != "再入荷" || !strings.Contains(body, "在庫 5") {
		t.Errorf("ja back in stock: %q / %q", title, body)
	}
	if title, body := NotificationText(below, false); title != "値下がり" || !strings.Contains(body, "0.48") {
		t.Errorf("ja price below: %q / %q", title, body)
	}
}
