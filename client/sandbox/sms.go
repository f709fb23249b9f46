package sandbox

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// SMS number lifecycle, in simulated time (real time = simulated / Speed).
const (
	// SMSActiveFor is how long a new number shows status "active"; it then
	// shows "waiting" until its code arrives.
	SMSActiveFor = 2 * time.Second
	// The code arrives SMSCodeMin to SMSCodeMax (whole seconds, from the
	// order id) after the order.
	SMSCodeMin = 5 * time.Second
	SMSCodeMax = 15 * time.Second
	// SMSLifetime: expires_at = created + SMSLifetime; the status is then
	// "expired".
	SMSLifetime = 20 * time.Minute
	// SMSNoCodeEvery: the n-th SMS order (n from 1, counting every number
	// bought) never receives a code when n % SMSNoCodeEvery == 0, unless it
	// reuses a number.
	SMSNoCodeEvery = 5
	// MaxSMSQuantity is the most numbers one add_sms buys.
	MaxSMSQuantity = 10
)

// An smsOrder is never modified once stored in Server.sms (state snapshots
// share the pointers).
type smsOrder struct {
	id        int64
	proj      *project
	phone     string
	country   int
	reuse     bool
	created   time.Time
	activeTo  time.Time
	codeAt    time.Time
	expiresAt time.Time
	never     bool // no code will ever arrive
	code      string
	charge    decimal.Decimal
}

// state is the number's status at now and whether its code has arrived.
func (o *smsOrder) state(now time.Time) (string, bool) {
	got := !o.never && !now.Before(o.codeAt) && o.codeAt.Before(o.expiresAt)
	switch {
	case !now.Before(o.expiresAt):
		return "expired", got
	case got:
		return "code_received", true
	case now.Before(o.activeTo):
		return "active", false
	}
	return "waiting", false
}

func (s *Server) actSMSCountries(form url.Values) (int, []byte) {
	l := parseLang(form.Get("lang"))
	type country struct {
		Code string `json:"country_code"`
		Name string `json:"country_name"`
	}
	out := make([]country, len(s.cat.countries))
	for i, c := range s.cat.countries {
		out[i] = country{c.code, tr(c.name, l)}
	}
	return ok(out)
}

func (s *Server) actSMSProjects(form url.Values) (int, []byte) {
	l := parseLang(form.Get("lang"))
	want := strings.ToLower(strings.TrimSpace(form.Get("country")))
	type proj struct {
		ID           string `json:"project_id"`
		Name         string `json:"name"`
		Price        string `json:"price"`
		CountryID    string `json:"country_id"`
		CountryTitle string `json:"country_title"`
	}
	out := []proj{}
	for i := range s.cat.projects {
		p := &s.cat.projects[i]
		c := &s.cat.countries[p.country]
		if want != "" && c.code != want {
			continue
		}
		out = append(out, proj{p.id, tr(p.name, l), unitsString(p.price, false), c.code, tr(c.name, l)})
	}
	return ok(out)
}

// normalizePhone keeps the digits of a phone number, with a leading "+".
func normalizePhone(p string) string {
	var b strings.Builder
	b.WriteByte('+')
	for _, r := range p {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// newPhoneLocked draws a plausible mobile number of a country that the
// customer does not own yet. s.mu must be held.
func (s *Server) newPhoneLocked(ci int, id int64) string {
	c := &s.cat.countries[ci]
	var p string
	for attempt := uint64(0); attempt < 1000; attempt++ {
		h := hash(s.seed, tagPhone, uint64(id)<<10|attempt)
		var b strings.Builder
		b.WriteByte('+')
		b.WriteString(c.dial)
		b.WriteString(c.prefixes[h%uint64(len(c.prefixes))])
		h = mix64(h)
		for i := range c.rest {
			if i == 0 {
				b.WriteByte(byte('2' + h%8))
				h /= 8
				continue
			}
			b.WriteByte(byte('0' + h%10))
			h /= 10
		}
		p = b.String()
		if _, taken := s.phones[p]; !taken {
			break
		}
	}
	return p
}

func (s *Server) actAddSMS(form url.Values) (int, []byte) {
	pid := strings.ToLower(strings.TrimSpace(form.Get("project_id")))
	if pid == "" {
		return fail("Project ID is required")
	}
	pi, found := s.cat.projectID[pid]
	if !found {
		return fail("Project not found")
	}
	p := &s.cat.projects[pi]
	qty := 1
	if q := strings.TrimSpace(form.Get("quantity")); q != "" {
		n, err := strconv.Atoi(q)
		if err != nil || n < 1 || n > MaxSMSQuantity {
			return fail("Quantity must be between 1 and " + strconv.Itoa(MaxSMSQuantity))
		}
		qty = n
	}
	if cc := strings.TrimSpace(form.Get("country")); cc != "" {
		ci, known := s.cat.country(cc)
		if !known {
			return fail("Country not found")
		}
		if ci != p.country {
			return fail("Project is not available in this country")
		}
	}
	phone := ""
	if raw := strings.TrimSpace(form.Get("phone")); raw != "" {
		phone = normalizePhone(raw)
		if qty != 1 {
			return fail("Quantity must be 1 when reusing a phone number")
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.settleLocked(now)
	if phone != "" {
		ci, owned := s.phones[phone]
		if !owned {
			return fail("Phone number not found")
		}
		if ci != p.country {
			return fail("Phone number does not belong to the project's country")
		}
	}
	price := units(p.price)
	if s.balance.LessThan(price.Mul(decimal.NewFromInt(int64(qty)))) {
		return fail(errInsufficient)
	}

	type placed struct {
		Order     int64  `json:"order"`
		Phone     string `json:"phone"`
		Country   string `json:"country"`
		Status    string `json:"status"`
		ExpiresAt string `json:"expires_at"`
	}
	out := make([]placed, 0, qty)
	for range qty {
		id := s.nextID
		s.nextID++
		s.smsSeq++
		o := &smsOrder{
			id: id, proj: p, country: p.country, reuse: phone != "",
			created:   now,
			activeTo:  now.Add(s.scale(SMSActiveFor)),
			expiresAt: now.Add(s.scale(SMSLifetime)),
			charge:    price,
		}
		h := hash(s.seed, tagCode, uint64(id))
		spread := int64((SMSCodeMax - SMSCodeMin) / time.Second)
		o.codeAt = now.Add(s.scale(SMSCodeMin + time.Duration(rangeOf(h, 0, spread))*time.Second))
		o.code = strconv.FormatUint(100000+(h>>16)%900000, 10)
		if o.reuse {
			o.phone = phone
		} else {
			o.phone = s.newPhoneLocked(p.country, id)
			o.never = s.smsSeq%SMSNoCodeEvery == 0
			s.phones[o.phone] = p.country
		}
		s.balance = s.balance.Sub(price)
		s.sms[id] = o
		s.changedLocked()
		s.smsPlaced.Add(1)
		out = append(out, placed{id, o.phone, s.cat.countries[p.country].code, "active", rfc3339ms(o.expiresAt)})
	}
	return ok(struct {
		Orders []placed `json:"orders"`
	}{out})
}

// rfc3339ms formats t as 2006-01-02T15:04:05.000Z.
func rfc3339ms(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z07:00") }

// smsLocked finds an SMS order; s.mu must be held.
func (s *Server) smsLocked(form url.Values) *smsOrder {
	id, err := strconv.ParseInt(strings.TrimSpace(form.Get("order")), 10, 64)
	if err != nil {
		return nil
	}
	return s.sms[id]
}

func (o *smsOrder) content() string {
	if o.proj.sender == "" {
		return "Your verification code is " + o.code
	}
	return "Your " + o.proj.sender + " verification code is " + o.code
}

func (s *Server) actSMSCode(form url.Values) (int, []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.smsLocked(form)
	if o == nil {
		return fail(errOrderNotFound)
	}
	type msg struct {
		Status     string `json:"status"`
		Code       string `json:"code,omitempty"`
		SMSContent string `json:"sms_content,omitempty"`
		Message    string `json:"message,omitempty"`
	}
	status, got := o.state(s.now())
	switch {
	case got:
		return ok(msg{Status: "completed", Code: o.code, SMSContent: o.content()})
	case status == "expired":
		return ok(msg{Status: "expired", Message: "Number expired without a code"})
	}
	return ok(msg{Status: "waiting", Message: "Waiting for code"})
}

func (s *Server) actSMSStatus(form url.Values) (int, []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.smsLocked(form)
	if o == nil {
		return fail(errOrderNotFound)
	}
	status, got := o.state(s.now())
	resp := struct {
		Status    string `json:"status"`
		Phone     string `json:"phone"`
		Code      string `json:"code,omitempty"`
		Charge    string `json:"charge"`
		Currency  string `json:"currency"`
		ExpiresAt string `json:"expires_at"`
	}{status, o.phone, "", money4(o.charge), s.currency, rfc3339ms(o.expiresAt)}
	if got {
		resp.Code = o.code
	}
	return ok(resp)
}
