package gui

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hstockplus/hstockplus/account"
	"github.com/hstockplus/hstockplus/client"
	"github.com/hstockplus/hstockplus/internal/tr"
)

// orderDetail is the right-hand pane of the Orders tab: the selected order's facts, its status
// history and its delivered accounts (masked until revealed; copy, QR, export), or what is known
// of an unconfirmed attempt with the actions that settle it.
type orderDetail struct {
	t     *ordersTab
	root  *fyne.Container
	again *widget.Button // Order again…

	empty   *fyne.Container
	body    *fyne.Container
	title   *widget.Label
	copyNum *widget.Button
	badge   *fyne.Container
	note    *widget.Label // what an action found, or a warning about the entry
	check   *widget.Button
	markNot *widget.Button
	actions *fyne.Container
	facts   *fyne.Container
	histBox *fyne.Container
	center  *fyne.Container // the info alone, or the info over the accounts
	info    *container.Scroll
	split   *container.Split

	accTitle *widget.Label
	accMsg   *widget.Label
	reveal   *widget.Check
	copyAll  *widget.Button
	export   *widget.Button
	accList  *widget.List
	accRows  map[fyne.CanvasObject]*accountRow
	accFull  *widget.Label // the selected account in full, wrapped: rows cut long ones
	accSel   int           // the selected account, -1 for none

	// UI goroutine only.
	row      orderRow
	has      bool
	accounts []string     // the delivered accounts of the shown order, in arrival order
	chosen   map[int]bool // accounts ticked for export, by index
	revealed bool
	sticky   bool // the note says what an action found: kept until another order is picked
	gen      int  // bumped by every show: a slower load of an earlier selection is dropped
	history  []account.StatusChange
}

// accountRow is one line of the accounts list.
type accountRow struct {
	idx      int
	check    *widget.Check
	text     *widget.Label
	copy     *widget.Button
	updating bool
}

func newOrderDetail(t *ordersTab) *orderDetail {
	u := t.ui
	d := &orderDetail{t: t, accRows: map[fyne.CanvasObject]*accountRow{}, chosen: map[int]bool{}}
	hint := widget.NewLabel(tr.L("Select an order to see its status history and delivered accounts."))
	hint.Wrapping = fyne.TextWrapWord
	hint.Alignment = fyne.TextAlignCenter
	d.empty = container.NewVBox(layout.NewSpacer(), hint, layout.NewSpacer())

	d.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	d.title.SizeName = theme.SizeNameSubHeadingText
	d.title.Truncation = fyne.TextTruncateEllipsis
	d.copyNum = u.newCopyButton(tr.L("Copy number"), false, func() string {
		if d.row.order == nil {
			return ""
		}
		return strconv.FormatInt(d.row.order.ID, 10)
	})
	d.copyNum.Importance = widget.LowImportance
	d.badge = newBadge()
	d.note = widget.NewLabel("")
	d.note.Wrapping = fyne.TextWrapWord
	d.note.Hide()
	d.check = widget.NewButtonWithIcon(tr.L("Check now"), theme.ViewRefreshIcon(), d.checkNow)
	d.markNot = widget.NewButtonWithIcon(tr.L("Mark as not placed…"), theme.CancelIcon(), d.confirmNotPlaced)
	d.again = widget.NewButtonWithIcon(tr.L("Order again…"), theme.ContentRedoIcon(), d.orderAgain)
	d.actions = container.NewHBox(d.check, d.markNot, d.again)
	d.facts = container.New(layout.NewFormLayout())
	d.histBox = container.NewVBox()
	d.info = container.NewVScroll(container.NewVBox(d.facts, d.histBox))

	d.accTitle = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	d.accMsg = widget.NewLabel(tr.L("No account delivered yet. They appear here as they are delivered."))
	d.accMsg.Wrapping = fyne.TextWrapWord
	d.reveal = widget.NewCheck(tr.L("Show passwords"), func(on bool) {
		d.revealed = on
		d.accList.Refresh()
		d.showFullAccount()
	})
	d.copyAll = u.newCopyButton(tr.L("Copy all"), true, func() string { return strings.Join(d.accounts, "\n") })
	d.export = widget.NewButtonWithIcon(tr.L("Export…"), theme.DocumentSaveIcon(), d.showExport)
	d.accList = widget.NewList(func() int { return len(d.accounts) }, d.newAccountRow, d.updateAccountRow)
	d.accSel = -1
	d.accFull = widget.NewLabel("")
	d.accFull.Wrapping = fyne.TextWrapBreak // an account has no spaces to wrap at
	d.accFull.Selectable = true
	d.accFull.Hide()
	d.accList.OnSelected = func(id widget.ListItemID) {
		d.accSel = id
		d.showFullAccount()
	}
	// The title over the tools, so that the pane stays narrow enough for the list beside it.
	accBar := container.NewVBox(d.accTitle, container.NewHBox(d.reveal, layout.NewSpacer(), d.copyAll, d.export))
	accBox := container.NewBorder(accBar, d.accFull, nil, nil, container.NewStack(d.accList, container.NewVBox(d.accMsg)))
	d.split = container.NewVSplit(d.info, accBox)
	d.split.Offset = 0.45
	d.center = container.NewStack(d.info)

	head := container.NewVBox(
		container.NewBorder(nil, nil, nil, container.NewHBox(d.copyNum, container.NewCenter(d.badge)), d.title),
		d.note,
		d.actions,
		widget.NewSeparator(),
	)
	d.body = container.NewBorder(head, nil, nil, nil, d.center)
	d.body.Hide()
	d.root = container.NewStack(d.empty, d.body)
	return d
}

// clear shows the hint instead of an order. UI goroutine only.
func (d *orderDetail) clear() {
	d.has = false
	d.gen++
	d.row = orderRow{}
	d.accounts, d.history = nil, nil
	d.body.Hide()
	d.empty.Show()
}

// show shows r. fresh: the user picked it (reveal, ticks and notes start over); otherwise r is
// the same row re-read after a change, and what the user set is kept. UI goroutine only.
func (d *orderDetail) show(r orderRow, fresh bool) {
	if !d.has || d.row.key() != r.key() {
		fresh = true
	}
	if fresh {
		d.revealed = false
		d.reveal.SetChecked(false)
		d.chosen = map[int]bool{}
		d.accSel = -1
		d.accList.UnselectAll()
		d.sticky = false
		d.note.Hide()
		d.accounts, d.history = nil, nil
	}
	d.row, d.has = r, true
	d.gen++
	d.render()
	d.empty.Hide()
	d.body.Show()
	if r.order != nil {
		d.load(r.order.ID)
	}
}

// load reads the history and the delivered accounts of order id off the UI goroutine.
func (d *orderDetail) load(id int64) {
	gen, svc := d.gen, d.t.svc
	d.t.ui.background(func(context.Context) {
		od, err := svc.OrderDetail(id)
		if err != nil {
			d.t.ui.deps.Logf("orders: detail of %d: %v", id, err)
		}
		fyne.Do(func() {
			if gen != d.gen {
				return
			}
			d.history, d.accounts = od.History, od.Accounts
			d.render()
		})
	})
}

// render draws the shown row with what is loaded. UI goroutine only.
func (d *orderDetail) render() {
	r, u := d.row, d.t.ui
	kind := r.kind()
	if r.order != nil {
		d.title.SetText(fmt.Sprintf(tr.L("Order #%d"), r.order.ID))
		d.copyNum.Show()
	} else {
		d.title.SetText(tr.L("Order without a number"))
		d.copyNum.Hide()
	}
	text, imp := r.badge()
	setBadge(d.badge, text, imp)

	// Actions: Check now where an order id is known and the order is not final; Mark as not
	// placed while the journal entry is unconfirmed.
	canCheck := r.order != nil && !r.order.Terminal && kind != kindSending
	unconf := r.spend != nil && r.spend.State == account.SpendUnconfirmed && kind == kindUnconfirmed
	_, _, again := d.againRequest()
	d.check.Hidden = !canCheck
	d.markNot.Hidden = !unconf
	d.again.Hidden = !again || kind == kindSending || kind == kindUnconfirmed
	if canCheck || unconf || !d.again.Hidden {
		d.actions.Show()
	} else {
		d.actions.Hide()
	}
	d.actions.Refresh()
	if !d.sticky {
		switch kind {
		case kindUnconfirmed:
			d.setWarning(d.unconfirmedText(), widget.WarningImportance)
		case kindNotPlaced:
			d.setWarning(fmt.Sprintf(tr.L("You marked this order as not placed on %s."), formatWhen(r.spend.UpdatedAt)), widget.MediumImportance)
		case kindSending:
			d.setWarning(tr.L("Being sent to HstockPlus…"), widget.MediumImportance)
		default:
			d.note.Hide()
		}
	}

	// Facts.
	var kv []fyne.CanvasObject
	add := func(k, v string, wrap fyne.TextWrap) {
		if v == "" {
			return
		}
		kl := widget.NewLabelWithStyle(k, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
		vl := widget.NewLabel(v)
		vl.Wrapping = wrap
		kv = append(kv, kl, vl)
	}
	service := r.label()
	if r.order != nil && r.order.Service != 0 && !strings.Contains(service, "#") {
		service += fmt.Sprintf(" (#%d)", r.order.Service)
	} else if r.order == nil && r.spend.Add.Service != 0 {
		service += fmt.Sprintf(" (#%d)", r.spend.Add.Service)
	}
	add(tr.L("Service"), service, fyne.TextWrapWord)
	add(tr.L("Link"), r.link(), fyne.TextWrapBreak)
	add(tr.L("Quantity"), groupDigits(r.quantity()), fyne.TextWrapOff)
	if o := r.order; o != nil && o.Status != "" {
		add(tr.L("Start count"), groupDigits(o.StartCount), fyne.TextWrapOff)
		add(tr.L("Remains"), groupDigits(o.Remains), fyne.TextWrapOff)
		if o.Quantity > 0 {
			done := min(max(o.Quantity-o.Remains, 0), o.Quantity)
			add(tr.L("Progress"), fmt.Sprintf(tr.L("%s of %s (%d%%)"), groupDigits(done), groupDigits(o.Quantity), done*100/o.Quantity), fyne.TextWrapOff)
		}
		add(tr.L("Charge"), r.chargeText(u.currency()), fyne.TextWrapOff)
	}
	if e := r.estimate(); !e.IsZero() {
		add(tr.L("Estimate"), fmt.Sprintf(tr.L("≈ %s %s (shown before ordering)"), money(e), u.currency()), fyne.TextWrapWord)
	}
	if r.order != nil {
		add(tr.L("Placed"), formatWhen(r.order.PlacedAt), fyne.TextWrapOff)
		if !r.order.UpdatedAt.IsZero() {
			add(tr.L("Updated"), formatWhen(r.order.UpdatedAt), fyne.TextWrapOff)
		}
		if !r.order.CheckedAt.IsZero() {
			add(tr.L("Last checked"), formatWhen(r.order.CheckedAt), fyne.TextWrapOff)
		}
	} else {
		add(tr.L("Sent"), formatWhen(r.spend.CreatedAt), fyne.TextWrapOff)
	}
	if r.spend != nil && r.spend.Error != "" && kind != kindNotPlaced {
		add(tr.L("Reason"), short(r.spend.Error, maxLine), fyne.TextWrapWord)
	}
	d.facts.Objects = kv
	d.facts.Refresh()

	// Status history, oldest first.
	d.histBox.Objects = nil
	if r.order != nil {
		h := widget.NewLabelWithStyle(tr.L("Status history"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		d.histBox.Add(h)
		if len(d.history) == 0 {
			d.histBox.Add(widget.NewLabel(tr.L("No status yet: HstockPlus is asked regularly.")))
		}
		for _, c := range d.history {
			line := fmt.Sprintf("%s  %s", formatWhen(c.At), short(c.Status, maxShort))
			if c.Status == "" {
				line = fmt.Sprintf("%s  %s", formatWhen(c.At), tr.L("(no status)"))
			}
			line += fmt.Sprintf(tr.L(" · charge %s · start %s · remains %s"), c.Charge, groupDigits(c.StartCount), groupDigits(c.Remains))
			l := widget.NewLabel(line)
			l.Wrapping = fyne.TextWrapWord
			d.histBox.Add(l)
		}
	}
	d.histBox.Refresh()

	// Accounts: shown for product orders and for any order that has some.
	withAccounts := r.order != nil && (len(d.accounts) > 0 || r.order.Delivered > 0 ||
		strings.EqualFold(r.order.EntityType, client.EntityProduct))
	d.accTitle.SetText(fmt.Sprintf(tr.L("Delivered accounts (%d)"), len(d.accounts)))
	if len(d.accounts) == 0 {
		d.accMsg.Show()
		d.reveal.Disable()
		d.copyAll.Disable()
		d.export.Disable()
	} else {
		d.accMsg.Hide()
		d.reveal.Enable()
		d.copyAll.Enable()
		d.export.Enable()
	}
	want := fyne.CanvasObject(d.info)
	if withAccounts {
		want = d.split
	}
	if len(d.center.Objects) != 1 || d.center.Objects[0] != want {
		d.center.Objects = []fyne.CanvasObject{want}
		d.center.Refresh()
	}
	d.accList.Refresh()
	d.showFullAccount()
}

// showFullAccount shows the selected account in full under the list — masked like its row
// until "Show passwords" — or nothing when none is selected. UI goroutine only.
func (d *orderDetail) showFullAccount() {
	if d.accSel < 0 || d.accSel >= len(d.accounts) {
		d.accFull.Hide()
		return
	}
	a := d.accounts[d.accSel]
	if !d.revealed {
		a = maskAccount(a)
	}
	d.accFull.SetText(block(a, maxText))
	d.accFull.Show()
}

func (d *orderDetail) unconfirmedText() string {
	r := d.row
	var b strings.Builder
	b.WriteString(tr.L("The connection broke before HstockPlus answered, so this order may or may not have been placed. It was not sent again."))
	if e := r.estimate(); !e.IsZero() {
		b.WriteString(" " + fmt.Sprintf(tr.L("Check your balance: if it went down by about %s %s, the order was placed."), money(e), d.t.ui.currency()))
	} else {
		b.WriteString(" " + tr.L("Check your balance: if it went down by the order's cost, the order was placed."))
	}
	if r.order != nil {
		b.WriteString(" " + fmt.Sprintf(tr.L("HstockPlus gave it number #%d: it is checked regularly, or now with Check now."), r.order.ID))
	}
	return b.String()
}

func (d *orderDetail) setWarning(text string, imp widget.Importance) {
	d.note.Importance = imp
	d.note.SetText(text)
	d.note.Show()
}

// setNote shows what an action found; it stays until another order is picked.
func (d *orderDetail) setNote(text string, imp widget.Importance) {
	d.sticky = true
	d.setWarning(text, imp)
}

// ---- accounts ----

func (d *orderDetail) newAccountRow() fyne.CanvasObject {
	ar := &accountRow{}
	ar.check = widget.NewCheck("", func(on bool) {
		if ar.updating {
			return
		}
		if on {
			d.chosen[ar.idx] = true
		} else {
			delete(d.chosen, ar.idx)
		}
	})
	ar.text = widget.NewLabel("")
	ar.text.Truncation = fyne.TextTruncateEllipsis
	account := func() string {
		if ar.idx < len(d.accounts) {
			return d.accounts[ar.idx]
		}
		return ""
	}
	// The copy button is an icon (it says "Copied" once tapped), to leave the account room.
	ar.copy = d.t.ui.newCopyButton("", true, account)
	qr := d.t.ui.newQRButton(tr.L("Delivered account"), account)
	o := container.NewBorder(nil, nil, ar.check, container.NewHBox(ar.copy, qr), ar.text)
	d.accRows[o] = ar
	return o
}

func (d *orderDetail) updateAccountRow(id widget.ListItemID, o fyne.CanvasObject) {
	ar := d.accRows[o]
	if ar == nil || id >= len(d.accounts) {
		return
	}
	ar.idx = id
	ar.updating = true
	ar.check.SetChecked(d.chosen[id])
	ar.updating = false
	a := d.accounts[id]
	if !d.revealed {
		a = maskAccount(a)
	}
	ar.text.SetText(short(a, maxLine))
}

// maskAccount hides the secret part of an account: what follows the first ':' (login:password,
// mail:password:recovery…). An account without ':' shows only its first three characters, and
// only when it is long. The mask has a fixed length, so it does not tell the password's length.
func maskAccount(a string) string {
	const dots = "••••••"
	if i := strings.IndexByte(a, ':'); i >= 0 {
		return a[:i+1] + dots
	}
	if r := []rune(a); len(r) > 8 {
		return string(r[:3]) + dots
	}
	return dots
}

// chosenAccounts are the ticked accounts, in arrival order.
func (d *orderDetail) chosenAccounts() []string {
	var out []string
	for i, a := range d.accounts {
		if d.chosen[i] {
			out = append(out, a)
		}
	}
	return out
}

// ---- actions ----

// checkNow asks HstockPlus for the order's status at once, through the service layer (the
// poller's own check: what it brings is stored and announced once, and the rows follow from the
// events). An unconfirmed journal entry whose order answers is settled as placed. UI goroutine.
func (d *orderDetail) checkNow() {
	r, u := d.row, d.t.ui
	if r.order == nil {
		return
	}
	id, unconfirmed := r.order.ID, r.order.Unconfirmed
	d.check.Disable()
	d.check.SetText(tr.L("Checking…"))
	u.background(func(ctx context.Context) {
		res, err := d.t.svc.CheckOrderNow(ctx, id)
		text, imp := checkText(id, unconfirmed, res, err)
		fyne.Do(func() {
			d.check.Enable()
			d.check.SetText(tr.L("Check now"))
			if d.has && d.row.key() == (rowKey{order: id}) {
				d.setNote(text, imp)
			}
		})
	})
}

// checkText is the sentence for the user about what "Check now" found.
func checkText(id int64, unconfirmed bool, res account.OrderNow, err error) (string, widget.Importance) {
	if err != nil {
		if errors.Is(err, client.ErrOrderNotFound) && unconfirmed {
			return fmt.Sprintf(tr.L("HstockPlus does not know order #%d: it was probably not placed. Check your balance, then mark it as not placed."), id), widget.WarningImportance
		}
		var se *account.StoreError
		if errors.As(err, &se) {
			return fmt.Sprintf(tr.L("The status could not be saved: %v"), se.Err), widget.DangerImportance
		}
		return describeError(err), widget.DangerImportance
	}
	status := short(res.Status, maxShort)
	if status == "" {
		status = tr.L("no status")
	}
	if res.Confirmed {
		return fmt.Sprintf(tr.L("Confirmed: HstockPlus knows order #%d (%s). It was placed."), id, status), widget.SuccessImportance
	}
	if res.New > 0 {
		return fmt.Sprintf(tr.L("Status: %s. %d new accounts delivered."), status, res.New), widget.SuccessImportance
	}
	return fmt.Sprintf(tr.L("Status: %s."), status), widget.MediumImportance
}

// confirmNotPlaced asks the user to check the balance, then settles the unconfirmed entry as not
// placed. UI goroutine only.
func (d *orderDetail) confirmNotPlaced() {
	r, u := d.row, d.t.ui
	if r.spend == nil {
		return
	}
	sp := *r.spend
	text := tr.L("Check your balance first.")
	if !sp.Estimate.IsZero() {
		text += " " + fmt.Sprintf(tr.L("If it went down by about %s %s around %s, this order WAS placed: do not mark it."), money(sp.Estimate), u.currency(), formatWhen(sp.CreatedAt))
	} else {
		text += " " + fmt.Sprintf(tr.L("If it went down by the order's cost around %s, this order WAS placed: do not mark it."), formatWhen(sp.CreatedAt))
	}
	text += "\n\n" + tr.L("Marking it as not placed settles it for good: it is listed as not placed and no longer waits for you.")
	msg := widget.NewLabel(text)
	msg.Wrapping = fyne.TextWrapWord
	dlg := dialog.NewCustomConfirm(tr.L("Mark as not placed?"), tr.L("Mark as not placed"), tr.L("Cancel"), msg, func(ok bool) {
		if !ok {
			return
		}
		u.background(func(context.Context) {
			err := d.t.svc.MarkNotPlaced(sp.ID)
			fyne.Do(func() {
				if err != nil {
					if errors.Is(err, account.ErrSettledMeanwhile) {
						d.setNote(tr.L("This entry was settled meanwhile; it is shown as it stands now."), widget.WarningImportance)
					} else {
						d.setNote(fmt.Sprintf(tr.L("Could not record it: %v"), err), widget.DangerImportance)
					}
				}
			})
		})
	}, u.win)
	dlg.Resize(fyne.NewSize(460, 0))
	showDialog(dlg, u.win)
}

// againRequest is the order of the shown row made again: the same service, link and quantity
// (and comments, when the journal has them), with the service as the catalog now has it. ok is
// false when the service is not in the catalog (any more).
func (d *orderDetail) againRequest() (client.Service, client.AddRequest, bool) {
	r, cat := d.row, d.t.ui.catalog
	var req client.AddRequest
	switch {
	case r.order != nil:
		req = client.AddRequest{Service: r.order.Service, Link: r.order.Link, Quantity: r.order.Quantity}
		if r.spend != nil {
			req.Comments = r.spend.Add.Comments
		}
	case r.spend != nil:
		req = r.spend.Add
	}
	if req.Service == 0 || cat == nil || cat.index == nil {
		return client.Service{}, req, false
	}
	for _, s := range cat.index.rows {
		if s.Service == req.Service {
			return s, req, true
		}
	}
	return client.Service{}, req, false
}

// orderAgain places the shown order again, through the usual checks and confirmation: a service
// that takes comments opens the Catalog's form instead, filled in. UI goroutine only.
func (d *orderDetail) orderAgain() {
	s, req, ok := d.againRequest()
	if !ok {
		d.setNote(tr.L("This service is not in the catalog any more."), widget.WarningImportance)
		return
	}
	if s.IsCustomComments() && req.Comments == "" {
		u := d.t.ui
		u.tabs.Select(u.catalog.item)
		u.catalog.detail.show(s)
		u.catalog.detail.link.SetText(req.Link)
		u.catalog.detail.qty.SetText(strconv.FormatInt(req.Quantity, 10))
		return
	}
	checked, err := validateOrder(s, req.Link, strconv.FormatInt(req.Quantity, 10), req.Comments)
	if err != nil {
		d.setNote(err.Error(), widget.WarningImportance)
		return
	}
	d.t.ui.confirmOrder(s, checked, nil)
}
