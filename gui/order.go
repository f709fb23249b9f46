package gui

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/hstockplus/hstockplus/cache"
	"github.com/hstockplus/hstockplus/client"
)

// orderOutcome is what became of one order attempt.
type orderOutcome int

const (
	orderPlaced      orderOutcome = iota // the server gave an order id
	orderNotPlaced                       // refused or never sent: nothing was spent
	orderUnconfirmed                     // the answer was lost: it may have been placed
)

// knownBalance is the last balance seen, if any. UI goroutine only.
func (u *UI) knownBalance() (client.Balance, bool) {
	if u.balance == nil || u.balance.known == nil { // nil while the tabs are being built
		return client.Balance{}, false
	}
	return *u.balance.known, true
}

// currency is the account currency as last seen; HstockPlus accounts are in USD.
func (u *UI) currency() string {
	if b, ok := u.knownBalance(); ok && b.Currency != "" {
		return b.Currency
	}
	return "USD"
}

// confirmOrder states exactly what will be bought and spent, and places the order when the user
// confirms. UI goroutine only.
func (u *UI) confirmOrder(s client.Service, req client.AddRequest) {
	cost := s.EstimateCost(req.Quantity)
	text := fmt.Sprintf(lang.L("Buy %s × %s (#%d)"), groupDigits(req.Quantity), s.Name, s.Service)
	switch {
	case req.Link != "":
		text += "\n" + fmt.Sprintf(lang.L("for %s"), req.Link)
	case s.IsProduct():
		text += "\n" + lang.L("delivered to your account's e-mail")
	}
	if req.Comments != "" {
		text += "\n" + fmt.Sprintf(lang.L("with %d comments"), countLines(req.Comments))
	}
	text += "\n\n" + fmt.Sprintf(lang.L("Estimated cost: %s %s (%s)."), cost.StringFixed(4), u.currency(), priceText(s))
	if b, ok := u.knownBalance(); ok {
		text += "\n" + fmt.Sprintf(lang.L("Your balance: %s %s."), b.Balance, b.Currency)
	}
	text += "\n" + lang.L("The final charge is the one HstockPlus reports for the order.")
	u.confirmSpend(lang.L("Confirm the order"), lang.L("Place order"), text, func(ctx context.Context) func() {
		out, id, err := u.placeOrder(ctx, s, req, cost)
		return func() { u.showOrderOutcome(s, req, cost, out, id, err) }
	})
}

// confirmSpend asks the user to confirm a purchase described by text. On yes, spend runs off the
// UI goroutine (with a timeout) and the function it returns, which shows the outcome, runs on
// the UI goroutine. UI goroutine only.
func (u *UI) confirmSpend(title, confirm, text string, spend func(ctx context.Context) func()) {
	msg := widget.NewLabel(text)
	msg.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm(title, confirm, lang.L("Cancel"), msg, func(ok bool) {
		if !ok {
			return
		}
		u.async(func() {
			ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
			defer cancel()
			show := spend(ctx)
			fyne.Do(show)
		})
	}, u.win)
	d.Resize(fyne.NewSize(500, 0))
	d.Show()
}

// spendOnce is the protocol of every call that spends money: begin writes the journal entry
// (a synced write) before send is called, once; a call that worked is settled by placed, one
// that provably never took effect (client.ErrNotSent: refused, or never sent) is marked failed,
// and any other failure — the request may have reached the server — is marked unconfirmed for
// the user to resolve. Nothing is ever re-sent. afterwards runs when something may have been
// bought (the poller and the tab look at it). Off the UI goroutine.
func (u *UI) spendOnce(what string, begin func() (cache.Spend, error), send func() error, placed func(cache.Spend) error, afterwards func()) (orderOutcome, error) {
	sp, err := begin()
	if err != nil {
		return orderNotPlaced, fmt.Errorf(lang.L("could not record the %s before sending it, so it was not sent: %w"), what, err)
	}
	err = send()
	st := u.deps.Store
	switch {
	case err == nil:
		if jerr := placed(sp); jerr != nil {
			u.deps.Logf("journal: %s placed but not recorded as such: %v", what, jerr)
		}
		afterwards()
		return orderPlaced, nil
	case errors.Is(err, client.ErrNotSent):
		if jerr := st.MarkFailed(sp.ID, describeError(err)); jerr != nil {
			u.deps.Logf("journal: %v", jerr)
		}
		return orderNotPlaced, err
	default:
		if jerr := st.MarkUnconfirmed(sp.ID, describeError(err)); jerr != nil {
			u.deps.Logf("journal: %v", jerr)
		}
		u.deps.Logf("journal: outcome unknown for a %s (entry %d)", what, sp.ID)
		afterwards()
		return orderUnconfirmed, err
	}
}

// placeOrder journals the order, sends it once and records what became of it (spendOnce).
// Off the UI goroutine.
func (u *UI) placeOrder(ctx context.Context, s client.Service, req client.AddRequest, estimate client.Decimal) (orderOutcome, int64, error) {
	st := u.deps.Store
	if st == nil {
		return orderNotPlaced, 0, errors.New(lang.L("The local store is not open: orders cannot be recorded, so none is placed."))
	}
	var res *client.AddResult
	out, err := u.spendOnce(lang.L("order"),
		func() (cache.Spend, error) { return st.BeginAdd(req, s.Name, estimate) },
		func() (err error) { res, err = u.deps.API.Add(ctx, req); return err },
		func(sp cache.Spend) error {
			u.deps.Logf("order: placed #%d (service %d × %d)", res.Order, req.Service, req.Quantity)
			_, err := st.MarkPlaced(sp.ID, res.Order)
			return err
		},
		u.notifyPlaced)
	if out == orderPlaced {
		return out, res.Order, nil
	}
	return out, 0, err
}

func (u *UI) notifyPlaced() {
	if u.deps.OnPlaced != nil {
		u.deps.OnPlaced()
	}
	fyne.Do(u.orders.reload)
}

// showOrderOutcome tells the user, in words, what became of the order. UI goroutine only.
func (u *UI) showOrderOutcome(s client.Service, req client.AddRequest, cost client.Decimal, out orderOutcome, id int64, err error) {
	switch out {
	case orderPlaced:
		dialog.ShowInformation(lang.L("Order placed"), fmt.Sprintf(lang.L("Order #%s is placed. You will be told when it is delivered; follow it in the Orders tab."), strconv.FormatInt(id, 10)), u.win)
		u.background(u.balance.load)
	case orderUnconfirmed:
		dialog.ShowInformation(lang.L("Order not confirmed"), lang.L("The connection broke before HstockPlus answered, so the order may or may not have been placed. It was NOT sent again.\n\nIt is listed as unconfirmed in the Orders tab. Check your balance: if it went down by the order's cost, the order was placed."), u.win)
		u.background(u.balance.load)
	default:
		dialog.ShowInformation(lang.L("Order not placed"), orderErrorText(err, cost, u), u.win)
	}
}

// orderErrorText explains a refused order, with the shortfall when the balance is too low.
func orderErrorText(err error, cost client.Decimal, u *UI) string {
	if errors.Is(err, client.ErrInsufficientBalance) {
		if b, ok := u.knownBalance(); ok {
			short := cost.Sub(b.Balance.Decimal)
			if short.IsPositive() {
				return fmt.Sprintf(lang.L("Your balance (%s %s) is too low for this order (about %s %s): %s %s short. Nothing was spent."),
					b.Balance, b.Currency, cost.StringFixed(2), b.Currency, short.StringFixed(2), b.Currency)
			}
		}
		return lang.L("Your balance is too low for this order. Nothing was spent.")
	}
	return describeError(err) + " " + lang.L("Nothing was spent.")
}
