package gui

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hstockplus/hstockplus/account"
	"github.com/hstockplus/hstockplus/client"
	"github.com/hstockplus/hstockplus/internal/tr"
)

// smsTab rents phone numbers for SMS verification: a searchable country list, the projects
// (sites and apps) of the chosen country with their prices, a quantity and a journaled purchase
// on the left; the numbers still live, with a countdown and their codes, and the history of past
// numbers on the right (sms_numbers.go). Everything here runs on the UI goroutine but what is
// handed to ui.background.
type smsTab struct {
	ui   *UI
	svc  smsService
	item *container.TabItem

	// now is the tab's clock (tests drive it); runTicker starts the 1 s ticker that calls tick on
	// the UI goroutine and returns its stop function (tests replace it).
	now       func() time.Time
	runTicker func(tick func()) (stop func())
	stopTick  func() // the running ticker's stop, nil when none runs

	started bool // the countries and numbers were first asked for

	// The purchase side (sms_buy.go).
	countries     []client.SMSCountry // as loaded, sorted by name
	countryRows   []int               // indexes into countries after the search
	countrySearch *widget.Entry
	countryList   *widget.List
	countryMsg    *messageBox
	country       client.SMSCountry // the chosen one; Code "" when none

	projSeq     int // bumped on every country change; late answers for an older one are dropped
	projects    []client.SMSProject
	projRows    []int
	projSearch  *widget.Entry
	projList    *widget.List
	projMsg     *messageBox
	project     client.SMSProject // the chosen one; ProjectID "" when none
	chosenTitle *widget.Label

	qty      *widget.Entry
	total    *widget.Label
	formErr  *widget.Label
	buyBtn   *widget.Button
	renting  bool // a purchase from this form is being sent
	minusBtn *widget.Button
	plusBtn  *widget.Button

	// The numbers side (sms_numbers.go).
	numbers    map[int64]smsView        // every number the store knows, updated from events
	pendingSp  map[uint64]account.Spend // unconfirmed purchases with no number known
	views      []smsView                // numbers, newest first
	pending    []account.Spend          // pendingSp, oldest first
	active     []*smsCard               // cards of the live numbers, as shown
	history    []smsView                // numbers no longer live, newest first
	activeBox  *fyne.Container
	activeMsg  *widget.Label
	histList   *widget.List
	histMsg    *widget.Label
	histRows   map[*fyne.Container]*histRow
	split      *container.Split // live numbers over the history
	splitBusy  bool             // the split gives the room to live numbers
	numbersErr string           // why the store could not be read, "" when it was
}

// smsCountryPref remembers the last country chosen.
const smsCountryPref = "sms.country"

func newSMSTab(u *UI) *smsTab {
	t := &smsTab{ui: u, svc: u.deps.Account, now: time.Now, histRows: map[*fyne.Container]*histRow{}}
	t.runTicker = func(tick func()) func() { return realTicker(u.deps.Context, tick) }
	buy := t.buildBuyPane()
	numbers := t.buildNumbersPane()
	split := container.NewHSplit(buy, numbers)
	split.Offset = 0.5
	root := newOnShow(split, t.ensureLoaded)
	t.item = container.NewTabItemWithIcon(tr.L("SMS"), theme.MailComposeIcon(), root)
	return t
}

// ensureLoaded asks for the countries and reads the numbers the first time the tab is shown.
// UI goroutine only.
func (t *smsTab) ensureLoaded() {
	if t.started {
		return
	}
	t.started = true
	t.loadCountries()
	t.reload()
}

// onEvent updates the numbers from an event of the service layer: the number as stored after
// the change, its new code, or a purchase's journal entry. UI goroutine only.
func (t *smsTab) onEvent(ev account.Event) {
	if t.numbers == nil {
		return // never read: the first reload reads everything
	}
	changed := false
	if n := ev.NumberRec; n != nil {
		v := t.numbers[n.Order]
		v.Number = *n
		for _, d := range ev.Deliveries {
			if d.Kind == account.DeliverySMSCode && !slices.ContainsFunc(v.Codes, func(c account.Delivery) bool { return c.Seq == d.Seq }) {
				v.Codes = append(v.Codes, d)
			}
		}
		t.numbers[n.Order] = v
		changed = true
	}
	if sp := ev.Spend; sp != nil && sp.Action == account.ActionAddSMS {
		if sp.State == account.SpendUnconfirmed && len(sp.Orders) == 0 {
			t.pendingSp[sp.ID] = *sp
		} else {
			delete(t.pendingSp, sp.ID)
		}
		for _, n := range ev.Numbers {
			v := t.numbers[n.Order]
			v.Number = n
			t.numbers[n.Order] = v
		}
		changed = true
	}
	if changed {
		t.rebuild()
	}
}

// ---- countries and projects ----

func (t *smsTab) buildBuyPane() fyne.CanvasObject {
	t.countryMsg = newMessageBox()
	t.countryMsg.show(tr.L("Open this tab to load the countries."), "", nil)
	t.countrySearch = widget.NewEntry()
	t.countrySearch.SetPlaceHolder(tr.L("Search countries…"))
	t.countrySearch.OnChanged = func(string) { t.filterCountries() }
	t.countryList = widget.NewList(
		func() int { return len(t.countryRows) },
		func() fyne.CanvasObject {
			name := widget.NewLabel("")
			name.Truncation = fyne.TextTruncateEllipsis
			code := widget.NewLabelWithStyle("", fyne.TextAlignTrailing, fyne.TextStyle{Monospace: true})
			return newColumns([]float32{0, 56}, name, code)
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(t.countryRows) {
				return
			}
			c := t.countries[t.countryRows[id]]
			cols := o.(*fyne.Container).Objects
			cols[0].(*widget.Label).SetText(short(c.Name, maxName))
			cols[1].(*widget.Label).SetText(short(strings.ToUpper(c.Code), 8))
		},
	)
	t.countryList.OnSelected = func(id widget.ListItemID) {
		if id < len(t.countryRows) {
			t.selectCountry(t.countries[t.countryRows[id]])
		}
	}

	t.projMsg = newMessageBox()
	t.projMsg.show(tr.L("Choose a country to see the services numbers can receive codes for, with their prices."), "", nil)
	t.projSearch = widget.NewEntry()
	t.projSearch.SetPlaceHolder(tr.L("Search services…"))
	t.projSearch.OnChanged = func(string) { t.filterProjects() }
	t.projList = widget.NewList(
		func() int { return len(t.projRows) },
		func() fyne.CanvasObject {
			name := widget.NewLabel("")
			name.Truncation = fyne.TextTruncateEllipsis
			price := widget.NewLabelWithStyle("", fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
			return newColumns([]float32{0, -130}, name, price) // the price as wide as it needs
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id >= len(t.projRows) {
				return
			}
			p := t.projects[t.projRows[id]]
			cols := o.(*fyne.Container).Objects
			cols[0].(*widget.Label).SetText(short(p.Name, maxName))
			cols[1].(*widget.Label).SetText(smsPriceText(p, t.ui.currency()))
		},
	)
	t.projList.OnSelected = func(id widget.ListItemID) {
		if id < len(t.projRows) {
			t.project = t.projects[t.projRows[id]]
			t.updateTotal()
		}
	}

	t.chosenTitle = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	t.chosenTitle.Wrapping = fyne.TextWrapWord
	t.qty = widget.NewEntry()
	t.qty.SetText("1")
	t.qty.OnChanged = func(string) { t.updateTotal() }
	t.minusBtn = widget.NewButtonWithIcon("", theme.ContentRemoveIcon(), func() { t.stepQty(-1) })
	t.plusBtn = widget.NewButtonWithIcon("", theme.ContentAddIcon(), func() { t.stepQty(+1) })
	t.total = newWrapLabel()
	t.formErr = newWrapLabel()
	t.formErr.Importance = widget.DangerImportance
	t.buyBtn = widget.NewButtonWithIcon(tr.L("Rent numbers…"), theme.ConfirmIcon(), t.submit)
	t.buyBtn.Importance = widget.HighImportance
	t.updateTotal()

	heading := func(s string) *widget.Label {
		return widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	countries := container.NewBorder(container.NewVBox(heading(tr.L("1. Country")), t.countrySearch), nil, nil, nil,
		container.NewStack(t.countryList, t.countryMsg.root))
	projects := container.NewBorder(container.NewVBox(heading(tr.L("2. Service")), t.projSearch), nil, nil, nil,
		container.NewStack(t.projList, t.projMsg.root))
	lists := container.NewHSplit(countries, projects)
	lists.Offset = 0.42
	qtyRow := container.NewBorder(nil, nil, widget.NewLabelWithStyle(tr.L("3. How many (1–10)"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewHBox(t.minusBtn, t.plusBtn), t.qty)
	form := container.NewVBox(widget.NewSeparator(), t.chosenTitle, qtyRow, t.total, t.formErr, t.buyBtn)
	return container.NewBorder(nil, form, nil, nil, lists)
}

// loadCountries asks for the countries in the background. UI goroutine only.
func (t *smsTab) loadCountries() {
	t.countryMsg.show(tr.L("Loading the countries…"), "", nil)
	t.ui.background(func(ctx context.Context) {
		cs, err := t.svc.SMSCountries(ctx)
		fyne.Do(func() { t.showCountries(cs, err) })
	})
}

func (t *smsTab) showCountries(cs []client.SMSCountry, err error) {
	if err != nil {
		t.countries, t.countryRows = nil, nil
		t.countryList.Refresh()
		t.countryMsg.show(loadErrorText(tr.L("Could not load the countries"), err), tr.L("Try again"), t.loadCountries)
		return
	}
	cs = slices.Clone(cs)
	slices.SortStableFunc(cs, func(a, b client.SMSCountry) int {
		return cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	t.countries = cs
	t.filterCountries()
	if t.country.Code == "" {
		if saved := t.ui.app.Preferences().String(smsCountryPref); saved != "" {
			for i, r := range t.countryRows {
				if strings.EqualFold(t.countries[r].Code, saved) {
					t.countryList.Select(i)
					t.countryList.ScrollTo(i)
					break
				}
			}
		}
	}
	if t.numbers != nil {
		t.regroup() // the numbers shown before the countries came say their country by name now
	}
}

// loadErrorText says why a list could not be loaded, and that it is not empty but unknown.
func loadErrorText(what string, err error) string {
	if isOffline(err) {
		return fmt.Sprintf(tr.L("%s: you seem to be offline (%s)."), what, describeError(err))
	}
	return fmt.Sprintf("%s: %s", what, describeError(err))
}

// filterCountries applies the country search. UI goroutine only.
func (t *smsTab) filterCountries() {
	q := strings.ToLower(strings.TrimSpace(t.countrySearch.Text))
	t.countryRows = t.countryRows[:0]
	sel := -1
	for i, c := range t.countries {
		if q == "" || strings.Contains(strings.ToLower(c.Name), q) || strings.EqualFold(c.Code, q) {
			if c.Code == t.country.Code {
				sel = len(t.countryRows)
			}
			t.countryRows = append(t.countryRows, i)
		}
	}
	t.countryList.UnselectAll()
	t.countryList.Refresh()
	if sel >= 0 {
		t.countryList.Select(sel)
	}
	switch {
	case len(t.countries) == 0:
		t.countryMsg.show(tr.L("HstockPlus offers no countries for SMS numbers right now."), tr.L("Try again"), t.loadCountries)
	case len(t.countryRows) == 0:
		t.countryMsg.show(fmt.Sprintf(tr.L("No country matches “%s”."), t.countrySearch.Text), "", nil)
	default:
		t.countryMsg.root.Hide()
	}
}

// selectCountry loads the projects of c. UI goroutine only.
func (t *smsTab) selectCountry(c client.SMSCountry) {
	if c.Code == t.country.Code {
		return // the search re-selected it
	}
	t.country = c
	t.ui.app.Preferences().SetString(smsCountryPref, c.Code)
	t.loadProjects()
}

func (t *smsTab) loadProjects() {
	t.projSeq++
	seq, c := t.projSeq, t.country
	t.projects, t.projRows, t.project = nil, nil, client.SMSProject{}
	t.projList.UnselectAll()
	t.projList.Refresh()
	t.updateTotal()
	t.projMsg.show(fmt.Sprintf(tr.L("Loading the services of %s…"), short(c.Name, maxName)), "", nil)
	t.ui.background(func(ctx context.Context) {
		ps, err := t.svc.SMSProjects(ctx, c.Code)
		fyne.Do(func() {
			if seq != t.projSeq {
				return
			}
			if err != nil {
				t.projMsg.show(loadErrorText(fmt.Sprintf(tr.L("Could not load the services of %s"), short(c.Name, maxName)), err), tr.L("Try again"), t.loadProjects)
				return
			}
			ps = slices.Clone(ps)
			slices.SortStableFunc(ps, func(a, b client.SMSProject) int {
				return cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
			})
			t.projects = ps
			t.filterProjects()
		})
	})
}

// filterProjects applies the service search. UI goroutine only.
func (t *smsTab) filterProjects() {
	q := strings.ToLower(strings.TrimSpace(t.projSearch.Text))
	t.projRows = t.projRows[:0]
	sel := -1
	for i, p := range t.projects {
		if q == "" || strings.Contains(strings.ToLower(p.Name), q) {
			if p.ProjectID == t.project.ProjectID {
				sel = len(t.projRows)
			}
			t.projRows = append(t.projRows, i)
		}
	}
	t.projList.UnselectAll()
	t.projList.Refresh()
	if sel >= 0 {
		t.projList.Select(sel)
	}
	switch {
	case t.country.Code == "":
	case len(t.projects) == 0:
		t.projMsg.show(fmt.Sprintf(tr.L("No service offers numbers in %s right now. Try another country."), short(t.country.Name, maxName)), "", nil)
	case len(t.projRows) == 0:
		t.projMsg.show(fmt.Sprintf(tr.L("No service in %s matches “%s”."), short(t.country.Name, maxName), short(t.projSearch.Text, maxName)), "", nil)
	default:
		t.projMsg.root.Hide()
	}
}

// countryName is the name of country code as loaded, else the code in capitals.
func (t *smsTab) countryName(code string) string {
	for _, c := range t.countries {
		if strings.EqualFold(c.Code, code) {
			return short(c.Name, maxName)
		}
	}
	return strings.ToUpper(code)
}

// ---- the tab's clock ----

// realTicker calls tick on the UI goroutine every second until stopped.
func realTicker(ctx context.Context, tick func()) func() {
	tk := time.NewTicker(time.Second)
	done := make(chan struct{})
	go func() {
		defer tk.Stop()
		for {
			select {
			case <-tk.C:
				fyne.Do(tick)
			case <-done:
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { close(done) }) }
}

// setTicking starts the ticker when on and none runs, stops it when off. UI goroutine only.
func (t *smsTab) setTicking(on bool) {
	switch {
	case on && t.stopTick == nil:
		t.stopTick = t.runTicker(t.tick)
	case !on && t.stopTick != nil:
		t.stopTick()
		t.stopTick = nil
	}
}
