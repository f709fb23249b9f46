package gui

import (
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
)

// ordersTab will list the order journal; until the store exists it explains what it will hold.
type ordersTab struct {
	item *container.TabItem
}

func newOrdersTab(*UI) *ordersTab {
	msg := newMessageBox()
	msg.show(lang.L("No orders yet. Orders you place from the Catalog or a Shop appear here, with their status and delivered accounts."), "", nil)
	return &ordersTab{item: container.NewTabItemWithIcon(lang.L("Orders"), theme.ListIcon(), msg.root)}
}
