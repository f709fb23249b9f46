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
