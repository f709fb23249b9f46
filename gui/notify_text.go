package gui

import (
	"github.com/hstockplus/hstockplus/account"
	"github.com/hstockplus/hstockplus/client"
	"github.com/hstockplus/hstockplus/internal/tr"
)

// NotificationText is the text of an event's desktop notification in the interface language
// (account.AlertParams.Format): account's notification texts in the window's words. Safe from
// any goroutine.
var NotificationText account.Format = account.Words{
	L:     tr.L,
	N:     tr.N,
	Money: func(d client.Decimal) string { return money(d) },
}.Text
