package gui

import (
	"fmt"

	"github.com/hstockplus/hstockplus/account"
	"github.com/hstockplus/hstockplus/internal/tr"
)

// NotificationText is the text of an event's desktop notification in the interface language
// (account.AlertParams.Format); title "" means no notification. Like account.DefaultText, its
// English twin, it never includes credentials, includes an SMS code only when the event carries
// it, and cleans and bounds what the server sent. Safe from any goroutine.
func NotificationText(ev account.Event, copied bool) (title, body string) {
	ev.Label, ev.Phone = short(ev.Label, 80), short(ev.Phone, 32)
	ev.Status, ev.Currency = short(ev.Status, maxShort), short(ev.Currency, maxCurrency)
	name := func() string {
		if ev.Label != "" {
			return fmt.Sprintf(tr.L("%s (order #%d)"), ev.Label, ev.Order)
		}
		return fmt.Sprintf(tr.L("Order #%d"), ev.Order)
	}
	number := func() string {
		if ev.Phone != "" {
			return ev.Phone
		}
		return fmt.Sprintf(tr.L("number #%d"), ev.Order)
	}
	switch ev.Kind {
	case account.KindStatusChanged:
		return name() + ": " + ev.Status, fmt.Sprintf(tr.L("The order is now %s."), ev.Status)
	case account.KindDelivered:
		title = fmt.Sprintf(tr.N("%s: %d accounts delivered", ev.Count), name(), ev.Count)
		body = tr.L("Open HstockPlus to see them.")
		if ev.Status != "" {
			body = fmt.Sprintf(tr.L("The order is now %s."), ev.Status) + " " + body
		}
		if copied {
			body += " " + tr.L("Copied to the clipboard.")
		}
		return title, body
	case account.KindCodeReceived:
		title = fmt.Sprintf(tr.L("SMS code for %s"), number())
		if len(ev.Deliveries) > 0 {
			body = fmt.Sprintf(tr.L("Code: %s."), short(ev.Deliveries[len(ev.Deliveries)-1].Value, maxShort))
		} else {
			body = tr.L("A code arrived.")
		}
		if copied {
			body += " " + tr.L("Copied to the clipboard.")
		} else {
			body += " " + tr.L("Open HstockPlus to see it.")
		}
		return title, body
	case account.KindNumberExpired:
		return tr.L("Number expired"), fmt.Sprintf(tr.L("%s expired without receiving a code."), number())
	case account.KindLowBalance:
		return tr.L("Low balance"), fmt.Sprintf(tr.L("Your balance is %s %s, below %s."), money(ev.Balance), ev.Currency, money(ev.Threshold))
	}
	return "", ""
}
