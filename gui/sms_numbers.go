package gui

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hstockplus/hstockplus/cache"
)

// smsView is one number as the store knows it, with its codes (oldest first).
type smsView struct {
	n     cache.SMSNumber
	codes []cache.Delivery
}

// lastCode is the newest code the number received, if any.
func (v smsView) lastCode() (cache.Delivery, bool) {
	if len(v.codes) == 0 {
		return cache.Delivery{}, false
	}
	return v.codes[len(v.codes)-1], true
}

// pendingSMS is a purchase whose answer was lost before any number was known.
type pendingSMS struct{ sp cache.Spend }

// Where the divider between the live numbers and the history sits, with and without live ones.
const (
	smsSplitBusy  = 0.7
	smsSplitEmpty = 0.3
)

// smsHistoryLimit bounds how many numbers the tab reads (newest first).
const smsHistoryLimit = 500

// expiryOf is when n stops receiving: as the server said, else estimated from when it was rented.
func expiryOf(n cache.SMSNumber) (at time.Time, exact bool) {
	if !n.ExpiresAt.IsZero() {
		return n.ExpiresAt, true
	}
	return n.PlacedAt.Add(cache.DefaultSMSLifetime), false
}

// smsLive reports whether v's number is still in use at now: before its expiry, and not given up.
// The poller closes a number once its code is in (it stops asking), so a closed number with a
// code stays live — its code shown large — until it expires; one closed without a code was given
// up on.
func smsLive(v smsView, now time.Time) bool {
	n := v.n
	if strings.EqualFold(n.Status, "expired") || (n.Closed && len(v.codes) == 0) {
		return false
	}
	at, _ := expiryOf(n)
	return now.Before(at)
}

// countdownText is the time left before expiry: "19:32 left", "about 19:32 left", "Expired".
func countdownText(left time.Duration, exact bool) string {
	if left <= 0 {
		return lang.L("Expired")
	}
	s := int64(left / time.Second)
	var d string
	if s >= 3600 {
		d = fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	} else {
		d = fmt.Sprintf("%d:%02d", s/60, s%60)
	}
	if exact {
		return fmt.Sprintf(lang.L("%s left"), d)
	}
	return fmt.Sprintf(lang.L("about %s left"), d)
}

// smsStatusText is the number's state in words, with its colour.
func smsStatusText(v smsView, live bool) (string, widget.Importance) {
	n := v.n
	_, hasCode := v.lastCode()
	switch {
	case n.Unconfirmed:
		return lang.L("Unconfirmed: the answer to the purchase was lost"), widget.WarningImportance
	case hasCode && live:
		return lang.L("Code received"), widget.SuccessImportance
	case hasCode:
		return lang.L("Code received · expired"), widget.SuccessImportance
	case !live:
		return lang.L("Expired without a code"), widget.WarningImportance
	}
	switch strings.ToLower(n.Status) {
	case "", "active", "waiting", "pending":
		return lang.L("Waiting for the SMS…"), widget.HighImportance
	}
	return n.Status, widget.MediumImportance
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
	t.activeMsg.SetText(lang.L("Reading your numbers…"))
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

	active := container.NewBorder(heading(lang.L("Active numbers")), nil, nil, nil, container.NewVScroll(t.activeBox))
	hist := container.NewBorder(heading(lang.L("History")), nil, nil, nil,
		container.NewStack(t.histList, container.NewVBox(t.histMsg)))
	t.split = container.NewVSplit(active, hist)
	t.split.Offset = smsSplitEmpty
	return t.split
}

// reload reads the numbers and their codes from the store, then shows them. UI goroutine only.
func (t *smsTab) reload() {
	st := t.ui.deps.Store
	if st == nil {
		t.numbersErr = lang.L("The local store is not open: rented numbers cannot be listed.")
		t.regroup()
		return
	}
	t.ui.background(func(context.Context) {
		views, pending, err := readSMS(st)
		fyne.Do(func() {
			if err != nil {
				t.ui.deps.Logf("sms: %v", err)
				t.numbersErr = fmt.Sprintf(lang.L("Could not read your saved numbers: %v"), err)
			} else {
				t.numbersErr, t.views, t.pending = "", views, pending
			}
			t.regroup()
		})
	})
}

// readSMS reads the numbers (newest first) with their codes, and the unconfirmed purchases that
// have no number. Off the UI goroutine.
func readSMS(st *cache.Store) ([]smsView, []pendingSMS, error) {
	nums, err := st.SMSNumbers(cache.Query{Limit: smsHistoryLimit})
	if err != nil {
		return nil, nil, err
	}
	views := make([]smsView, 0, len(nums))
	for _, n := range nums {
		v := smsView{n: n}
		if n.Codes > 0 {
			ds, err := st.Deliveries(n.Order)
			if err != nil {
				return nil, nil, err
			}
			for _, d := range ds {
				if d.Kind == cache.DeliverySMSCode {
					v.codes = append(v.codes, d)
				}
			}
		}
		views = append(views, v)
	}
	spends, err := st.Spends(cache.SpendUnconfirmed)
	if err != nil {
		return nil, nil, err
	}
	var pending []pendingSMS
	for _, sp := range spends {
		if sp.Action == cache.ActionAddSMS && len(sp.Orders) == 0 {
			pending = append(pending, pendingSMS{sp})
		}
	}
	return views, pending, nil
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
		t.activeMsg.SetText(lang.L("No active number. Choose a country and a service, then rent a number: its code shows here, large, as soon as the SMS arrives."))
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
		t.histMsg.SetText(lang.L("The history could not be read."))
		t.histMsg.Show()
	case len(t.history) == 0:
		t.histMsg.SetText(lang.L("Numbers whose time is over are listed here with their codes."))
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
	n := v.n
	c := &smsCard{v: v}
	phone := n.Phone
	if phone == "" {
		phone = lang.L("number not known yet")
	}
	c.phone = widget.NewLabelWithStyle(phone, fyne.TextAlignLeading, fyne.TextStyle{Bold: true, Monospace: true})
	c.phone.SizeName = theme.SizeNameSubHeadingText
	c.copyPhone = t.ui.newCopyButton(lang.L("Copy"), false, func() string { return n.Phone })
	c.copyPhone.Importance = widget.LowImportance
	if n.Phone == "" {
		c.copyPhone.Hide()
	}
	c.countdown = widget.NewLabelWithStyle("", fyne.TextAlignTrailing, fyne.TextStyle{Bold: true, Monospace: true})

	meta := []string{n.Label, t.countryName(n.Country), "#" + strconv.FormatInt(n.Order, 10),
		fmt.Sprintf(lang.L("rented %s"), formatWhen(n.PlacedAt))}
	if !n.Charge.IsZero() {
		meta = append(meta, fmt.Sprintf(lang.L("charged %s %s"), n.Charge, n.Currency))
	}
	c.meta = newWrapLabel()
	c.meta.SetText(strings.Join(nonEmpty(meta), " · "))
	c.meta.SizeName = theme.SizeNameCaptionText

	st, imp := smsStatusText(v, true)
	c.status = widget.NewLabelWithStyle(st, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	c.status.Importance = imp

	last, hasCode := v.lastCode()
	c.code = widget.NewLabelWithStyle(last.Value, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	c.code.SizeName = theme.SizeNameHeadingText
	c.code.Selectable = true
	c.copyCode = t.ui.newCopyButton(lang.L("Copy code"), true, func() string { return last.Value })
	c.copyCode.Importance = widget.HighImportance
	c.qr = t.ui.newQRButton(fmt.Sprintf(lang.L("Code for %s"), n.Phone), func() string { return last.Value })
	c.codeRow = container.NewHBox(c.code, container.NewCenter(c.copyCode), container.NewCenter(c.qr))
	c.text = newWrapLabel()
	c.text.TextStyle = fyne.TextStyle{Italic: true}
	var text []string
	if last.Content != "" {
		text = append(text, "“"+last.Content+"”")
	}
	if len(v.codes) > 1 {
		var earlier []string
		for _, d := range v.codes[:len(v.codes)-1] {
			earlier = append(earlier, d.Value)
		}
		text = append(text, fmt.Sprintf(lang.L("Earlier codes: %s"), strings.Join(earlier, ", ")))
	}
	c.text.SetText(strings.Join(text, "\n"))
	if !hasCode {
		c.codeRow.Hide()
	}
	if len(text) == 0 {
		c.text.Hide()
	}

	c.reuse = widget.NewButtonWithIcon(lang.L("Reuse this number…"), theme.MailReplyIcon(), func() { t.reuse(n) })
	if n.Phone == "" || n.ProjectID == "" {
		c.reuse.Disable()
	}
	c.check = widget.NewButtonWithIcon(lang.L("Check now"), theme.ViewRefreshIcon(), func() { t.checkNow(c) })
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
	at, exact := expiryOf(c.v.n)
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

// checkNow asks HstockPlus at once for the number's code and status, records them, and shows
// them — for when the user is waiting and does not want to wait for the next poll. UI goroutine
// only.
func (t *smsTab) checkNow(c *smsCard) {
	st := t.ui.deps.Store
	if st == nil {
		return
	}
	id := c.v.n.Order
	c.check.Disable()
	c.check.SetText(lang.L("Checking…"))
	t.ui.background(func(ctx context.Context) {
		var firstErr error
		code, err := t.ui.deps.API.SMSCode(ctx, id)
		if err == nil && code.Received() {
			_, err = st.RecordSMSCode(id, *code)
		}
		firstErr = err
		status, err := t.ui.deps.API.SMSStatus(ctx, id)
		if err == nil {
			_, err = st.RecordSMSStatus(id, *status)
		}
		if firstErr == nil {
			firstErr = err
		}
		fyne.Do(func() {
			if firstErr != nil {
				c.check.Enable()
				c.check.SetText(lang.L("Check now"))
				c.status.SetText(fmt.Sprintf(lang.L("Could not check: %s"), describeError(firstErr)))
				c.status.Importance = widget.DangerImportance
				c.status.Refresh()
				return
			}
			t.reload()
		})
	})
}

// newPendingCard shows a purchase whose outcome is unknown.
func (t *smsTab) newPendingCard(p pendingSMS) fyne.CanvasObject {
	sp := p.sp
	title := widget.NewLabelWithStyle(fmt.Sprintf(lang.L("%s × %d (%s) — unconfirmed"), sp.Label, sp.AddSMS.Quantity, t.countryName(sp.AddSMS.Country)),
		fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Importance = widget.WarningImportance
	msg := newWrapLabel()
	msg.SetText(fmt.Sprintf(lang.L("%s: the connection broke before HstockPlus answered, so the numbers may or may not have been rented (%s). It was NOT sent again. Check your balance: if it went down by %s, they were rented."),
		formatWhen(sp.CreatedAt), sp.Error, sp.Estimate))
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
	r.copy = t.ui.newCopyButton(lang.L("Copy"), true, func() string {
		d, _ := r.v.lastCode()
		return d.Value
	})
	r.reuse = widget.NewButtonWithIcon(lang.L("Reuse…"), theme.MailReplyIcon(), func() { t.reuse(r.v.n) })
	r.reuse.Importance = widget.LowImportance
	root := newColumns([]float32{0, 100, 100, 100}, tightVBox(r.title, r.sub), r.code, r.copy, r.reuse)
	t.histRows[root] = r
	return root
}

func (r *histRow) set(v smsView, t *smsTab) {
	r.v = v
	n := v.n
	phone := n.Phone
	if phone == "" {
		phone = "#" + strconv.FormatInt(n.Order, 10)
	}
	r.title.SetText(phone)
	st, _ := smsStatusText(v, false)
	parts := []string{n.Label, t.countryName(n.Country), formatWhen(n.PlacedAt), st}
	last, hasCode := v.lastCode()
	if hasCode && last.Content != "" {
		parts = append(parts, "“"+last.Content+"”")
	}
	r.sub.SetText(strings.Join(nonEmpty(parts), " · "))
	if hasCode {
		r.code.SetText(last.Value)
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
