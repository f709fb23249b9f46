package gui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hstockplus/hstockplus/client"
	"github.com/hstockplus/hstockplus/internal/tr"
)

// shopsTab lists the marketplace's shops, loaded when the tab is first opened; selecting one
// lists its products with the Catalog's rows and detail pane, to order from.
type shopsTab struct {
	ui     *UI
	svc    shopsService
	item   *container.TabItem
	shops  []client.Shop // UI goroutine only
	loaded bool
	list   *widget.List
	count  *widget.Label
	msg    *messageBox

	shop     *client.Shop     // the selected shop
	products []client.Service // its products
	seq      int              // drops answers for a shop no longer selected
	prodList *widget.List
	prodHead *widget.Label
	prodMsg  *messageBox
	detail   *serviceDetail
}

func newShopsTab(u *UI) *shopsTab {
	t := &shopsTab{ui: u, svc: u.deps.Account, count: widget.NewLabel(""), msg: newMessageBox(), prodHead: widget.NewLabel(""), prodMsg: newMessageBox()}
	t.prodHead.TextStyle.Bold = true
	t.prodHead.Wrapping = fyne.TextWrapWord // the selected shop's name in full: its row cuts it
	t.list = widget.NewList(
		func() int { return len(t.shops) },
		func() fyne.CanvasObject {
			name := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			name.Truncation = fyne.TextTruncateEllipsis // a long name must not widen the pane
			info := widget.NewLabel("")
			info.SizeName = theme.SizeNameCaptionText
			info.Truncation = fyne.TextTruncateEllipsis
			return tightVBox(name, info)
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(t.shops) {
				return
			}
			s := t.shops[id]
			c := o.(*fyne.Container)
			c.Objects[0].(*widget.Label).SetText(short(s.Name, maxName))
			c.Objects[1].(*widget.Label).SetText(shopInfo(s))
		},
	)
	t.list.OnSelected = func(id widget.ListItemID) {
		if id < len(t.shops) {
			t.selectShop(t.shops[id])
		}
	}
	t.detail = newServiceDetail(u)
	t.prodList = widget.NewList(
		func() int { return len(t.products) },
		newServiceRow,
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(t.products) {
				s := t.products[id]
				setServiceRow(o, s, u.catalog.favs[s.Service], u.catalog.toggleFavourite)
			}
		},
	)
	t.prodList.OnSelected = func(id widget.ListItemID) {
		if id < len(t.products) {
			t.detail.show(t.products[id])
		}
	}
	t.msg.show(tr.L("Loading shops…"), "", nil)
	t.prodMsg.show(tr.L("Select a shop to see its products."), "", nil)
	shops := container.NewBorder(t.count, nil, nil, nil, container.NewStack(t.list, t.msg.root))
	products := container.NewBorder(t.prodHead, nil, nil, nil, container.NewStack(t.prodList, t.prodMsg.root))
	right := container.NewHSplit(products, t.detail.root)
	right.Offset = 0.58
	split := container.NewHSplit(shops, right)
	split.Offset = 0.28
	t.item = container.NewTabItemWithIcon(tr.L("Shops"), theme.StorageIcon(), split)
	return t
}

func shopInfo(s client.Shop) string {
	return fmt.Sprintf(tr.L("%s %.1f · %s reviews · %s products"), stars(s.Rating), s.Rating, groupDigits(int64(s.ReviewCount)), groupDigits(int64(s.ProductCount)))
}

// selectShop lists the products of s, fetched off the UI goroutine. UI goroutine only.
func (t *shopsTab) selectShop(s client.Shop) {
	t.seq++
	seq := t.seq
	t.shop = &s
	t.products = nil
	t.prodList.UnselectAll()
	t.prodList.Refresh()
	t.prodHead.SetText(short(s.Name, maxName) + " — " + shopInfo(s))
	t.prodMsg.show(tr.L("Loading the shop's products…"), "", nil)
	t.ui.background(func(ctx context.Context) {
		products, err := t.svc.ShopProducts(ctx, s.ID)
		fyne.Do(func() {
			if seq != t.seq {
				return
			}
			if err != nil {
				t.prodMsg.show(fmt.Sprintf(tr.L("Could not load this shop's products: %s"), describeError(err)), tr.L("Try again"), func() { t.selectShop(s) })
				return
			}
			t.products = products
			if len(t.products) == 0 {
				t.prodMsg.show(tr.L("This shop has nothing for sale right now."), "", nil)
			} else {
				t.prodMsg.root.Hide()
			}
			t.prodList.Refresh()
		})
	})
}

// ensureLoaded starts the first load. UI goroutine only.
func (t *shopsTab) ensureLoaded() {
	if t.loaded {
		return
	}
	t.loaded = true
	t.ui.background(t.load)
}

func (t *shopsTab) load(ctx context.Context) {
	shops, saved, err := t.svc.Shops(ctx)
	fyne.Do(func() {
		if err != nil && saved.IsZero() {
			t.msg.show(fmt.Sprintf(tr.L("Could not load the shops: %s"), describeError(err)), tr.L("Try again"), func() {
				t.msg.show(tr.L("Loading shops…"), "", nil)
				t.ui.background(t.load)
			})
			return
		}
		t.shops = shops
		if len(t.shops) == 0 {
			t.msg.show(tr.L("No shops are open right now."), "", nil)
		} else {
			t.msg.root.Hide()
		}
		if err != nil {
			t.count.SetText(fmt.Sprintf(tr.L("%d shops, saved %s — %s"), len(shops), formatWhen(saved), describeError(err)))
		} else {
			t.count.SetText(fmt.Sprintf(tr.N("%d shops", len(shops)), len(shops)))
		}
		t.list.Refresh()
	})
}

// stars renders a 0–5 rating as five stars, rounded to the nearest whole star.
func stars(r float64) string {
	n := int(r + 0.5)
	n = max(0, min(5, n))
	return strings.Repeat("★", n) + strings.Repeat("☆", 5-n)
}
