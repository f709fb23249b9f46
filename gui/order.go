package gui

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/hstockplus/hstockplus/account"
	"github.com/hstockplus/hstockplus/client"
	"github.com/hstockplus/hstockplus/internal/tr"
)

// knownBalance is the last balance read, if any.
func (u *UI) knownBalance() (client.Balance, bool) {
	r, ok := u.deps.Account.Balance()
	r.Balance.Currency = short(r.Balance.Currency, maxCurrency)
	return r.Balance, ok
}

// currency is the account currency as last seen; HstockPlus accounts are in USD.
func (u *UI) currency() string { return short(u.deps.Account.Currency(), maxCurrency) }

// confirmOrder states exactly what will be bought and spent, and places the order when the user
// confirms; busy shows the progress on the form's button (may be nil). An identical order still
// being sent or unconfirmed is said, and placing another needs an explicit yes. UI goroutine only.
func (u *UI) confirmOrder(s client.Service, req client.AddRequest, busy func(bool)) {
	cost, known := s.EstimateCost(req.Quantity)
	text := fmt.Sprintf(tr.L("Buy %s × %s (#%d)"), groupDigits(req.Quantity), short(s.Name, maxName), s.Service)
	switch {
	case req.Link != "":
		text += "\n" + fmt.Sprintf(tr.L("for %s"), short(req.Link, maxLine))
	case s.IsProduct():
		text += "\n" + tr.L("delivered to your account's e-mail")
	}
	if req.Comments != "" {
		text += "\n" + fmt.Sprintf(tr.N("with %d comments", countLines(req.Comments)), countLines(req.Comments))
	}
	if svcPlatform, linked, bad := platformMismatch(s.Category, s.Name, req.Link); bad {
		text = fmt.Sprintf(tr.L("⚠ The service is for %s, but the link is on %s: such an order is paid and not delivered. Check the link."), svcPlatform, linked) + "\n\n" + text
	}
	if known {
		text += "\n\n" + fmt.Sprintf(tr.L("Estimated cost: %s %s (%s)."), money(cost), u.currency(), priceText(s))
	} else {
		text += "\n\n" + tr.L("⚠ The price is unknown: HstockPlus did not say what this costs. The charge is known only once the order is placed, and it may be any amount.")
	}
	if b, ok := u.knownBalance(); ok {
		text += "\n" + fmt.Sprintf(tr.L("Your balance: %s %s."), money(b.Balance), b.Currency)
	}
	text += "\n" + tr.L("The final charge is the one HstockPlus reports for the order.")
	svc := u.deps.Account
	u.async(func() {
		similar, err := svc.OrdersInFlight(req)
		if err != nil {
			u.deps.Logf("orders: reading the journal: %v", err)
		}
		fyne.Do(func() {
			title, confirm := tr.L("Confirm the order"), tr.L("Place order")
			if !known {
				title, confirm = tr.L("Order at an unknown price?"), tr.L("Yes, order at the unknown price")
			}
			if len(similar) > 0 {
				title, confirm = tr.L("Place the same order again?"), tr.L("Yes, place it again")
				text = inFlightText(similar, tr.L("An identical order")) + "\n\n" + text
			}
			u.confirmSpend(title, confirm, text, busy, func(ctx context.Context) func() {
				placed, err := svc.PlaceOrder(ctx, req, s.Name, cost)
				return func() { u.showOrderOutcome(placed, cost, err) }
			})
		})
	})
}

// inFlightText says that what (an identical order or purchase) is still on its way or
// unconfirmed, since when.
func inFlightText(similar []account.Spend, what string) string {
	last := similar[len(similar)-1]
	if last.State == account.SpendSending {
		return fmt.Sprintf(tr.L("⚠ %s is being sent right now (since %s). Placing another one may buy it twice."), what, formatWhen(last.CreatedAt))
	}
	return fmt.Sprintf(tr.L("⚠ %s sent at %s is unconfirmed: the answer was lost, so it may have been placed. Check the Orders tab and your balance first: placing another one may buy it twice."), what, formatWhen(last.CreatedAt))
}

// confirmSpend asks the user to confirm a purchase described by text. On yes, spend runs off the
// UI goroutine (with a timeout) while busy (may be nil) shows the progress, and the function it
// returns, which shows the outcome, runs on the UI goroutine. UI goroutine only.
func (u *UI) confirmSpend(title, confirm, text string, busy func(bool), spend func(ctx context.Context) func()) {
	msg := widget.NewLabel(text)
	msg.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm(title, confirm, tr.L("Cancel"), msg, func(ok bool) {
		if !ok {
			return
		}
		if busy != nil {
			busy(true)
		}
		u.async(func() {
			ctx, cancel := context.WithTimeout(u.deps.Context, requestTimeout)
			defer cancel()
			show := spend(ctx)
			fyne.Do(func() {
				if busy != nil {
					busy(false)
				}
				show()
			})
		})
	}, u.win)
	d.Resize(fyne.NewSize(500, 0))
	showDialog(d, u.win)
}

// showOrderOutcome tells the user, in words, what became of the order. UI goroutine only.
func (u *UI) showOrderOutcome(placed account.Placement, cost client.Decimal, err error) {
	switch placed.Outcome {
	case account.Placed:
		text := fmt.Sprintf(tr.L("Order #%s is placed. You will be told when it is delivered; follow it in the Orders tab."), strconv.FormatInt(placed.Order, 10))
		if placed.Warning != "" {
			text += "\n\n" + fmt.Sprintf(tr.L("HstockPlus also said: “%s”"), short(placed.Warning, maxLine))
		}
		showInformation(tr.L("Order placed"), text, u.win)
		u.background(u.balance.load)
	case account.Unconfirmed:
		showInformation(tr.L("Order not confirmed"), tr.L("The connection broke before HstockPlus answered, so the order may or may not have been placed. It was NOT sent again.\n\nIt is listed as unconfirmed in the Orders tab. Check your balance: if it went down by the order's cost, the order was placed."), u.win)
		u.background(u.balance.load)
	default:
		showInformation(tr.L("Order not placed"), orderErrorText(err, cost, u), u.win)
	}
}

// orderErrorText explains a refused order, with the shortfall when the balance is too low.
func orderErrorText(err error, cost client.Decimal, u *UI) string {
	if errors.Is(err, client.ErrInsufficientBalance) {
		if b, ok := u.knownBalance(); ok {
			short := cost.Sub(b.Balance.Decimal)
			if short.IsPositive() {
				return fmt.Sprintf(tr.L("Your balance (%s %s) is too low for this order (about %s %s): %s %s short. Nothing was spent."),
					money(b.Balance), b.Currency, money(cost), b.Currency, money(short), b.Currency)
			}
		}
		return tr.L("Your balance is too low for this order. Nothing was spent.")
	}
	return describeError(err) + " " + tr.L("Nothing was spent.")
}
