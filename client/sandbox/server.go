package sandbox

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shopspring/decimal"
)

// MaxServices is the largest catalog Options.Services may ask for.
const MaxServices = 2_000_000

// maxBody caps a request body (Custom Comments orders carry up to 1000 lines).
const maxBody = 1 << 20

// Options configure a Server. The zero value is a usable demo server.
type Options struct {
	Key      string  // API key; default "demo"
	Balance  string  // starting balance, at most 4 decimal places; default "100.00"
	Currency string  // default "USD"
	Services int     // catalog size: 0 => the default catalog (a few hundred rows); N => exactly N rows
	Speed    float64 // time factor: 1 real time, 10 ten times faster; 0 => 1
	Faults   Faults
	Seed     int64            // catalog and randomness seed; same seed => same catalog
	Now      func() time.Time // clock; nil => time.Now
	BaseURL  string           // public base for image URLs ("http://host:port"); empty => from the request

	// StateFile, when set, keeps the customer's state (balance, orders, SMS
	// numbers, stock taken by orders, order ids) in this file so that the
	// account continues across restarts; empty keeps it in memory only. New
	// loads the file, or starts a fresh account with Balance and writes the
	// file when there is none; every request that changes the state rewrites
	// it (atomically, mode 0600) before answering. A file New cannot use
	// (corrupt, another version, another Seed or Services) makes New fail
	// with an error wrapping ErrState and is left as it is: deleting it resets
	// the account. See Save, Close and StateError.
	StateFile string

	// Panel makes the server behave like another SMM panel speaking the API v2 subset: every
	// action but services, add, status and balance answers "Invalid action".
	Panel bool
}

// Stats are request counters.
type Stats struct {
	// Requests counts API requests per action, faulted ones included. Requests
	// with an unknown or missing action count under "invalid".
	Requests map[string]int
	// Faulted counts, per action, the requests a fault was applied to.
	Faulted map[string]int
	// Faults counts the applied faults per kind: reset, drop, html, 429, slow,
	// malformed.
	Faults map[string]int
	// OrdersPlaced and SMSPlaced count committed add orders and SMS numbers
	// (including those whose answer a DropAfterCommit fault swallowed).
	OrdersPlaced, SMSPlaced int
}

// Server is a simulated HstockPlus API v2 server. It implements http.Handler;
// all methods are safe for concurrent use.
type Server struct {
	key      string
	currency string
	speed    float64
	now      func() time.Time
	baseURL  string
	seed     int64
	panel    bool // Options.Panel
	cat      *catalog
	stock    []atomic.Int64 // per slot; written only with mu held, read freely
	ov       overrides      // stock, prices and variants changed by SetRate, SetVariantHidden

	stateFile   string
	fingerprint string        // of cat, when stateFile is set
	gen         atomic.Uint64 // bumped (with mu held) by every change of the persisted state
	saveMu      sync.Mutex    // serialises state writes; taken before mu, never while holding it
	written     atomic.Uint64 // gen of the last state written; stored with saveMu held
	saveErr     error         // guarded by saveMu
	closed      bool          // guarded by saveMu

	mu       sync.Mutex // guards the customer state below
	balance  decimal.Decimal
	nextID   int64
	orders   map[int64]*order
	sms      map[int64]*smsOrder
	phones   map[string]int // numbers the customer owns -> country index
	settleQ  settleHeap
	orderSeq int
	smsSeq   int
	touched  map[int32]struct{} // stock slots orders have taken from

	faultMu sync.Mutex
	faults  Faults
	rng     *rand.Rand

	statsMu      sync.Mutex
	requests     map[string]int
	faulted      map[string]int
	faultKinds   map[string]int
	ordersPlaced atomic.Int64
	smsPlaced    atomic.Int64
}

// New builds a server. It fails on a bad balance, speed, catalog size, fault
// set or base URL.
func New(opts Options) (*Server, error) {
	s := &Server{
		key:        opts.Key,
		currency:   opts.Currency,
		speed:      opts.Speed,
		now:        opts.Now,
		seed:       opts.Seed,
		panel:      opts.Panel,
		nextID:     firstOrderID,
		orders:     map[int64]*order{},
		sms:        map[int64]*smsOrder{},
		phones:     map[string]int{},
		touched:    map[int32]struct{}{},
		stateFile:  opts.StateFile,
		faults:     opts.Faults,
		rng:        rand.New(rand.NewPCG(uint64(opts.Seed), 0x5eedfa17)),
		requests:   map[string]int{},
		faulted:    map[string]int{},
		faultKinds: map[string]int{},
	}
	if s.key == "" {
		s.key = "demo"
	}
	if s.currency == "" {
		s.currency = "USD"
	}
	if s.now == nil {
		s.now = time.Now
	}
	if math.IsNaN(s.speed) || math.IsInf(s.speed, 0) || s.speed < 0 {
		return nil, fmt.Errorf("sandbox: speed %v: must be a positive number", opts.Speed)
	}
	if s.speed == 0 {
		s.speed = 1
	}
	bal := opts.Balance
	if bal == "" {
		bal = "100.00"
	}
	b, err := parseMoney(bal)
	if err != nil {
		return nil, fmt.Errorf("sandbox: balance: %v", err)
	}
	if b.IsNegative() {
		return nil, fmt.Errorf("sandbox: balance %s is negative", bal)
	}
	s.balance = b
	if opts.Services < 0 || opts.Services > MaxServices {
		return nil, fmt.Errorf("sandbox: services %d: want 0 (default catalog) to %d", opts.Services, MaxServices)
	}
	if err := opts.Faults.Validate(); err != nil {
		return nil, err
	}
	if opts.BaseURL != "" {
		u, err := url.Parse(opts.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("sandbox: base URL %q: want http(s)://host[:port][/path]", opts.BaseURL)
		}
		s.baseURL = strings.TrimRight(opts.BaseURL, "/")
	}
	s.cat = buildCatalog(opts.Seed, opts.Services)
	s.stock = make([]atomic.Int64, len(s.cat.initStock))
	for i, v := range s.cat.initStock {
		s.stock[i].Store(v)
	}
	if s.stateFile != "" {
		s.fingerprint = catalogFingerprint(s.cat)
		if err := s.loadState(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Key returns the API key the server accepts.
func (s *Server) Key() string { return s.key }

// ServiceCount returns the number of rows in the catalog.
func (s *Server) ServiceCount() int { return len(s.cat.rows) }

// SetFaults replaces the fault probabilities at run time. Probabilities are
// tried in field order, so a set adding up to more than 1 starves the later
// kinds; use Faults.Validate to check one.
func (s *Server) SetFaults(f Faults) {
	s.faultMu.Lock()
	s.faults = f
	s.faultMu.Unlock()
}

// BalanceString returns the current balance, exact, formatted as the balance
// action formats it.
func (s *Server) BalanceString() string {
	s.mu.Lock()
	s.settleLocked(s.now())
	b := money24(s.balance)
	s.mu.Unlock()
	_ = s.persist() // a refund may have been credited; a failure is kept for StateError
	return b
}

// Stats returns a copy of the counters.
func (s *Server) Stats() Stats {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	st := Stats{
		Requests:     make(map[string]int, len(s.requests)),
		Faulted:      make(map[string]int, len(s.faulted)),
		Faults:       make(map[string]int, len(s.faultKinds)),
		OrdersPlaced: int(s.ordersPlaced.Load()),
		SMSPlaced:    int(s.smsPlaced.Load()),
	}
	for k, v := range s.requests {
		st.Requests[k] = v
	}
	for k, v := range s.faulted {
		st.Faulted[k] = v
	}
	for k, v := range s.faultKinds {
		st.Faults[k] = v
	}
	return st
}

// scale converts simulated time to real time, capped at a century.
func (s *Server) scale(d time.Duration) time.Duration {
	const century = 100 * 365 * 24 * time.Hour
	if r := float64(d) / s.speed; r < float64(century) {
		return time.Duration(r)
	}
	return century
}

// Documented error messages.
const (
	errInvalidKey     = "Invalid API key"
	errInvalidAction  = "Invalid action"
	errServiceID      = "Service ID is required"
	errInsufficient   = "Insufficient balance"
	errOrderNotFound  = "Order not found"
	errServiceMissing = "Service not found"
)

// actions lists every action the server knows; the value tells whether it
// spends money.
var actions = map[string]bool{
	"categories": false, "shops": false, "services": false, "products": false,
	"inventory": false, "balance": false, "add": true, "status": false,
	"sms_countries": false, "sms_projects": false, "add_sms": true,
	"sms_code": false, "sms_status": false,
}

// ServeHTTP answers POST /api/v2 (form body), GET /img/<id>.png and a JSON 404
// for everything else.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case p == "/api/v2" || p == "/api/v2/":
		s.serveAPI(w, r)
	case strings.HasPrefix(p, "/img/"):
		s.serveImage(w, r)
	default:
		writeBody(w, http.StatusNotFound, contentJSON, errorJSON("Not found"))
	}
}

const (
	contentJSON = "application/json; charset=utf-8"
	contentHTML = "text/html; charset=utf-8"
)

const html502 = `<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>nginx</center>
</body>
</html>
`

const html429 = `<html>
<head><title>429 Too Many Requests</title></head>
<body>
<center><h1>429 Too Many Requests</h1></center>
<hr><center>nginx</center>
</body>
</html>
`

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeBody(w, http.StatusMethodNotAllowed, contentJSON, errorJSON("Method not allowed: use POST"))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := parseForm(r); err != nil {
		writeBody(w, http.StatusBadRequest, contentJSON, errorJSON("Invalid request body"))
		return
	}
	form := r.PostForm
	action := strings.TrimSpace(form.Get("action"))
	spend, known := actions[action]
	statKey := action
	if !known {
		statKey = "invalid"
	}
	fault, delay := s.drawFault()
	s.count(statKey, fault)

	switch fault {
	case faultReset:
		abortConn(w)
		return
	case faultDrop:
		if !spend {
			abortConn(w)
			return
		}
	case faultHTML:
		writeBody(w, http.StatusBadGateway, contentHTML, []byte(html502))
		return
	case faultRateLimit:
		w.Header().Set("Retry-After", "1")
		writeBody(w, http.StatusTooManyRequests, contentHTML, []byte(html429))
		return
	case faultSlow:
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	case faultMalformed:
		if spend {
			body := `{"order":`
			if action == "add_sms" {
				body = `{"orders":[{"order":`
			}
			writeBody(w, http.StatusOK, contentJSON, []byte(body))
			return
		}
	}

	status, body := s.dispatch(r, form, action)
	// The state this request changed is on disk before anybody hears of it.
	// A failed save is kept for StateError; the answer goes out regardless.
	_ = s.persist()
	switch fault {
	case faultDrop:
		abortConn(w)
		return
	case faultMalformed:
		body = body[:len(body)/2]
	}
	writeBody(w, status, contentJSON, body)
}

// dispatch runs an action. Documented errors answer HTTP 200 with
// {"error": "..."}, consistently.
func (s *Server) dispatch(r *http.Request, form url.Values, action string) (int, []byte) {
	if subtle.ConstantTimeCompare([]byte(form.Get("key")), []byte(s.key)) != 1 {
		return fail(errInvalidKey)
	}
	if s.panel && !panelActions[action] {
		return fail(errInvalidAction)
	}
	switch action {
	case "categories":
		return s.actCategories(form)
	case "shops":
		return s.actShops(form)
	case "services":
		return s.actList(r, form, false)
	case "products":
		return s.actList(r, form, true)
	case "inventory":
		return s.actInventory(form)
	case "balance":
		return s.actBalance()
	case "add":
		return s.actAdd(form)
	case "status":
		return s.actStatus(form)
	case "sms_countries":
		return s.actSMSCountries(form)
	case "sms_projects":
		return s.actSMSProjects(form)
	case "add_sms":
		return s.actAddSMS(form)
	case "sms_code":
		return s.actSMSCode(form)
	case "sms_status":
		return s.actSMSStatus(form)
	}
	return fail(errInvalidAction)
}

// panelActions are the actions of the API v2 subset every SMM panel speaks (Options.Panel).
var panelActions = map[string]bool{"services": true, "add": true, "status": true, "balance": true}

// parseForm fills r.PostForm from a urlencoded or multipart body.
func parseForm(r *http.Request) error {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "multipart/form-data" {
		if err := r.ParseMultipartForm(maxBody); err != nil {
			return err
		}
		return nil
	}
	return r.ParseForm()
}

func (s *Server) drawFault() (faultKind, time.Duration) {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	if !s.faults.Any() {
		return faultNone, 0
	}
	return s.faults.pick(s.rng.Float64()), s.faults.slowDelay()
}

func (s *Server) count(action string, f faultKind) {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	s.requests[action]++
	if f != faultNone {
		s.faulted[action]++
		s.faultKinds[f.String()]++
	}
}

// abortConn drops the connection without an answer: with a TCP reset when the
// connection can be hijacked, else by aborting the handler (HTTP/2 resets the
// stream).
func abortConn(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			if tc, ok := conn.(*net.TCPConn); ok {
				_ = tc.SetLinger(0)
			}
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

func writeBody(w http.ResponseWriter, status int, contentType string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// encode marshals v without HTML escaping and without a trailing newline.
func encode(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only our own plain structs are encoded; this cannot happen.
		panic(fmt.Sprintf("sandbox: encode: %v", err))
	}
	return bytes.TrimRight(buf.Bytes(), "\n")
}

func errorJSON(msg string) []byte {
	return encode(struct {
		Error string `json:"error"`
	}{msg})
}

// fail answers a documented-style error with HTTP 200.
func fail(msg string) (int, []byte) { return http.StatusOK, errorJSON(msg) }

func ok(v any) (int, []byte) { return http.StatusOK, encode(v) }

// Running is a Server listening on a socket.
type Running struct {
	URL    string // API endpoint, e.g. http://127.0.0.1:8731/api/v2
	Key    string
	Server *Server

	srv  *http.Server
	done chan error
}

// Listen serves s on addr (e.g. "127.0.0.1:0") in a goroutine.
func Listen(addr string, s *Server) (*Running, error) {
	if s == nil {
		return nil, errors.New("sandbox: Listen: nil server")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	host := ln.Addr().String()
	if ta, ok := ln.Addr().(*net.TCPAddr); ok && ta.IP.IsUnspecified() {
		// Listening on every address: point clients at the loopback one.
		host = net.JoinHostPort("127.0.0.1", fmt.Sprint(ta.Port))
	}
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       90 * time.Second,
	}
	rn := &Running{
		URL:    "http://" + host + "/api/v2",
		Key:    s.key,
		Server: s,
		srv:    srv,
		done:   make(chan error, 1),
	}
	go func() { rn.done <- srv.Serve(ln) }()
	return rn, nil
}

// Close shuts the server down gracefully, waiting for in-flight requests until
// ctx ends, then saves the state (Server.Save) when there is a state file.
func (r *Running) Close(ctx context.Context) error {
	err := r.srv.Shutdown(ctx)
	if err != nil {
		_ = r.srv.Close()
	}
	if serr := <-r.done; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	if serr := r.Server.Save(); serr != nil && err == nil {
		err = serr
	}
	return err
}
