package gui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hstockplus/hstockplus/account"
	"github.com/hstockplus/hstockplus/client"
	"github.com/hstockplus/hstockplus/internal/tr"
)

// massOrderService: the Mass order dialog (*account.Service implements it).
type massOrderService interface {
	StartBatch(c account.MassCheck) (account.Batch, error)
	RunBatch(ctx context.Context, id uint64, stop <-chan struct{}, progress account.RunProgress) ([]account.LineResult, error)
	InterruptedBatches() ([]account.BatchView, error)
	DiscardBatch(id uint64) error
}

// massRow is one line of the dialog's table: what was written, and what became of it.
type massRow struct {
	n      int    // the line's number in the text
	what   string // the order, or the line as written
	status string // the error, the estimate, or the outcome
	bad    bool
	// Of a batch's line: not sent yet, and its estimate.
	unsent   bool
	estimate client.Decimal
}

// massDialog is the Mass order dialog: the lines are written or imported, checked against the
// catalog as they are typed, confirmed once, and sent one after another with their outcome in
// the table. UI goroutine only, but for the run.
type massDialog struct {
	ui  *UI
	svc massOrderService
	d   dialog.Dialog

	entry    *escEntry
	help     *widget.Label
	importer *widget.Button
	list     *widget.List
	summary  *widget.Label
	progress *widget.ProgressBar
	place    *widget.Button
	stopBtn  *widget.Button
	resume   *widget.Button
	discard  *widget.Button
	close    *widget.Button

	lookup  func(int64) (client.Service, bool)
	check   account.MassCheck
	rows    []massRow
	batch   uint64        // the batch being sent or reviewed
	index   map[int]int   // batch line index → row
	stop    chan struct{} // closed to stop before the next line
	running bool
	closed  bool
}

// openMassOrder opens the Mass order dialog with an empty editor.
func (u *UI) openMassOrder() {
	m := u.newMassDialog(false)
	m.showEditor()
}

// newMassDialog builds the dialog: with the editor, or (review) the table of a stored batch only.
func (u *UI) newMassDialog(review bool) *massDialog {
	m := &massDialog{ui: u, svc: u.deps.Account, index: map[int]int{}}
	if t := u.catalog; t != nil && t.index != nil {
		byNum := make(map[int64]client.Service, len(t.index.rows))
		for _, s := range t.index.rows {
			byNum[s.Service] = s
		}
		m.lookup = func(n int64) (client.Service, bool) { s, ok := byNum[n]; return s, ok }
	}
	m.entry = newEscEntry(u.win)
	m.entry.MultiLine = true
	m.entry.Wrapping = fyne.TextWrapOff
	m.entry.SetPlaceHolder("1 | https://instagram.com/p/… | 1000")
	m.entry.SetMinRowsVisible(6)
	m.entry.OnChanged = func(string) { m.revalidate() }
	m.help = widget.NewLabel(tr.L("One order per line: service | link | quantity. For a Custom Comments service, the comments come fourth, separated by \\n. A .csv file may use commas or semicolons."))
	m.help.Wrapping = fyne.TextWrapWord
	m.importer = widget.NewButtonWithIcon(tr.L("Import CSV…"), theme.FolderOpenIcon(), m.importCSV)
	m.list = widget.NewList(func() int { return len(m.rows) }, newMassRowObject, func(id widget.ListItemID, o fyne.CanvasObject) {
		if id < len(m.rows) {
			setMassRow(o, m.rows[id])
		}
	})
	m.summary = widget.NewLabel("")
	m.summary.Wrapping = fyne.TextWrapWord
	m.progress = widget.NewProgressBar()
	m.progress.Hide()
	m.place = widget.NewButtonWithIcon(tr.L("Place the orders…"), theme.ConfirmIcon(), m.confirm)
	m.place.Importance = widget.HighImportance
	m.stopBtn = widget.NewButtonWithIcon(tr.L("Stop after this line"), theme.MediaStopIcon(), m.stopRun)
	m.resume = widget.NewButtonWithIcon(tr.L("Send the lines not sent…"), theme.MailSendIcon(), m.confirmResume)
	m.resume.Importance = widget.HighImportance
	m.discard = widget.NewButtonWithIcon(tr.L("Discard them"), theme.DeleteIcon(), m.confirmDiscard)
	m.close = widget.NewButton(tr.L("Close"), func() { m.d.Hide() })
	for _, b := range []*widget.Button{m.stopBtn, m.resume, m.discard} {
		b.Hide()
	}

	top := container.NewBorder(nil, nil, nil, m.importer, m.help)
	editor := container.NewBorder(top, nil, nil, nil, m.entry)
	buttons := container.NewHBox(m.discard, m.stopBtn, m.close, m.resume, m.place)
	bottom := container.NewVBox(m.progress, m.summary, container.NewBorder(nil, nil, nil, buttons))
	var middle fyne.CanvasObject = m.list
	if !review {
		split := container.NewVSplit(editor, m.list)
		split.Offset = 0.4
		middle = split
	}
	content := container.NewBorder(nil, bottom, nil, nil, middle)
	m.d = dialog.NewCustomWithoutButtons(tr.L("Mass order"), content, u.win)
	m.d.Resize(fyne.NewSize(900, 620))
	return m
}

func (m *massDialog) show() {
	showDialog(m.d, m.ui.win)
	// showDialog sets its own OnClosed (forgetting the dialog): ours does that too, and
	// closing stops the run before its next line, never in the middle of one.
	m.d.SetOnClosed(func() {
		forgetDialog(m.d, m.ui.win)
		m.closed = true
		m.stopRun()
	})
}

func (m *massDialog) showEditor() {
	m.revalidate()
	m.show()
	m.ui.win.Canvas().Focus(m.entry)
}

// revalidate reads and checks the text as it stands. UI goroutine only.
func (m *massDialog) revalidate() {
	if m.batch != 0 {
		return
	}
	m.check = account.ValidateMass(account.ParseMassText(m.entry.Text), m.lookup)
	cur := m.ui.currency()
	m.rows = m.rows[:0]
	bad := 0
	for _, l := range m.check.Lines {
		r := massRow{n: l.N}
		if l.OK() {
			r.what = orderWhat(l.Service, l.Label, l.Quantity, l.Link)
			r.status = money(l.Estimate) + " " + cur
		} else {
			r.what, r.status, r.bad = short(l.Raw, maxLine), problemText(l), true
			bad++
		}
		m.rows = append(m.rows, r)
	}
	m.list.Refresh()
	var parts []string
	switch {
	case len(m.check.Lines) == 0:
		parts = append(parts, tr.L("Paste or type the orders above, or import a .csv file."))
	case m.check.Valid > 0:
		parts = append(parts, fmt.Sprintf(tr.L("Orders to place: %d. Estimated total: %s %s."), m.check.Valid, money(m.check.Total), cur))
	}
	if bad > 0 {
		parts = append(parts, fmt.Sprintf(tr.L("Lines with errors, left out: %d."), bad))
	}
	if b, ok := m.ui.knownBalance(); ok && m.check.Valid > 0 {
		parts = append(parts, fmt.Sprintf(tr.L("Your balance: %s %s."), money(b.Balance), b.Currency))
		if m.check.Total.Cmp(b.Balance.Decimal) > 0 {
			parts = append(parts, tr.L("⚠ The total is more than your balance: the last orders may be refused."))
		}
	}
	m.summary.SetText(strings.Join(parts, " "))
	if m.check.Valid > 0 {
		m.place.Enable()
	} else {
		m.place.Disable()
	}
}

// orderWhat is an order as the table shows it.
func orderWhat(svc int64, label string, qty int64, link string) string {
	s := fmt.Sprintf("#%d %s × %s", svc, short(label, maxName), groupDigits(qty))
	if link != "" {
		s += " → " + short(link, maxLine)
	}
	return s
}

// problemText says what is wrong with a line.
func problemText(l account.Line) string {
	switch l.Problem {
	case account.ProblemTooLong:
		return tr.L("The line is too long")
	case account.ProblemTooMany:
		return fmt.Sprintf(tr.L("Too many lines: at most %d in one mass order"), account.MaxMassLines)
	case account.ProblemService:
		return tr.L("The service must be a number")
	case account.ProblemQuantity:
		return tr.L("The quantity must be a whole number above zero")
	case account.ProblemUnknownService:
		return fmt.Sprintf(tr.L("No service #%d in the catalog"), l.Service)
	case account.ProblemRange:
		return fmt.Sprintf(tr.L("The quantity must be between %s and %s"), groupDigits(l.Min), groupDigits(l.Max))
	case account.ProblemStock:
		return fmt.Sprintf(tr.L("Only %s in stock"), groupDigits(l.Stock))
	case account.ProblemNoLink:
		return tr.L("A link is needed")
	case account.ProblemBadLink:
		return tr.L("The link has spaces in it")
	case account.ProblemPrice:
		return tr.L("The price is unknown: order it from the Catalog instead")
	case account.ProblemNoComments:
		return tr.L("Comments are needed, as the fourth field")
	case account.ProblemCommentCount:
		return fmt.Sprintf(tr.L("The quantity must equal the number of comments (%d)"), l.Count)
	case account.ProblemNotComments:
		return tr.L("This service takes no comments")
	case account.ProblemNoCatalog:
		return tr.L("The catalog is not loaded yet")
	}
	return tr.L("Not an order: write service | link | quantity")
}

func newMassRowObject() fyne.CanvasObject {
	n := widget.NewLabel("0000")
	what := widget.NewLabel("")
	what.Truncation = fyne.TextTruncateEllipsis
	status := widget.NewLabel("")
	status.Truncation = fyne.TextTruncateEllipsis
	return newColumns([]float32{60, 0, 0}, n, what, status)
}

func setMassRow(o fyne.CanvasObject, r massRow) {
	c := o.(*fyne.Container)
	c.Objects[0].(*widget.Label).SetText(strconv.Itoa(r.n))
	c.Objects[1].(*widget.Label).SetText(r.what)
	st := c.Objects[2].(*widget.Label)
	st.SetText(r.status)
	if r.bad {
		st.Importance = widget.DangerImportance
	} else {
		st.Importance = widget.MediumImportance
	}
	st.Refresh()
}

// importCSV adds the orders of a .csv (or .txt) file to the editor, in the pasted format.
func (m *massDialog) importCSV() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		m.ui.async(func() {
			defer r.Close()
			data, err := io.ReadAll(io.LimitReader(r, account.MaxMassInput+1))
			var lines []string
			var bad []account.Line
			if err == nil {
				for _, l := range account.ParseMassCSV(data) {
					if l.Problem == account.NoProblem || l.Service != 0 && l.Problem > account.ProblemTooMany {
						lines = append(lines, account.MassLineText(l))
					} else {
						bad = append(bad, l)
					}
				}
			}
			fyne.Do(func() {
				if err != nil {
					showError(err, m.ui.win)
					return
				}
				text := strings.TrimRight(m.entry.Text, "\n")
				if text != "" {
					text += "\n"
				}
				m.entry.SetText(text + strings.Join(lines, "\n"))
				if len(bad) > 0 {
					var msg []string
					for _, l := range bad[:min(len(bad), 10)] {
						msg = append(msg, fmt.Sprintf(tr.L("Line %d: %s"), l.N, problemText(l)))
					}
					showInformation(tr.L("Some lines of the file could not be read"), strings.Join(msg, "\n"), m.ui.win)
				}
			})
		})
	}, m.ui.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".csv", ".txt"}))
	d.Resize(fyne.NewSize(800, 560))
	showDialog(d, m.ui.win)
}

// confirm asks once for all the valid lines, then stores the batch and sends it.
func (m *massDialog) confirm() {
	c := m.check
	if c.Valid == 0 {
		return
	}
	cur := m.ui.currency()
	text := fmt.Sprintf(tr.N("%d order will be sent, one after another, for an estimated %s %s in all.", c.Valid), c.Valid, money(c.Total), cur)
	if bad := len(c.Lines) - c.Valid; bad > 0 {
		text += "\n" + fmt.Sprintf(tr.L("Lines with errors, left out: %d."), bad)
	}
	if b, ok := m.ui.knownBalance(); ok {
		text += "\n" + fmt.Sprintf(tr.L("Your balance: %s %s."), money(b.Balance), b.Currency)
	}
	text += "\n\n" + tr.L("Each order is sent once and never sent again by itself; a failed line does not stop the others. The final charges are those HstockPlus reports.")
	msg := widget.NewLabel(text)
	msg.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm(tr.L("Place the mass order?"), tr.L("Place the orders"), tr.L("Cancel"), msg, func(ok bool) {
		if !ok {
			return
		}
		b, err := m.svc.StartBatch(c)
		if err != nil {
			showError(err, m.ui.win)
			return
		}
		m.startRun(b.ID, m.batchRows(b, nil))
	}, m.ui.win)
	d.Resize(fyne.NewSize(520, 0))
	showDialog(d, m.ui.win)
}

// batchRows are the rows of a stored batch: its lines, each with what became of it (spends,
// when known: per line, an empty one for a line not sent).
func (m *massDialog) batchRows(b account.Batch, spends []account.Spend) []massRow {
	m.index = map[int]int{}
	rows := make([]massRow, len(b.Lines))
	for i, l := range b.Lines {
		rows[i] = massRow{n: l.Line, what: orderWhat(l.Service, l.Label, l.Quantity, l.Link), status: tr.L("Not sent"),
			unsent: l.SpendID == 0, estimate: l.Estimate}
		m.index[i] = i
		if i < len(spends) && spends[i].ID != 0 {
			rows[i].status, rows[i].bad = spendStatus(spends[i])
		}
	}
	return rows
}

// spendStatus says what became of a line from its journal entry.
func spendStatus(sp account.Spend) (string, bool) {
	switch sp.State {
	case account.SpendPlaced:
		if len(sp.Orders) > 0 {
			return fmt.Sprintf(tr.L("Placed: order #%s"), strconv.FormatInt(sp.Orders[0], 10)), false
		}
		return tr.L("Placed"), false
	case account.SpendFailed:
		return fmt.Sprintf(tr.L("Not placed: %s"), short(sp.Error, maxLine)), true
	case account.SpendUnconfirmed:
		return tr.L("Unconfirmed: the answer was lost; it was not sent again (see the Orders tab)"), true
	}
	return tr.L("Sending…"), false
}

// resultStatus says what became of a line just sent.
func resultStatus(r account.LineResult) (string, bool) {
	switch {
	case r.Sending:
		return tr.L("Sending…"), false
	case r.Outcome == account.Placed:
		return fmt.Sprintf(tr.L("Placed: order #%s"), strconv.FormatInt(r.Order, 10)), false
	case r.Outcome == account.Unconfirmed:
		return tr.L("Unconfirmed: the answer was lost; it was not sent again (see the Orders tab)"), true
	}
	return fmt.Sprintf(tr.L("Not placed: %s"), describeError(r.Err)), true
}

// startRun sends the unsent lines of batch id, showing each outcome in its row. UI goroutine.
func (m *massDialog) startRun(id uint64, rows []massRow) {
	m.batch, m.rows = id, rows
	m.entry.Disable()
	m.importer.Disable()
	m.place.Hide()
	m.resume.Hide()
	m.discard.Hide()
	m.stopBtn.Enable()
	m.stopBtn.Show()
	m.close.Disable()
	m.list.Refresh()
	todo, _ := m.unsent()
	m.progress.Max, m.progress.Value = float64(todo), 0
	m.progress.Show()
	m.summary.SetText(fmt.Sprintf(tr.L("Sent %d of %d"), 0, todo))
	m.running = true
	m.stop = make(chan struct{})
	stop, svc, ctx := m.stop, m.svc, m.ui.deps.Context
	done := 0
	counts := [3]int{}
	m.ui.async(func() {
		_, err := svc.RunBatch(ctx, id, stop, func(r account.LineResult) {
			fyne.Do(func() {
				if i, ok := m.index[r.Index]; ok && i < len(m.rows) {
					m.rows[i].status, m.rows[i].bad = resultStatus(r)
					m.rows[i].unsent = false
					m.list.RefreshItem(i)
					if r.Sending {
						m.list.ScrollTo(i)
					}
				}
				if !r.Sending {
					done++
					counts[min(int(r.Outcome), 2)]++
					m.progress.SetValue(float64(done))
					m.summary.SetText(fmt.Sprintf(tr.L("Sent %d of %d"), done, todo))
				}
			})
		})
		fyne.Do(func() { m.finishRun(err, counts, todo-done) })
	})
}

// finishRun says how the run ended. UI goroutine only.
func (m *massDialog) finishRun(err error, counts [3]int, left int) {
	m.running = false
	m.stopBtn.Hide()
	m.close.Enable()
	text := fmt.Sprintf(tr.L("Placed: %d. Not placed: %d. Unconfirmed: %d."), counts[account.Placed], counts[account.NotPlaced], counts[account.Unconfirmed])
	if left > 0 {
		text += " " + fmt.Sprintf(tr.N("%d line was not sent: it stays saved, to send or discard.", left), left)
		if !errors.Is(err, account.ErrStopped) && !errors.Is(err, context.Canceled) && err != nil {
			text += " " + describeError(err)
		}
		if !m.closed {
			m.resume.Show()
			m.discard.Show()
		}
	}
	if counts[account.Unconfirmed] > 0 {
		text += "\n" + tr.L("An unconfirmed order may or may not have been placed: check your balance, and settle it in the Orders tab.")
	}
	m.summary.SetText(text)
	m.ui.background(m.ui.balance.load)
}

// stopRun stops the run before its next line. UI goroutine only.
func (m *massDialog) stopRun() {
	if m.running && m.stop != nil {
		select {
		case <-m.stop:
		default:
			close(m.stop)
		}
		m.stopBtn.Disable()
		m.summary.SetText(tr.L("Stopping after the line being sent…"))
	}
}

// confirmResume asks before sending the lines of the batch not sent yet.
func (m *massDialog) confirmResume() {
	left, total := m.unsent()
	if left == 0 {
		return
	}
	text := fmt.Sprintf(tr.N("%d order will be sent, one after another, for an estimated %s %s in all.", left), left, money(total), m.ui.currency()) +
		"\n\n" + tr.L("Only the lines never sent are sent: those already sent, unconfirmed ones included, are not sent again.")
	msg := widget.NewLabel(text)
	msg.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm(tr.L("Send the lines not sent?"), tr.L("Place the orders"), tr.L("Cancel"), msg, func(ok bool) {
		if ok {
			m.startRun(m.batch, m.rows)
		}
	}, m.ui.win)
	d.Resize(fyne.NewSize(520, 0))
	showDialog(d, m.ui.win)
}

// unsent counts the rows not sent, with their estimated total.
func (m *massDialog) unsent() (int, client.Decimal) {
	n, total := 0, client.Decimal{}
	for _, r := range m.rows {
		if r.unsent {
			n++
			total = client.NewDecimal(total.Add(r.estimate.Decimal))
		}
	}
	return n, total
}

// confirmDiscard asks before forgetting the lines not sent.
func (m *massDialog) confirmDiscard() {
	showConfirm(tr.L("Discard the lines not sent?"), tr.L("They will not be sent. The orders already sent stay in the Orders tab."), func(ok bool) {
		if !ok {
			return
		}
		if err := m.svc.DiscardBatch(m.batch); err != nil {
			showError(err, m.ui.win)
			return
		}
		m.d.Hide()
	}, m.ui.win)
}

// offerInterrupted offers, at start, the mass orders a crash or a stop left with lines not sent.
// Off the UI goroutine.
func (u *UI) offerInterrupted() {
	views, err := u.deps.Account.InterruptedBatches()
	if err != nil {
		u.deps.Logf("mass order: %v", err)
		return
	}
	if len(views) == 0 {
		return
	}
	v := views[0]
	fyne.Do(func() {
		n := v.Unsent()
		d := dialog.NewConfirm(tr.L("Mass order interrupted"),
			fmt.Sprintf(tr.N("Mass order interrupted: %d line not sent.", n), n)+" "+tr.L("Review it to send the rest or discard it."),
			func(ok bool) {
				if ok {
					u.reviewBatch(v)
				}
			}, u.win)
		d.SetConfirmText(tr.L("Review"))
		d.SetDismissText(tr.L("Later"))
		showDialog(d, u.win)
	})
}

// reviewBatch shows a stored batch: what became of the lines sent, and the lines not sent, to
// send or discard. UI goroutine only.
func (u *UI) reviewBatch(v account.BatchView) {
	m := u.newMassDialog(true)
	m.batch = v.Batch.ID
	m.rows = m.batchRows(v.Batch, v.Spends)
	m.place.Hide()
	m.resume.Show()
	m.discard.Show()
	m.summary.SetText(fmt.Sprintf(tr.N("Mass order interrupted: %d line not sent.", v.Unsent()), v.Unsent()) + " " +
		tr.L("Only the lines never sent are sent: those already sent, unconfirmed ones included, are not sent again."))
	m.show()
	m.list.Refresh()
}
