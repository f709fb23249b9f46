package gui

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hstockplus/hstockplus/account"
	"github.com/hstockplus/hstockplus/internal/tr"
)

// smsView is one number as the store knows it, with its codes (oldest first).
type smsView = account.NumberView

// Where the divider between the live numbers and the history sits, with and without live ones.
const (
	smsSplitBusy  = 0.7
	smsSplitEmpty = 0.3
)

// expiryOf is when n stops receiving: as the server said, else estimated from when it was rented.
func expiryOf(n account.SMSNumber) (at time.Time, exact bool) { return account.NumberExpiry(n) }

// smsLive reports whether v's number is still in use at now (account.NumberLive).
func smsLive(v smsView, now time.Time) bool { return account.NumberLive(v.Number, len(v.Codes), now) }

// countdownText is the time left before expiry: "19:32 left", "about 19:32 left", "Expired".
func countdownText(left time.Duration, exact bool) string {
	if left <= 0 {
		return tr.L("Expired")
	}
	s := int64(left / time.Second)
	var d string
	if s >= 3600 {
		d = fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	} else {
		d = fmt.Sprintf("%d:%02d", s/60, s%60)
	}
	if exact {
		return fmt.Sprintf(tr.L("%s left"), d)
	}
	return fmt.Sprintf(tr.L("about %s left"), d)
}

// smsStatusText is the number's state in words, with its colour.
func smsStatusText(v smsView, live bool) (string, widget.Importance) {
	n := v.Number
	_, hasCode := v.LastCode()
	switch {
	case n.Unconfirmed:
		return tr.L("Unconfirmed: the answer to the purchase was lost"), widget.WarningImportance
	case hasCode && live:
		return tr.L("Code received"), widget.SuccessImportance
	case hasCode:
		return tr.L("Code received · expired"), widget.SuccessImportance
	case !live:
		return tr.L("Expired without a code"), widget.WarningImportance
	}
	switch strings.ToLower(n.Status) {
	case "", "active", "waiting", "pending":
		return tr.L("Waiting for the SMS…"), widget.HighImportance
	}
	return short(n.Status, maxShort), widget.MediumImportance
}

// ---- building the pane ----

func (t *smsTab) buildNumbersPane() fyne.CanvasObject {
	heading := func(s string) *widget.Label {
		l := widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		l.SizeName = theme.SizeNameSubHeadingText
		return l
	}
	t.activeMsg = newWrapLabel()
	t.activeMsg.Alignment = fyne.TextAlignCenter
	t.activeMsg.SetText(tr.L("Reading your numbers…"))
	t.activeBox = container.NewVBox(t.activeMsg)

	t.histMsg = newWrapLabel()
	t.histMsg.Alignment = fyne.TextAlignCenter
	t.histList = widget.NewList(
		func() int { return len(t.history) },
		t.newHistRow,
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if r := t.histRows[o.(*fyne.Container)]; r != nil && id < len(t.history) {
				r.set(t.history[id], t)
			}
		},
	)

	active := container.NewBorder(heading(tr.L("Active numbers")), nil, nil, nil, container.NewVScroll(t.activeBox))
	hist := container.NewBorder(heading(tr.L("History")), nil, nil, nil,
		container.NewStack(t.histList, container.NewVBox(t.histMsg)))
	t.split = container.NewVSplit(active, hist)
	t.split.Offset = smsSplitEmpty
	return t.split
}

// reload reads the numbers and their codes through the service layer, then shows them. UI
// goroutine only.
func (t *smsTab) reload() {
	t.ui.background(func(context.Context) {
		ns, err := t.svc.Numbers()
		fyne.Do(func() {
			if err != nil {
				t.ui.deps.Logf("sms: %v", err)
				t.numbersErr = fmt.Sprintf(tr.L("Could not read your saved numbers: %v"), err)
				t.regroup()
				return
			}
			t.numbersErr = ""
			t.numbers = make(map[int64]smsView, len(ns.Views))
			for _, v := range ns.Views {
				t.numbers[v.Number.Order] = v
			}
			t.pendingSp = make(map[uint64]account.Spend, len(ns.Pending))
			for _, sp := range ns.Pending {
				t.pendingSp[sp.ID] = sp
			}
			t.rebuild()
		})
	})
}

// rebuild orders the numbers newest first and the pending purchases oldest first, then shows
// them. UI goroutine only.
func (t *smsTab) rebuild() {
	t.views = t.views[:0]
	for _, v := range t.numbers {
		t.views = append(t.views, v)
	}
	slices.SortFunc(t.views, func(a, b smsView) int {
		if c := b.Number.PlacedAt.Compare(a.Number.PlacedAt); c != 0 {
			return c
		}
		return cmp.Compare(b.Number.Order, a.Number.Order)
	})
	if len(t.views) > account.NumbersHistoryLimit {
		t.views = t.views[:account.NumbersHistoryLimit]
	}
	t.pending = t.pending[:0]
	for _, sp := range t.pendingSp {
		t.pending = append(t.pending, sp)
	}
	slices.SortFunc(t.pending, func(a, b account.Spend) int { return cmp.Compare(a.ID, b.ID) })
	t.regroup()
}

// regroup splits the numbers into live and past at the tab's clock, rebuilds the cards and the
// history, and runs the ticker only while a number is live. UI goroutine only.
func (t *smsTab) regroup() {
	now := t.now()
	t.active = t.active[:0]
	t.history = t.history[:0]
	objs := []fyne.CanvasObject{t.activeMsg}
	for _, p := range t.pending {
		objs = append(objs, t.newPendingCard(p))
	}
	for _, v := range t.views {
		if smsLive(v, now) {
			c := t.newCard(v)
			c.updateCountdown(now)
			t.active = append(t.active, c)
			objs = append(objs, c.root)
		} else {
			t.history = append(t.history, v)
		}
	}
	switch {
	case t.numbersErr != "":
		t.activeMsg.SetText(t.numbersErr)
		t.activeMsg.Importance = widget.DangerImportance
		t.activeMsg.Show()
	case len(objs) == 1:
		t.activeMsg.SetText(tr.L("No active number. Choose a country and a service, then rent a number: its code shows here, large, as soon as the SMS arrives."))
		t.activeMsg.Importance = widget.MediumImportance
		t.activeMsg.Show()
	default:
		t.activeMsg.Hide()
	}
	t.activeMsg.Refresh()
	t.activeBox.Objects = objs
	t.activeBox.Refresh()
	// Room goes to the live numbers while there are some, else to the history.
	if busy := len(objs) > 1; busy != t.splitBusy {
		t.splitBusy = busy
		t.split.Offset = smsSplitEmpty
		if busy {
			t.split.Offset = smsSplitBusy
		}
		t.split.Refresh()
	}

	switch {
	case t.numbersErr != "" && len(t.history) == 0:
		t.histMsg.SetText(tr.L("The history could not be read."))
		t.histMsg.Show()
	case len(t.history) == 0:
		t.histMsg.SetText(tr.L("Numbers whose time is over are listed here with their codes."))
		t.histMsg.Show()
	default:
		t.histMsg.Hide()
	}
	t.histList.Refresh()
	t.setTicking(len(t.active) > 0)
	t.updateTotal() // the balance may have changed with a purchase
}

// tick updates the countdowns; a number whose time is over moves to the history. Called every
// second by the ticker while a number is live. UI goroutine only.
func (t *smsTab) tick() {
	now := t.now()
	over := false
	for _, c := range t.active {
		if !c.updateCountdown(now) {
			over = true
		}
	}
	if over {
		t.regroup()
	}
}

// ---- an active number ----

// smsCard shows one live number: phone, countdown, status, the code large, the SMS text.
type smsCard struct {
	v         smsView
	root      fyne.CanvasObject
	phone     *widget.Label
	countdown *widget.Label
	meta      *widget.Label
	status    *widget.Label
	code      *widget.Label
	codeRow   *fyne.Container
	text      *widget.Label
	copyPhone *widget.Button
	copyCode  *widget.Button
	qr        *widget.Button
	reuse     *widget.Button
	check     *widget.Button
}

func (t *smsTab) newCard(v smsView) *smsCard {
	n := v.Number
	c := &smsCard{v: v}
	phone := short(n.Phone, maxShort)
	if phone == "" {
		phone = tr.L("number not known yet")
	}
	c.phone = widget.NewLabelWithStyle(phone, fyne.TextAlignLeading, fyne.TextStyle{Bold: true, Monospace: true})
	c.phone.SizeName = theme.SizeNameSubHeadingText
	c.copyPhone = t.ui.newCopyButton(tr.L("Copy"), false, func() string { return n.Phone })
	c.copyPhone.Importance = widget.LowImportance
	if n.Phone == "" {
		c.copyPhone.Hide()
	}
	c.countdown = widget.NewLabelWithStyle("", fyne.TextAlignTrailing, fyne.TextStyle{Bold: true, Monospace: true})

	meta := []string{short(n.Label, maxName), t.countryName(n.Country), "#" + strconv.FormatInt(n.Order, 10),
		fmt.Sprintf(tr.L("rented %s"), formatWhen(n.PlacedAt))}
	if !n.Charge.IsZero() {
		meta = append(meta, fmt.Sprintf(tr.L("charged %s %s"), n.Charge, short(n.Currency, maxCurrency)))
	}
	c.meta = newWrapLabel()
	c.meta.SetText(strings.Join(nonEmpty(meta), " · "))
	c.meta.SizeName = theme.SizeNameCaptionText

	st, imp := smsStatusText(v, true)
	c.status = widget.NewLabelWithStyle(st, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	c.status.Importance = imp

	last, hasCode := v.LastCode()
	c.code = widget.NewLabelWithStyle(short(last.Value, maxShort), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	c.code.SizeName = theme.SizeNameHeadingText
	c.code.Selectable = true
	c.copyCode = t.ui.newCopyButton(tr.L("Copy code"), true, func() string { return last.Value })
	c.copyCode.Importance = widget.HighImportance
	c.qr = t.ui.newQRButton(fmt.Sprintf(tr.L("Code for %s"), short(n.Phone, maxShort)), func() string { return last.Value })
	c.codeRow = container.NewHBox(c.code, container.NewCenter(c.copyCode), container.NewCenter(c.qr))
	c.text = newWrapLabel()
	c.text.TextStyle = fyne.TextStyle{Italic: true}
	var text []string
	if last.Content != "" {
		text = append(text, "“"+block(last.Content, maxLine*2)+"”")
	}
	if len(v.Codes) > 1 {
		var earlier []string
		for _, d := range v.Codes[:len(v.Codes)-1] {
			earlier = append(earlier, short(d.Value, maxShort))
		}
		text = append(text, fmt.Sprintf(tr.L("Earlier codes: %s"), strings.Join(earlier, ", ")))
	}
	c.text.SetText(strings.Join(text, "\n"))
	if !hasCode {
		c.codeRow.Hide()
	}
	if len(text) == 0 {
		c.text.Hide()
	}

	c.reuse = widget.NewButtonWithIcon(tr.L("Reuse this number…"), theme.MailReplyIcon(), func() { t.reuse(n) })
	if n.Phone == "" || n.ProjectID == "" {
		c.reuse.Disable()
	}
	c.check = widget.NewButtonWithIcon(tr.L("Check now"), theme.ViewRefreshIcon(), func() { t.checkNow(c) })
	c.check.Importance = widget.LowImportance
	if hasCode {
		c.check.Hide() // the poller stops asking once the code is in; so does the card
	}

	top := container.NewBorder(nil, nil, container.NewHBox(c.phone, container.NewCenter(c.copyPhone)), c.countdown)
	status := container.NewBorder(nil, nil, c.status, container.NewHBox(c.check, c.reuse))
	body := container.NewVBox(top, c.meta, status, c.codeRow, c.text)
	c.root = widget.NewCard("", "", body)
	return c
}

// updateCountdown shows the time left at now and reports whether the number is still live.
func (c *smsCard) updateCountdown(now time.Time) bool {
	at, exact := expiryOf(c.v.Number)
	left := at.Sub(now)
	c.countdown.SetText(countdownText(left, exact))
	switch {
	case left <= 0:
		c.countdown.Importance = widget.DangerImportance
	case left < 2*time.Minute:
		c.countdown.Importance = widget.WarningImportance
	default:
		c.countdown.Importance = widget.MediumImportance
	}
	c.countdown.Refresh()
	return smsLive(c.v, now)
}

// checkNow asks HstockPlus at once for the number's code (and status), through the service
// layer's own check: a code is stored and announced once (so copied and notified once), and the
// card follows from the event. UI goroutine only.
func (t *smsTab) checkNow(c *smsCard) {
	id := c.v.Number.Order
	c.check.Disable()
	c.check.SetText(tr.L("Checking…"))
	t.ui.background(func(ctx context.Context) {
		err := t.svc.CheckNumberNow(ctx, id)
		fyne.Do(func() {
			c.check.Enable()
			c.check.SetText(tr.L("Check now"))
			if err != nil {
				c.status.SetText(fmt.Sprintf(tr.L("Could not check: %s"), describeError(err)))
				c.status.Importance = widget.DangerImportance
				c.status.Refresh()
			}
		})
	})
}

// newPendingCard shows a purchase whose outcome is unknown.
func (t *smsTab) newPendingCard(sp account.Spend) fyne.CanvasObject {
	title := widget.NewLabelWithStyle(fmt.Sprintf(tr.L("%s × %d (%s) — unconfirmed"), short(sp.Label, maxName), sp.AddSMS.Quantity, t.countryName(sp.AddSMS.Country)),
		fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Importance = widget.WarningImportance
	msg := newWrapLabel()
	msg.SetText(fmt.Sprintf(tr.L("%s: the connection broke before HstockPlus answered, so the numbers may or may not have been rented (%s). It was NOT sent again. Check your balance: if it went down by %s, they were rented."),
		formatWhen(sp.CreatedAt), short(sp.Error, maxLine), sp.Estimate))
	return widget.NewCard("", "", container.NewVBox(title, msg))
}

// ---- the history ----

// histRow is one row of the history list.
type histRow struct {
	title, sub, code *widget.Label
	copy, reuse      *widget.Button
	v                smsView
}

func (t *smsTab) newHistRow() fyne.CanvasObject {
	r := &histRow{}
	r.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	r.title.Truncation = fyne.TextTruncateEllipsis
	r.sub = widget.NewLabel("")
	r.sub.Truncation = fyne.TextTruncateEllipsis
	r.sub.SizeName = theme.SizeNameCaptionText
	r.code = widget.NewLabelWithStyle("", fyne.TextAlignTrailing, fyne.TextStyle{Bold: true, Monospace: true})
	r.copy = t.ui.newCopyButton(tr.L("Copy"), true, func() string {
		d, _ := r.v.LastCode()
		return d.Value
	})
	r.reuse = widget.NewButtonWithIcon(tr.L("Reuse…"), theme.MailReplyIcon(), func() { t.reuse(r.v.Number) })
	r.reuse.Importance = widget.LowImportance
	root := newColumns([]float32{0, 100, 100, 100}, tightVBox(r.title, r.sub), r.code, r.copy, r.reuse)
	t.histRows[root] = r
	return root
}

func (r *histRow) set(v smsView, t *smsTab) {
	r.v = v
	n := v.Number
	phone := short(n.Phone, maxShort)
	if phone == "" {
		phone = "#" + strconv.FormatInt(n.Order, 10)
	}
	r.title.SetText(phone)
	st, _ := smsStatusText(v, false)
	parts := []string{short(n.Label, maxName), t.countryName(n.Country), formatWhen(n.PlacedAt), st}
	last, hasCode := v.LastCode()
	if hasCode && last.Content != "" {
		parts = append(parts, "“"+short(last.Content, maxLine)+"”")
	}
	r.sub.SetText(strings.Join(nonEmpty(parts), " · "))
	if hasCode {
		r.code.SetText(short(last.Value, maxShort))
		r.copy.Show()
	} else {
		r.code.SetText("—")
		r.copy.Hide()
	}
	if n.Phone == "" || n.ProjectID == "" {
		r.reuse.Disable()
	} else {
		r.reuse.Enable()
	}
}
