package gui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/hstockplus/hstockplus/account"
	"github.com/hstockplus/hstockplus/account/accounttest"
	"github.com/hstockplus/hstockplus/client"
	"github.com/hstockplus/hstockplus/client/sandbox"
)

// fakeTicker stands for the SMS tab's 1 s ticker: tests call tick themselves.
type fakeTicker struct{ started, stopped int }

func (f *fakeTicker) run(func()) func() {
	f.started++
	return func() { f.stopped++ }
}

func (f *fakeTicker) running() bool { return f.started > f.stopped }

// smsUI is orderUI with the SMS tab on a clock the test moves and a fake ticker, its lists loaded.
func smsUI(t *testing.T, balance string) (*UI, *sandbox.Server, *accounttest.Env, *time.Time, *fakeTicker) {
	t.Helper()
	u, srv, st := orderUI(t, balance)
	now := time.Now()
	tk := &fakeTicker{}
	u.sms.now = func() time.Time { return now }
	u.sms.runTicker = tk.run
	u.sms.ensureLoaded()
	return u, srv, st, &now, tk
}

// chooseSMS selects the country code and the first project pred accepts.
func chooseSMS(t *testing.T, u *UI, country string, pred func(client.SMSProject) bool) client.SMSProject {
	t.Helper()
	s := u.sms
	found := false
	for i, r := range s.countryRows {
		if s.countries[r].Code == country {
			s.countryList.Select(i)
			found = true
			break
		}
	}
	if !found || s.country.Code != country {
		t.Fatalf("country %s not selectable (selected %q)", country, s.country.Code)
	}
	for i, r := range s.projRows {
		if p := s.projects[r]; pred(p) {
			s.projList.Select(i)
			if s.project.ProjectID != p.ProjectID {
				t.Fatal("project selection did not take")
			}
			return p
		}
	}
	t.Fatalf("no matching project in %s", country)
	return client.SMSProject{}
}

func anyProject(client.SMSProject) bool { return true }

// buySMS rents qty numbers of p through the form and its confirmation.
func buySMS(t *testing.T, u *UI, qty string) {
	t.Helper()
	u.sms.qty.SetText(qty)
	if u.sms.buyBtn.Disabled() {
		t.Fatalf("buy disabled: %q", u.sms.formErr.Text)
	}
	test.Tap(u.sms.buyBtn)
	test.Tap(buttonOnScreen(t, u.win, "Rent"))
}

func TestSMSCountriesAndProjectsLoadAndSearchNarrows(t *testing.T) {
	u, _, _, _, _ := smsUI(t, "100.00")
	s := u.sms
	if s.countryList.Length() != 20 || s.countryMsg.root.Visible() {
		t.Fatalf("countries listed: %d (message %q)", s.countryList.Length(), s.countryMsg.label.Text)
	}
	if s.projList.Length() != 0 || !strings.Contains(s.projMsg.label.Text, "Choose a country") {
		t.Fatalf("projects before a country: %d %q", s.projList.Length(), s.projMsg.label.Text)
	}
	test.Type(s.countrySearch, "united")
	if n := s.countryList.Length(); n != 2 {
		t.Fatalf("search 'united' lists %d countries", n)
	}
	for _, r := range s.countryRows {
		if !strings.Contains(s.countries[r].Name, "United") {
			t.Errorf("%q does not match", s.countries[r].Name)
		}
	}
	p := chooseSMS(t, u, "us", anyProject)
	if s.projList.Length() != 15 || s.projMsg.root.Visible() {
		t.Fatalf("projects of us: %d (message %q)", s.projList.Length(), s.projMsg.label.Text)
	}
	row := s.projList.CreateItem()
	s.projList.UpdateItem(0, row)
	if !hasLabel(row, money(s.projects[s.projRows[0]].Price)+" USD") {
		t.Fatalf("project row has no price: %q", labelTexts(row))
	}
	test.Type(s.projSearch, "telegram")
	if n := s.projList.Length(); n == 0 || n >= 15 {
		t.Fatalf("search 'telegram' lists %d projects", n)
	}
	for _, r := range s.projRows {
		if !strings.Contains(strings.ToLower(s.projects[r].Name), "telegram") {
			t.Errorf("%q does not match", s.projects[r].Name)
		}
	}
	s.projSearch.SetText("no-such-service")
	if s.projList.Length() != 0 || !strings.Contains(s.projMsg.label.Text, "No service in United States matches") {
		t.Fatalf("no match: %d %q", s.projList.Length(), s.projMsg.label.Text)
	}
	s.countrySearch.SetText("zzz")
	if s.countryList.Length() != 0 || !strings.Contains(s.countryMsg.label.Text, "No country matches") {
		t.Fatalf("no country match: %q", s.countryMsg.label.Text)
	}
	s.countrySearch.SetText("")
	if s.countryList.Length() != 20 || s.country.Code != "us" {
		t.Fatalf("clearing the search: %d, selected %q", s.countryList.Length(), s.country.Code)
	}
	_ = p
}

func TestSMSBuyTwoNumbersSendsOneAddSMSAfterConfirmation(t *testing.T) {
	u, srv, st, _, tk := smsUI(t, "100.00")
	s := u.sms
	p := chooseSMS(t, u, "gb", anyProject)
	s.qty.SetText("2")
	total := smsTotal(p.Price, 2)
	if !strings.Contains(s.total.Text, "Total: "+p.Price.String()+" × 2 = "+total.String()+" USD") || !strings.Contains(s.total.Text, "balance 100.00 USD") {
		t.Fatalf("total = %q", s.total.Text)
	}
	test.Tap(s.buyBtn)
	confirm := buttonOnScreen(t, u.win, "Rent")
	txt := overlayText(u.win)
	for _, want := range []string{"Service: " + p.Name, "Country: United Kingdom", "Quantity: 2", "= " + total.String() + " USD", "Your balance: 100.00 USD"} {
		if !strings.Contains(txt, want) {
			t.Errorf("confirmation lacks %q: %q", want, txt)
		}
	}
	if srv.Stats().Requests["add_sms"] != 0 {
		t.Fatal("add_sms sent before confirmation")
	}
	test.Tap(confirm)
	if got := srv.Stats().Requests["add_sms"]; got != 1 {
		t.Fatalf("sandbox saw %d add_sms requests, want exactly 1", got)
	}
	if got := srv.Stats().SMSPlaced; got != 2 {
		t.Fatalf("sandbox placed %d numbers", got)
	}
	nums, err := journaledNumbers(st)
	if err != nil || len(nums) != 2 {
		t.Fatalf("journaled numbers = %d, %v", len(nums), err)
	}
	placed, _ := st.Store.Spends(account.SpendPlaced)
	if len(placed) != 1 || placed[0].Action != account.ActionAddSMS || placed[0].AddSMS.Quantity != 2 || placed[0].Estimate.String() != total.String() {
		t.Fatalf("journal = %+v", placed)
	}
	left := client.MustDecimal("100.00").Sub(total.Decimal).StringFixed(2)
	if !strings.Contains(s.total.Text, "balance "+left+" USD") {
		t.Fatalf("total after the purchase = %q, want balance %s", s.total.Text, left)
	}
	if !strings.Contains(overlayText(u.win), nums[0].Phone) {
		t.Fatalf("outcome dialog: %q", overlayText(u.win))
	}
	if len(s.active) != 2 || s.activeMsg.Visible() {
		t.Fatalf("active cards = %d", len(s.active))
	}
	c := s.active[0]
	if c.phone.Text == "" || !strings.Contains(c.meta.Text, p.Name) || !strings.Contains(c.status.Text, "Waiting") {
		t.Fatalf("card: %q / %q / %q", c.phone.Text, c.meta.Text, c.status.Text)
	}
	if !strings.Contains(c.countdown.Text, "left") || c.codeRow.Visible() {
		t.Fatalf("countdown %q, code shown %v", c.countdown.Text, c.codeRow.Visible())
	}
	if !tk.running() {
		t.Fatal("no ticker with live numbers")
	}
	test.Tap(c.copyPhone)
	if got := u.app.Clipboard().Content(); got != c.v.Number.Phone {
		t.Fatalf("clipboard = %q, phone %q", got, c.v.Number.Phone)
	}
}

func TestSMSQuantityBoundsRefusedWithoutSending(t *testing.T) {
	u, srv, _, _, _ := smsUI(t, "100.00")
	s := u.sms
	if !s.buyBtn.Disabled() {
		t.Fatal("buy enabled with no service chosen")
	}
	chooseSMS(t, u, "us", anyProject)
	for qty, want := range map[string]string{"0": "at least 1", "11": "at most 10", "-3": "at least 1", "two": "whole number", "": "whole number"} {
		s.qty.SetText(qty)
		if !s.buyBtn.Disabled() || !strings.Contains(s.formErr.Text, want) {
			t.Errorf("qty %q: disabled=%v %q", qty, s.buyBtn.Disabled(), s.formErr.Text)
		}
		s.submit()
		if top := u.win.Canvas().Overlays().Top(); top != nil {
			t.Fatalf("qty %q: a dialog opened", qty)
		}
	}
	s.qty.SetText("10")
	s.stepQty(+1)
	if s.qty.Text != "10" {
		t.Fatalf("+ past 10: %q", s.qty.Text)
	}
	s.qty.SetText("1")
	s.stepQty(-1)
	if s.qty.Text != "1" || s.buyBtn.Disabled() {
		t.Fatalf("- below 1: %q", s.qty.Text)
	}
	if got := srv.Stats().Requests["add_sms"]; got != 0 {
		t.Fatalf("add_sms sent %d times", got)
	}
}

func TestSMSCodeReachesTheCodeLabel(t *testing.T) {
	u, _, st, _, _ := smsUI(t, "100.00")
	chooseSMS(t, u, "us", anyProject)
	buySMS(t, u, "1")
	s := u.sms
	if len(s.active) != 1 {
		t.Fatalf("active = %d", len(s.active))
	}
	id := s.active[0].v.Number.Order
	if _, err := st.Store.RecordSMSCode(id, client.SMSCode{Status: "completed", Code: "123456", SMSContent: "Your verification code is 123456"}); err != nil {
		t.Fatal(err)
	}
	if err := st.Store.CloseSMS(id); err != nil { // as the poller does once the code is in
		t.Fatal(err)
	}
	if err := st.Svc.ReplayPending(); err != nil { // the code's event, announced
		t.Fatal(err)
	}
	if len(s.active) != 1 {
		t.Fatal("the number left the active ones when its code came")
	}
	c := s.active[0]
	if c.code.Text != "123456" || !c.codeRow.Visible() || !c.code.TextStyle.Bold {
		t.Fatalf("code label = %q visible %v", c.code.Text, c.codeRow.Visible())
	}
	if !strings.Contains(c.text.Text, "Your verification code is 123456") || c.status.Text != "Code received" {
		t.Fatalf("text %q status %q", c.text.Text, c.status.Text)
	}
	cb := &fakeClipboard{}
	u.deps.Clipboard = cb
	test.Tap(c.copyCode)
	if len(cb.secrets) != 1 || cb.secrets[0] != "123456" {
		t.Fatalf("copied = %q", cb.secrets)
	}
}

func TestSMSCountdownReachesExpiry(t *testing.T) {
	u, _, st, now, tk := smsUI(t, "100.00")
	chooseSMS(t, u, "us", anyProject)
	buySMS(t, u, "1")
	s := u.sms
	n := s.active[0].v.Number
	if _, err := st.Store.RecordSMSStatus(n.Order, client.SMSStatus{Status: "waiting", Phone: n.Phone, ExpiresAt: now.Add(10 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if err := st.Svc.ReplayPending(); err != nil { // the status event, announced
		t.Fatal(err)
	}
	if got := s.active[0].countdown.Text; got != "10:00 left" {
		t.Fatalf("countdown = %q", got)
	}
	*now = now.Add(9*time.Minute + 30*time.Second)
	s.tick()
	if got := s.active[0].countdown.Text; got != "0:30 left" {
		t.Fatalf("countdown = %q", got)
	}
	*now = now.Add(31 * time.Second)
	s.tick()
	if len(s.active) != 0 || len(s.history) != 1 || s.history[0].Number.Order != n.Order {
		t.Fatalf("after expiry: %d active, %d past", len(s.active), len(s.history))
	}
	if tk.running() || tk.started != 1 {
		t.Fatalf("ticker started %d stopped %d", tk.started, tk.stopped)
	}
	row := s.histList.CreateItem()
	s.histList.UpdateItem(0, row)
	if !strings.Contains(labelTexts(row), "Expired without a code") || !strings.Contains(labelTexts(row), n.Phone) {
		t.Fatalf("history row = %q", labelTexts(row))
	}
	if !s.activeMsg.Visible() || !strings.Contains(s.activeMsg.Text, "No active number") {
		t.Fatalf("active message = %q", s.activeMsg.Text)
	}
}

func TestSMSNumberWithoutExpiryIsEstimated(t *testing.T) {
	v := smsView{Number: account.SMSNumber{Order: 1, PlacedAt: time.Unix(1000, 0)}}
	at, exact := expiryOf(v.Number)
	if exact || !at.Equal(time.Unix(1000, 0).Add(account.DefaultSMSLifetime)) {
		t.Fatalf("expiry %v exact %v", at, exact)
	}
	if got := countdownText(90*time.Second, false); got != "about 1:30 left" {
		t.Fatal(got)
	}
	if got := countdownText(2*time.Hour+time.Second, true); got != "2:00:01 left" {
		t.Fatal(got)
	}
	if got := countdownText(0, true); got != "Expired" {
		t.Fatal(got)
	}
}

func TestSMSReuseSendsThePhone(t *testing.T) {
	u, srv, st, _, _ := smsUI(t, "100.00")
	chooseSMS(t, u, "de", anyProject)
	buySMS(t, u, "1")
	s := u.sms
	phone := s.active[0].v.Number.Phone
	test.Tap(s.active[0].reuse)
	confirm := buttonOnScreen(t, u.win, "Rent")
	if txt := overlayText(u.win); !strings.Contains(txt, "Reuse the number "+phone) || !strings.Contains(txt, "Quantity: 1") {
		t.Fatalf("confirmation = %q", txt)
	}
	test.Tap(confirm)
	if got := srv.Stats().Requests["add_sms"]; got != 2 {
		t.Fatalf("add_sms sent %d times", got)
	}
	placed, _ := st.Store.Spends(account.SpendPlaced)
	if len(placed) != 2 || placed[0].AddSMS.Phone != phone || placed[0].AddSMS.Quantity != 1 {
		t.Fatalf("journal = %+v", placed)
	}
	nums, _ := journaledNumbers(st)
	if len(nums) != 2 || nums[0].Phone != phone || nums[0].Order == nums[1].Order {
		t.Fatalf("numbers = %+v", nums)
	}
	if len(s.active) != 2 {
		t.Fatalf("active = %d", len(s.active))
	}

	// From the history too, with the price asked afresh when the country is not the one shown.
	chooseSMS(t, u, "us", anyProject)
	s.history = []smsView{{Number: nums[1]}}
	row := s.histList.CreateItem()
	s.histList.UpdateItem(0, row)
	test.Tap(s.histRows[row.(*fyne.Container)].reuse)
	test.Tap(buttonOnScreen(t, u.win, "Rent"))
	if got := srv.Stats().Requests["add_sms"]; got != 3 {
		t.Fatalf("add_sms sent %d times", got)
	}
}

func TestSMSInsufficientBalanceSaysShortfall(t *testing.T) {
	u, srv, st, _, _ := smsUI(t, "0.01")
	p := chooseSMS(t, u, "us", func(p client.SMSProject) bool {
		return p.Price.Cmp(client.MustDecimal("0.01").Decimal) > 0
	})
	s := u.sms
	s.qty.SetText("2")
	total := smsTotal(p.Price, 2)
	short := money(total.Sub(client.MustDecimal("0.01").Decimal))
	if !strings.Contains(s.total.Text, short+" short") {
		t.Fatalf("total = %q", s.total.Text)
	}
	test.Tap(s.buyBtn)
	if !strings.Contains(overlayText(u.win), short+" USD short") {
		t.Fatalf("confirmation = %q", overlayText(u.win))
	}
	test.Tap(buttonOnScreen(t, u.win, "Rent"))
	if srv.Stats().SMSPlaced != 0 || srv.Stats().Requests["add_sms"] != 1 {
		t.Fatalf("stats = %+v", srv.Stats())
	}
	txt := overlayText(u.win)
	if !strings.Contains(txt, "("+money(total)+" USD): "+short+" USD short") || !strings.Contains(txt, "Nothing was spent") {
		t.Fatalf("dialog = %q", txt)
	}
	if failed, _ := st.Store.Spends(account.SpendFailed); len(failed) != 1 {
		t.Fatalf("failed entries = %d", len(failed))
	}
	if len(s.active) != 0 {
		t.Fatal("a refused purchase shows numbers")
	}
}

func TestSMSLostAnswerIsUnconfirmedAndNotResent(t *testing.T) {
	u, srv, st, _, _ := smsUI(t, "100.00")
	chooseSMS(t, u, "us", anyProject)
	srv.SetFaults(sandbox.Faults{DropAfterCommit: 1})
	buySMS(t, u, "1")
	srv.SetFaults(sandbox.Faults{})
	if got := srv.Stats().Requests["add_sms"]; got != 1 {
		t.Fatalf("add_sms sent %d times", got)
	}
	if !strings.Contains(overlayText(u.win), "may or may not have been rented") {
		t.Fatalf("dialog = %q", overlayText(u.win))
	}
	if un, _ := st.Store.Spends(account.SpendUnconfirmed); len(un) != 1 {
		t.Fatalf("unconfirmed = %d", len(un))
	}
	if len(u.sms.pending) != 1 || !strings.Contains(allText(u.sms.activeBox), "unconfirmed") {
		t.Fatalf("pending = %d", len(u.sms.pending))
	}
}

func TestSMSLoadErrorIsShownNotAnEmptyList(t *testing.T) {
	a := test.NewTempApp(t)
	u := New(a, apiDeps(t, failingAPI{&client.TransportError{}}, Deps{}))
	u.async = func(f func()) { f() }
	u.sms.runTicker = (&fakeTicker{}).run
	u.sms.ensureLoaded()
	s := u.sms
	txt := s.countryMsg.label.Text
	if s.countryList.Length() != 0 || !s.countryMsg.root.Visible() || !strings.Contains(txt, "Could not load the countries") || !strings.Contains(txt, "offline") {
		t.Fatalf("error state = %q", txt)
	}
	if !s.countryMsg.button.Visible() {
		t.Fatal("no retry button")
	}
	if !strings.Contains(s.activeMsg.Text, "No active number") {
		t.Fatalf("numbers = %q", s.activeMsg.Text)
	}

	refused := New(test.NewTempApp(t), apiDeps(t, failingAPI{&client.APIError{Message: "Invalid API key"}}, Deps{}))
	refused.async = func(f func()) { f() }
	refused.sms.ensureLoaded()
	if !strings.Contains(refused.sms.countryMsg.label.Text, "API key was refused") {
		t.Fatalf("error = %q", refused.sms.countryMsg.label.Text)
	}
}

// journaledNumbers are the numbers the service layer lists, newest first.
func journaledNumbers(env *accounttest.Env) ([]account.SMSNumber, error) {
	ns, err := env.Svc.Numbers()
	var out []account.SMSNumber
	for _, v := range ns.Views {
		out = append(out, v.Number)
	}
	return out, err
}

// allText is the text of every label under o, widgets' renderers included.
func allText(o fyne.CanvasObject) string {
	var b strings.Builder
	visit(o, func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok {
			b.WriteString(l.Text + "\n")
		}
	})
	return b.String()
}
