package gui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/hstockplus/hstockplus/account"
	"github.com/hstockplus/hstockplus/client"
	"github.com/hstockplus/hstockplus/internal/tr"
)

// watchService: the watch list (the detail pane's Watch box, the Catalog's Watched filter).
type watchService interface {
	Watches() ([]account.Watch, error)
	Watched(service int64) (account.Watch, bool, error)
	SetWatch(row client.Service, opts account.WatchOptions) (account.Watch, error)
	Unwatch(service int64) error
}

// watchBox is the detail pane's "Watch" toggle and its options: back in stock, a price drop (any,
// or below a price the user types), a new variant (products). Every change is saved at once
// through the service layer; the poller and catalog refreshes then announce the changes.
type watchBox struct {
	ui  *UI
	svc watchService
	// changed is told when an item starts or stops being watched (the Catalog's filter).
	changed func(service int64, on bool)

	root                  *fyne.Container
	on                    *widget.Check
	opts                  *fyne.Container
	stock, price, variant *widget.Check
	mode                  *widget.RadioGroup
	below                 *widget.Entry
	belowRow              *fyne.Container
	unit                  *widget.Label // "/ 1000" or "each": what the price is of
	note                  *widget.Label

	row     client.Service
	has     bool
	seq     int
	filling bool // the widgets are being set from the store: no save
}

func newWatchBox(u *UI, svc watchService) *watchBox {
	w := &watchBox{ui: u, svc: svc}
	w.on = widget.NewCheck(tr.L("Watch: tell me when it changes"), func(bool) { w.edited() })
	w.stock = widget.NewCheck(tr.L("Back in stock"), func(bool) { w.edited() })
	w.price = widget.NewCheck(tr.L("Price drops"), func(bool) { w.edited() })
	w.variant = widget.NewCheck(tr.L("A new variant appears"), func(bool) { w.edited() })
	anyDrop, belowX := tr.L("by any amount"), tr.L("below this price:")
	w.mode = widget.NewRadioGroup([]string{anyDrop, belowX}, func(string) { w.edited() })
	w.mode.Horizontal = true
	w.mode.Required = true
	w.below = widget.NewEntry()
	w.below.SetPlaceHolder("0.00")
	w.below.Validator = func(s string) error {
		if w.mode.Selected != belowX || parseWatchPrice(s) != nil {
			return nil
		}
		return fmt.Errorf("%s", tr.L("Enter a price above zero, such as 0.50."))
	}
	w.below.OnChanged = func(string) { w.edited() }
	w.note = newWrapLabel()
	w.note.Importance = widget.LowImportance
	w.unit = widget.NewLabel("")
	w.belowRow = container.NewBorder(nil, nil, nil, w.unit, w.below)
	w.opts = container.NewVBox(container.NewHBox(w.stock, w.price), w.mode, w.belowRow, w.variant)
	w.opts.Hide()
	w.root = container.NewVBox(widget.NewSeparator(), w.on, w.opts, w.note)
	if svc == nil {
		w.root.Hide()
	}
	return w
}

// parseWatchPrice reads a price above zero, exactly ("1,5" is 1.5); nil when it is not one.
func parseWatchPrice(s string) *client.Decimal {
	d := parsePrice(s)
	if d == nil || !d.IsPositive() {
		return nil
	}
	return d
}

// show reads whether s is watched (off the UI goroutine) and sets the box. UI goroutine only.
func (w *watchBox) show(s client.Service) {
	if w.svc == nil {
		return
	}
	w.seq++
	seq := w.seq
	w.row, w.has = s, true
	w.variant.Hidden = !s.IsProduct()
	w.below.SetPlaceHolder("0.00")
	if s.PriceKnown() {
		w.below.SetPlaceHolder(money(s.Rate))
	}
	w.unit.SetText(priceUnit(s))
	w.fill(account.Watch{}, false)
	w.ui.background(func(context.Context) {
		cur, ok, err := w.svc.Watched(s.Service)
		fyne.Do(func() {
			if seq != w.seq {
				return
			}
			if err != nil {
				w.note.SetText(fmt.Sprintf(tr.L("The watch list could not be read: %s"), describeError(err)))
				w.note.Show()
				return
			}
			w.fill(cur, ok)
		})
	})
}

// fill sets the widgets from a watch (ok false: not watched). UI goroutine only.
func (w *watchBox) fill(cur account.Watch, ok bool) {
	w.filling = true
	defer func() { w.filling = false }()
	w.on.SetChecked(ok)
	o := account.OptionsOf(cur)
	if !ok {
		o = defaultWatch(w.row)
	}
	w.stock.SetChecked(o.BackInStock)
	w.price.SetChecked(o.PriceDrop)
	w.variant.SetChecked(o.NewVariant)
	if o.Below != nil {
		w.mode.SetSelected(w.mode.Options[1])
		w.below.SetText(o.Below.String())
	} else {
		w.mode.SetSelected(w.mode.Options[0])
		w.below.SetText("")
	}
	w.layout()
	w.note.SetText("")
	w.note.Hide()
}

// defaultWatch is what a new watch asks for: stock and any price drop, and variants of a product.
func defaultWatch(s client.Service) account.WatchOptions {
	return account.WatchOptions{BackInStock: true, PriceDrop: true, NewVariant: s.IsProduct()}
}

// layout shows the options of a watched item, and the price entry when it is used.
func (w *watchBox) layout() {
	w.opts.Hidden = !w.on.Checked
	w.mode.Hidden = !w.price.Checked
	w.belowRow.Hidden = !w.price.Checked || w.mode.Selected != w.mode.Options[1]
	w.root.Refresh()
}

// edited saves what the widgets now say (unless they are being filled, or the price is not one).
func (w *watchBox) edited() {
	if w.filling || !w.has {
		return
	}
	w.layout()
	on := w.on.Checked
	opts := account.WatchOptions{BackInStock: w.stock.Checked, PriceDrop: w.price.Checked, NewVariant: w.variant.Checked && w.row.IsProduct()}
	if on && opts.PriceDrop && w.mode.Selected == w.mode.Options[1] {
		opts.Below = parseWatchPrice(w.below.Text)
		if opts.Below == nil {
			w.note.Importance = widget.LowImportance
			if strings.TrimSpace(w.below.Text) != "" {
				_ = w.below.Validate()
				w.note.Importance = widget.DangerImportance
			}
			w.note.SetText(tr.L("Enter a price above zero, such as 0.50."))
			w.note.Show()
			return // not saved until it is a price
		}
	}
	w.note.Hide()
	if on && !opts.Any() {
		w.note.SetText(tr.L("Choose what to be told about."))
		w.note.Importance = widget.LowImportance
		w.note.Show()
		return
	}
	row, changed := w.row, w.changed
	w.ui.background(func(context.Context) {
		var err error
		if on {
			_, err = w.svc.SetWatch(row, opts)
		} else {
			err = w.svc.Unwatch(row.Service)
		}
		fyne.Do(func() {
			if err != nil {
				showInformation(tr.L("The watch list could not be saved"), describeError(err), w.ui.win)
				return
			}
			if changed != nil {
				changed(row.Service, on)
			}
		})
	})
}
