package gui

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/hstockplus/hstockplus/account"
	"github.com/hstockplus/hstockplus/client"
	"github.com/hstockplus/hstockplus/internal/tr"
)

// The bounds of one add_sms.
const (
	minSMSQuantity = 1
	maxSMSQuantity = client.MaxSMSQuantity
)

// parseSMSQuantity reads the quantity field: a whole number from 1 to 10.
func parseSMSQuantity(text string) (int, error) {
	q, err := strconv.Atoi(strings.TrimSpace(text))
	switch {
	case err != nil:
		return 0, fmt.Errorf(tr.L("The quantity must be a whole number from %d to %d."), minSMSQuantity, maxSMSQuantity)
	case q < minSMSQuantity:
		return 0, fmt.Errorf(tr.L("Below the minimum: at least %d number."), minSMSQuantity)
	case q > maxSMSQuantity:
		return 0, fmt.Errorf(tr.L("Above the maximum: at most %d numbers at a time."), maxSMSQuantity)
	}
	return q, nil
}

// smsPriceText is a project's price per number with the currency, or "price unknown".
func smsPriceText(p client.SMSProject, currency string) string {
	if !p.PriceKnown() {
		return tr.L("price unknown")
	}
	return fmt.Sprintf("%s %s", money(p.Price), currency)
}

// smsTotal is the exact price of quantity numbers at price each.
func smsTotal(price client.Decimal, quantity int) client.Decimal {
	return client.NewDecimal(price.Mul(client.DecimalFromInt(int64(quantity)).Decimal))
}

// stepQty moves the quantity by d within its bounds. UI goroutine only.
func (t *smsTab) stepQty(d int) {
	q, err := strconv.Atoi(strings.TrimSpace(t.qty.Text))
	if err != nil {
		q = minSMSQuantity
	} else {
		q = min(max(q+d, minSMSQuantity), maxSMSQuantity)
	}
	t.qty.SetText(strconv.Itoa(q))
}

// updateTotal shows the chosen service, the exact total beside the balance, and whether it can be
// bought. UI goroutine only.
func (t *smsTab) updateTotal() {
	p := t.project
	if p.ProjectID == "" {
		t.chosenTitle.SetText(tr.L("Choose a country, then a service."))
		setOrHide(t.total, "")
		setOrHide(t.formErr, "")
		t.buyBtn.Disable()
		return
	}
	t.chosenTitle.SetText(fmt.Sprintf(tr.L("%s in %s — %s per number"), short(p.Name, maxName), short(t.country.Name, maxName), smsPriceText(p, t.ui.currency())))
	q, err := parseSMSQuantity(t.qty.Text)
	if err != nil {
		setOrHide(t.formErr, err.Error())
		setOrHide(t.total, "")
		t.buyBtn.Disable()
		return
	}
	setOrHide(t.formErr, "")
	cost := smsTotal(p.Price, q)
	text := fmt.Sprintf(tr.L("Total: %s × %d = %s %s"), p.Price, q, cost, t.ui.currency())
	if !p.PriceKnown() {
		text = tr.L("Price unknown: HstockPlus did not give one, so there is no total.")
	}
	if bal, ok := t.ui.knownBalance(); ok {
		text += fmt.Sprintf(tr.L(" · balance %s %s"), money(bal.Balance), bal.Currency)
		if p.PriceKnown() && cost.Cmp(bal.Balance.Decimal) > 0 {
			text += fmt.Sprintf(tr.L(" · %s short"), money(cost.Sub(bal.Balance.Decimal)))
		}
	}
	setOrHide(t.total, text)
	if !t.renting {
		t.buyBtn.Enable()
	}
}

// submit validates the form and asks for confirmation; nothing is sent before it. UI goroutine
// only.
func (t *smsTab) submit() {
	if t.project.ProjectID == "" {
		setOrHide(t.formErr, tr.L("Choose a service first."))
		return
	}
	q, err := parseSMSQuantity(t.qty.Text)
	if err != nil {
		setOrHide(t.formErr, err.Error())
		return
	}
	req := client.AddSMSRequest{ProjectID: t.project.ProjectID, Quantity: q, Country: t.country.Code}
	t.confirm(req, t.project, short(t.country.Name, maxName))
}

// confirm states exactly what will be rented and what it costs, and rents it when the user
// confirms. UI goroutine only.
func (t *smsTab) confirm(req client.AddSMSRequest, p client.SMSProject, countryName string) {
	u := t.ui
	cost := smsTotal(p.Price, req.Quantity)
	cur := u.currency()
	name := short(p.Name, maxName)
	var text string
	if req.Phone != "" {
		text = fmt.Sprintf(tr.L("Reuse the number %s for %s in %s."), short(req.Phone, maxShort), name, countryName)
	} else {
		text = fmt.Sprintf(tr.L("Rent 1 number for %s in %s."), name, countryName)
		if req.Quantity != 1 {
			text = fmt.Sprintf(tr.N("Rent %d numbers for %s in %s.", req.Quantity), req.Quantity, name, countryName)
		}
	}
	if p.PriceKnown() {
		text += "\n\n" + fmt.Sprintf(tr.L("Service: %s\nCountry: %s\nQuantity: %d\nTotal: %s × %d = %s %s"),
			name, countryName, req.Quantity, p.Price, req.Quantity, cost, cur)
	} else {
		text += "\n\n" + fmt.Sprintf(tr.L("Service: %s\nCountry: %s\nQuantity: %d"), name, countryName, req.Quantity) +
			"\n" + tr.L("⚠ The price is unknown: HstockPlus did not say what a number costs. The charge is known only once the numbers are rented, and it may be any amount.")
	}
	if b, ok := u.knownBalance(); ok {
		text += "\n" + fmt.Sprintf(tr.L("Your balance: %s %s."), money(b.Balance), b.Currency)
		if short := cost.Sub(b.Balance.Decimal); p.PriceKnown() && short.IsPositive() {
			text += " " + fmt.Sprintf(tr.L("That is %s %s short: HstockPlus will most likely refuse."), money(short), b.Currency)
		}
	}
	text += "\n\n" + tr.L("Each number receives codes for about 20 minutes. HstockPlus offers no refund or cancel call for numbers.")
	svc := t.svc
	u.async(func() {
		similar, err := svc.RentalsInFlight(req)
		if err != nil {
			u.deps.Logf("sms: reading the journal: %v", err)
		}
		fyne.Do(func() {
			title, confirm := tr.L("Confirm the purchase"), tr.L("Rent")
			if !p.PriceKnown() {
				title, confirm = tr.L("Rent at an unknown price?"), tr.L("Yes, rent at the unknown price")
			}
			if len(similar) > 0 {
				title, confirm = tr.L("Rent the same again?"), tr.L("Yes, rent again")
				text = inFlightText(similar, tr.L("An identical purchase")) + "\n\n" + text
			}
			u.confirmSpend(title, confirm, text, t.setRenting, func(ctx context.Context) func() {
				rented, err := svc.RentNumbers(ctx, req, p.Name, cost)
				return func() { t.showOutcome(cost, rented, err) }
			})
		})
	})
}

// setRenting shows on the Rent button that a purchase is being sent: it cannot be pressed again
// until the answer (or its loss) is known. UI goroutine only.
func (t *smsTab) setRenting(on bool) {
	t.renting = on
	if on {
		t.buyBtn.SetText(tr.L("Renting…"))
		t.buyBtn.Disable()
		return
	}
	t.buyBtn.SetText(tr.L("Rent numbers…"))
	t.updateTotal()
}

// showOutcome tells the user, in words, what became of the purchase. UI goroutine only.
func (t *smsTab) showOutcome(cost client.Decimal, rented account.Rental, err error) {
	u := t.ui
	nums := rented.Numbers
	switch rented.Outcome {
	case account.Placed:
		var lines []string
		for _, n := range nums {
			lines = append(lines, fmt.Sprintf("%s  (#%d)", short(n.Phone, maxShort), n.Order))
		}
		title := tr.L("Number rented")
		if len(nums) != 1 {
			title = tr.L("Numbers rented")
		}
		text := strings.Join(lines, "\n") + "\n\n" + tr.L("Use the number where the code is to be sent. The code shows in the SMS tab as soon as it arrives.")
		if rented.Warning != "" {
			text += "\n\n" + fmt.Sprintf(tr.L("HstockPlus also said: “%s”"), short(rented.Warning, maxLine))
		}
		showInformation(title, text, u.win)
		t.reloadBalance()
	case account.Unconfirmed:
		showInformation(tr.L("Purchase not confirmed"), tr.L("The connection broke before HstockPlus answered, so the numbers may or may not have been rented. The purchase was NOT sent again.\n\nIt is listed as unconfirmed in the SMS tab. Check your balance: if it went down by the total, the numbers were rented."), u.win)
		t.reloadBalance()
	default:
		showInformation(tr.L("No number rented"), smsErrorText(err, cost, u), u.win)
	}
}

// smsErrorText explains a refused purchase, with the shortfall when the balance is too low.
func smsErrorText(err error, cost client.Decimal, u *UI) string {
	if errors.Is(err, client.ErrInsufficientBalance) {
		if b, ok := u.knownBalance(); ok {
			if short := cost.Sub(b.Balance.Decimal); short.IsPositive() {
				return fmt.Sprintf(tr.L("Your balance (%s %s) is too low for this purchase (%s %s): %s %s short. Nothing was spent."),
					money(b.Balance), b.Currency, money(cost), b.Currency, money(short), b.Currency)
			}
		}
		return tr.L("Your balance is too low for this purchase. Nothing was spent.")
	}
	return describeError(err) + " " + tr.L("Nothing was spent.")
}

// reuse rents number n again for its project, through the same confirmation and journal. The
// price is asked afresh (it is what will be charged now). UI goroutine only.
func (t *smsTab) reuse(n account.SMSNumber) {
	if n.Phone == "" || n.ProjectID == "" {
		showInformation(tr.L("Cannot reuse"), tr.L("The number or its service is not known yet."), t.ui.win)
		return
	}
	req := client.AddSMSRequest{ProjectID: n.ProjectID, Quantity: 1, Country: n.Country, Phone: n.Phone}
	name := t.countryName(n.Country)
	for _, p := range t.projects {
		if p.ProjectID == n.ProjectID && strings.EqualFold(t.country.Code, n.Country) {
			t.confirm(req, p, name)
			return
		}
	}
	t.ui.background(func(ctx context.Context) {
		ps, err := t.svc.SMSProjects(ctx, n.Country)
		fyne.Do(func() {
			if err != nil {
				showInformation(tr.L("Cannot reuse"), loadErrorText(tr.L("Could not get the current price"), err)+" "+tr.L("Nothing was spent."), t.ui.win)
				return
			}
			for _, p := range ps {
				if p.ProjectID == n.ProjectID {
					t.confirm(req, p, name)
					return
				}
			}
			showInformation(tr.L("Cannot reuse"), fmt.Sprintf(tr.L("%s no longer offers numbers in %s. Nothing was spent."), short(n.Label, maxName), name), t.ui.win)
		})
	})
}

// setOrHide shows text in l, or hides l when there is none (no empty gap in the form).
func setOrHide(l *widget.Label, text string) {
	l.SetText(text)
	if text == "" {
		l.Hide()
	} else {
		l.Show()
	}
}

// reloadBalance asks for the balance after a purchase; it comes back as an event, which brings
// the total's balance up to date. UI goroutine only.
func (t *smsTab) reloadBalance() {
	t.ui.background(t.ui.balance.load)
}
