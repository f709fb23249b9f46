package sandbox

import (
	"regexp"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func arr(t testing.TB, v any) []map[string]any {
	t.Helper()
	a, ok := v.([]any)
	if !ok {
		t.Fatalf("not a bare array: %v", v)
	}
	out := make([]map[string]any, len(a))
	for i, x := range a {
		out[i] = x.(map[string]any)
	}
	return out
}

func TestSMSCountriesAndProjects(t *testing.T) {
	s, _ := newServer(t, Options{})
	countries := arr(t, api(t, s, "action", "sms_countries"))
	if len(countries) < 15 || countries[0]["country_code"] != "us" || countries[0]["country_name"] != "United States" {
		t.Fatalf("countries %v", countries)
	}
	codes := map[string]bool{}
	for _, c := range countries {
		codes[str(t, c["country_code"])] = true
	}
	for _, want := range []string{"us", "gb", "de", "fr", "in", "br"} {
		if !codes[want] {
			t.Fatalf("no %s", want)
		}
	}
	for lang, want := range map[string]string{"ja": "アメリカ合衆国", "jp": "アメリカ合衆国", "ru": "США", "zh": "美国", "de": "United States"} {
		if got := arr(t, api(t, s, "action", "sms_countries", "lang", lang))[0]["country_name"]; got != want {
			t.Errorf("lang %s: %v", lang, got)
		}
	}

	all := arr(t, api(t, s, "action", "sms_projects"))
	us := arr(t, api(t, s, "action", "sms_projects", "country", "us"))
	if len(us) < 10 || len(all) != len(us)*len(countries) {
		t.Fatalf("%d projects in us, %d in all", len(us), len(all))
	}
	if us[0]["name"] != "OpenAI / ChatGPT" || us[0]["price"] != "0.5000" || us[0]["country_id"] != "us" || us[0]["country_title"] != "United States" {
		t.Fatalf("first us project %v", us[0])
	}
	ids := map[string]bool{}
	for _, p := range all {
		id := str(t, p["project_id"])
		if !hex24.MatchString(id) || ids[id] || !money4re.MatchString(str(t, p["price"])) {
			t.Fatalf("project %v", p)
		}
		ids[id] = true
	}
	gbRU := arr(t, api(t, s, "action", "sms_projects", "country", "GB", "lang", "ru"))
	if gbRU[0]["country_id"] != "gb" || gbRU[0]["country_title"] != "Великобритания" || gbRU[len(gbRU)-1]["name"] != "Любой другой сервис" {
		t.Fatalf("gb in Russian: %v", gbRU)
	}
	if got := arr(t, api(t, s, "action", "sms_projects", "country", "zz")); len(got) != 0 {
		t.Fatal("unknown country has projects")
	}
}

func addSMS(t testing.TB, s *Server, kv ...string) []map[string]any {
	t.Helper()
	return list(t, obj(t, s, append([]string{"action", "add_sms"}, kv...)...), "orders")
}

var usPhone = regexp.MustCompile(`^\+1[2-9]\d{2}[2-9]\d{6}$`)

func TestSMSLifecycle(t *testing.T) {
	s, clk := newServer(t, Options{})
	start := clk.Now()
	p := arr(t, api(t, s, "action", "sms_projects", "country", "us"))[0]
	pid := str(t, p["project_id"])
	orders := addSMS(t, s, "project_id", pid, "quantity", "2", "country", "us")
	if len(orders) != 2 {
		t.Fatalf("orders %v", orders)
	}
	if got, want := s.BalanceString(), "99.00"; got != want {
		t.Fatalf("balance %s, want %s", got, want)
	}
	for _, o := range orders {
		if o["country"] != "us" || o["status"] != "active" || !usPhone.MatchString(str(t, o["phone"])) {
			t.Fatalf("order %v", o)
		}
	}
	if orders[0]["phone"] == orders[1]["phone"] {
		t.Fatal("two orders got the same number")
	}
	id := itoa(num(t, orders[0]["order"]))

	st := obj(t, s, "action", "sms_status", "order", id)
	wantExp := start.Add(SMSLifetime).UTC().Format("2006-01-02T15:04:05.000Z")
	if st["status"] != "active" || st["charge"] != "0.5000" || st["currency"] != "USD" || st["expires_at"] != wantExp || st["phone"] != orders[0]["phone"] {
		t.Fatalf("sms_status %v (want expires_at %s)", st, wantExp)
	}
	if _, has := st["code"]; has {
		t.Fatal("code before it arrived")
	}
	if !strings.HasSuffix(wantExp, ".589Z") {
		t.Fatalf("expires_at %s lacks milliseconds", wantExp)
	}
	c := obj(t, s, "action", "sms_code", "order", id)
	if c["status"] != "waiting" || c["message"] != "Waiting for code" {
		t.Fatalf("sms_code %v", c)
	}
	clk.Advance(SMSActiveFor)
	if st := obj(t, s, "action", "sms_status", "order", id); st["status"] != "waiting" {
		t.Fatalf("after %v: %v", SMSActiveFor, st)
	}
	clk.Advance(SMSCodeMax - SMSActiveFor)
	c = obj(t, s, "action", "sms_code", "order", id)
	code := str(t, c["code"])
	if c["status"] != "completed" || !regexp.MustCompile(`^\d{6}$`).MatchString(code) ||
		c["sms_content"] != "Your OpenAI verification code is "+code {
		t.Fatalf("sms_code %v", c)
	}
	st = obj(t, s, "action", "sms_status", "order", id)
	if st["status"] != "code_received" || st["code"] != code {
		t.Fatalf("sms_status %v", st)
	}
	clk.Advance(SMSLifetime)
	st = obj(t, s, "action", "sms_status", "order", id)
	if st["status"] != "expired" || st["code"] != code {
		t.Fatalf("expired status %v", st)
	}
	if c = obj(t, s, "action", "sms_code", "order", id); c["status"] != "completed" || c["code"] != code {
		t.Fatalf("a received code stays readable: %v", c)
	}
}

func TestSMSNoCodeEveryFifthAndExpiry(t *testing.T) {
	s, clk := newServer(t, Options{})
	pid := s.cat.projects[1].id
	orders := addSMS(t, s, "project_id", pid, "quantity", "5")
	clk.Advance(SMSCodeMax)
	for i, o := range orders {
		c := obj(t, s, "action", "sms_code", "order", itoa(num(t, o["order"])))
		if got, want := c["status"], map[bool]string{true: "waiting", false: "completed"}[i == 4]; got != want {
			t.Fatalf("order %d: %v, want %s", i+1, c, want)
		}
	}
	last := itoa(num(t, orders[4]["order"]))
	clk.Advance(SMSLifetime)
	if st := obj(t, s, "action", "sms_status", "order", last); st["status"] != "expired" {
		t.Fatalf("%v", st)
	} else if _, has := st["code"]; has {
		t.Fatal("expired number without code shows a code")
	}
	if c := obj(t, s, "action", "sms_code", "order", last); c["status"] != "expired" {
		t.Fatalf("sms_code after expiry %v", c)
	}
	// Charged price × quantity exactly.
	want := decimal.RequireFromString("100").Sub(units(s.cat.projects[1].price).Mul(decimal.NewFromInt(5)))
	if s.BalanceString() != money24(want) {
		t.Fatalf("balance %s, want %s", s.BalanceString(), money24(want))
	}
}

func TestSMSReuse(t *testing.T) {
	s, clk := newServer(t, Options{})
	openai, google := s.cat.projects[0], s.cat.projects[1]
	first := addSMS(t, s, "project_id", openai.id)[0]
	phone := str(t, first["phone"])
	clk.Advance(SMSCodeMax)
	code1 := str(t, obj(t, s, "action", "sms_code", "order", itoa(num(t, first["order"])))["code"])

	// Same number for another project of the same country, written loosely.
	loose := phone[:2] + " " + phone[2:5] + "-" + phone[5:]
	again := addSMS(t, s, "project_id", google.id, "phone", loose, "country", "us")
	if len(again) != 1 || again[0]["phone"] != phone || again[0]["order"] == first["order"] {
		t.Fatalf("reuse %v", again)
	}
	id := itoa(num(t, again[0]["order"]))
	if c := obj(t, s, "action", "sms_code", "order", id); c["status"] != "waiting" {
		t.Fatalf("reused number had the code at once: %v", c)
	}
	clk.Advance(SMSCodeMax)
	c := obj(t, s, "action", "sms_code", "order", id)
	if c["status"] != "completed" || c["code"] == code1 || !strings.Contains(str(t, c["sms_content"]), "Google") {
		t.Fatalf("reused code %v (first code %s)", c, code1)
	}
	// Long after the first order expired, the number can still be reused.
	clk.Advance(2 * SMSLifetime)
	addSMS(t, s, "project_id", openai.id, "phone", phone)

	apiErr(t, s, "Phone number not found", "action", "add_sms", "project_id", openai.id, "phone", "+12025550123")
	gb := s.cat.projects[len(smsProjectTemplates)] // first project of the second country
	apiErr(t, s, "Phone number does not belong to the project's country", "action", "add_sms", "project_id", gb.id, "phone", phone)
	apiErr(t, s, "Quantity must be 1 when reusing a phone number", "action", "add_sms", "project_id", openai.id, "phone", phone, "quantity", "2")
	if s.Stats().SMSPlaced != 3 {
		t.Fatalf("SMSPlaced %d", s.Stats().SMSPlaced)
	}
}

func TestSMSErrors(t *testing.T) {
	s, _ := newServer(t, Options{Balance: "1.00"})
	pid := s.cat.projects[0].id // 0.5000
	apiErr(t, s, "Project ID is required", "action", "add_sms")
	apiErr(t, s, "Project not found", "action", "add_sms", "project_id", "65f000000000000000000000")
	for _, q := range []string{"0", "11", "x", "-1"} {
		apiErr(t, s, "Quantity must be between 1 and 10", "action", "add_sms", "project_id", pid, "quantity", q)
	}
	apiErr(t, s, "Country not found", "action", "add_sms", "project_id", pid, "country", "zz")
	apiErr(t, s, "Project is not available in this country", "action", "add_sms", "project_id", pid, "country", "gb")
	apiErr(t, s, errInsufficient, "action", "add_sms", "project_id", pid, "quantity", "3") // 1.50 > 1.00
	if s.BalanceString() != "1.00" {
		t.Fatal("a refused SMS order was charged")
	}
	addSMS(t, s, "project_id", pid, "quantity", "2") // exactly 1.00
	if s.BalanceString() != "0.00" {
		t.Fatalf("balance %s", s.BalanceString())
	}
	apiErr(t, s, errInsufficient, "action", "add_sms", "project_id", pid)
	for _, action := range []string{"sms_code", "sms_status"} {
		apiErr(t, s, errOrderNotFound, "action", action, "order", "1")
		apiErr(t, s, errOrderNotFound, "action", action)
	}
	// SMS orders and regular orders are different things.
	apiErr(t, s, errOrderNotFound, "action", "status", "order", itoa(firstOrderID))
}
