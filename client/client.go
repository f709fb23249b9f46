// Package client is a typed client for the HstockPlus customer API v2 (and the SMM-panel API
// shape it shares): catalogue, inventory, balance, orders and SMS numbers.
//
// Every call is a form POST to one endpoint. Read calls are retried on network errors, 5xx, 429
// and non-JSON bodies with capped exponential backoff and full jitter, honouring Retry-After.
// Calls that spend money (Add, AddSMS) are sent at most once; an answer with an order id placed
// the order (whatever else it says: see AddResult.Warning), and every failure is a *SpendError
// that says whether the order was certainly not placed (ErrNotSent) or may have been
// (ErrOutcomeUnknown). Every call has a total deadline (WithCallTimeout, default 60s). The API key
// never appears in an error.
//
// Answers are read defensively: a body stops at the size cap while it streams (a compressed bomb
// costs about the cap, see WithMaxBodyBytes); a UTF-8 byte order mark, or a PHP warning printed
// before the JSON, is dropped (and logged, see WithLogf); keys are matched exactly, never
// case-insensitively; a list row that does not decode is left out and reported (SkipReport), not
// fatal; a missing price is unknown (Service.RateUnknown), not 0.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// Defaults.
const (
	DefaultEndpoint = "https://hstockplus.com/api/v2"
	// Version is the client's version, sent in the default User-Agent.
	Version          = "1.0.0"
	DefaultUserAgent = "hstockplus/" + Version
	// DefaultMaxBodyBytes caps a response body (a 100k-row catalogue is about 40 MB).
	DefaultMaxBodyBytes int64 = 256 << 20
	// DefaultCallTimeout bounds every call, retries and waits included, even when the caller's
	// context has no deadline; see WithCallTimeout.
	DefaultCallTimeout = 60 * time.Second
	DefaultMaxAttempts = 4
	DefaultRetryBase   = 250 * time.Millisecond
	DefaultRetryMax    = 10 * time.Second
	// MaxRetryAfter is the longest Retry-After a read waits for before retrying; a longer one
	// ends the retries and the *RateLimitError (or *TransportError) is returned.
	MaxRetryAfter = 60 * time.Second
	// DefaultRatePerSecond and DefaultBurst are the default client-side request rate.
	DefaultRatePerSecond = 5.0
	DefaultBurst         = 10
	// MaxProductIDs is the most product ids one services/products call may filter on.
	MaxProductIDs = 100
	// MaxSMSQuantity is the most numbers one AddSMS may order.
	MaxSMSQuantity = 10
)

// languages maps the lower-cased accepted codes to the codes sent.
var languages = map[string]string{
	"zh": "zh", "es": "es", "fr": "fr", "de": "de", "ja": "ja", "jp": "ja", "ko": "ko",
	"pt": "pt", "pt-br": "pt-BR", "ru": "ru", "ar": "ar", "hi": "hi", "vi": "vi", "ur": "ur",
	"bn-bd": "bn-BD", "en": "en",
}

// SupportedLangs returns the language codes the API documents, "en" (the default) first.
func SupportedLangs() []string {
	return []string{"en", "zh", "es", "fr", "de", "ja", "ko", "pt", "pt-BR", "ru", "ar", "hi", "vi", "ur", "bn-BD"}
}

// CanonicalLang returns the code sent for lang ("jp" is "ja", case is fixed: "pt-br" is
// "pt-BR"), or an error matching ErrInvalidArgument for an unsupported code. "" stays "".
func CanonicalLang(lang string) (string, error) {
	l := strings.TrimSpace(lang)
	if l == "" {
		return "", nil
	}
	if c, ok := languages[strings.ToLower(strings.ReplaceAll(l, "_", "-"))]; ok {
		return c, nil
	}
	return "", fmt.Errorf("%w: unsupported language %q", ErrInvalidArgument, truncateRunes(sanitizeText(l, 20), 20))
}

// Client talks to one HstockPlus API endpoint. It is safe for concurrent use and immutable
// once built with New.
type Client struct {
	endpoint   string
	key        string
	lang       string
	hc         *http.Client
	trustTrace bool // hc's transport reports connection use through httptrace
	userAgent  string
	limiter    *rate.Limiter
	redact     redactor

	maxAttempts   int
	retryBase     time.Duration
	retryMax      time.Duration
	maxRetryAfter time.Duration
	maxBody       int64
	callTimeout   time.Duration // 0: none

	logf func(format string, args ...any) // notes; never nil after New

	// sleep waits d or until ctx ends; tests replace it.
	sleep func(ctx context.Context, d time.Duration) error
}

// Option configures a Client in New.
type Option func(*Client) error

// New builds a client. With no options it talks to DefaultEndpoint without a key (every call
// then fails with ErrMissingAPIKey before sending).
func New(opts ...Option) (*Client, error) {
	c := &Client{
		endpoint:      DefaultEndpoint,
		userAgent:     DefaultUserAgent,
		limiter:       rate.NewLimiter(rate.Limit(DefaultRatePerSecond), DefaultBurst),
		maxAttempts:   DefaultMaxAttempts,
		retryBase:     DefaultRetryBase,
		retryMax:      DefaultRetryMax,
		maxRetryAfter: MaxRetryAfter,
		maxBody:       DefaultMaxBodyBytes,
		callTimeout:   DefaultCallTimeout,
		logf:          func(string, ...any) {},
		sleep:         sleepCtx,
	}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(c); err != nil {
			return nil, err
		}
	}
	if c.hc == nil {
		c.hc = &http.Client{Transport: defaultTransport()}
	}
	// Redirects are never followed: they would resend the key (and an order) elsewhere, and
	// a 301/302 would silently turn the POST into a GET.
	c.hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	switch c.hc.Transport.(type) {
	case nil, *http.Transport:
		c.trustTrace = true
	}
	c.redact = newRedactor(c.key)
	return c, nil
}

func defaultTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.ResponseHeaderTimeout = 2 * time.Minute
	t.TLSHandshakeTimeout = 15 * time.Second
	t.MaxIdleConnsPerHost = 4
	return t
}

// WithEndpoint sets the API endpoint (default DefaultEndpoint). It must be https://, except that
// plain http:// is allowed to a loopback host (127.0.0.0/8, ::1, localhost) for a local
// simulated server. Credentials in the URL are refused.
func WithEndpoint(endpoint string) Option {
	return func(c *Client) error {
		e, err := parseEndpoint(endpoint)
		if err != nil {
			return err
		}
		c.endpoint = e
		return nil
	}
}

func parseEndpoint(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", fmt.Errorf("%w: endpoint is not a valid URL", ErrInvalidArgument)
	}
	if u.User != nil {
		return "", fmt.Errorf("%w: endpoint must not carry credentials", ErrInvalidArgument)
	}
	if u.Host == "" || u.Hostname() == "" {
		return "", fmt.Errorf("%w: endpoint has no host", ErrInvalidArgument)
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
	case "http":
		if !isLoopbackHost(u.Hostname()) {
			return "", fmt.Errorf("%w: endpoint must use https:// (plain http:// only to a loopback address)", ErrInvalidArgument)
		}
	default:
		return "", fmt.Errorf("%w: endpoint must use https://", ErrInvalidArgument)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Fragment, u.RawFragment = "", ""
	return u.String(), nil
}

func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// WithAPIKey sets the API key. Surrounding white space is trimmed; a key with other white space
// or control characters is refused.
func WithAPIKey(key string) Option {
	return func(c *Client) error {
		k := strings.TrimSpace(key)
		for _, r := range k {
			if r <= ' ' || r == 0x7f {
				return fmt.Errorf("%w: API key contains white space or control characters", ErrInvalidArgument)
			}
		}
		c.key = k
		return nil
	}
}

// WithLang sets the language of translatable fields: one of SupportedLangs ("jp" is accepted
// as "ja"; "" is the server's default, English). It is sent only on the read actions that take
// it: categories, services, products, inventory, sms_projects, sms_countries.
func WithLang(lang string) Option {
	return func(c *Client) error {
		l, err := CanonicalLang(lang)
		if err != nil {
			return err
		}
		c.lang = l
		return nil
	}
}

// WithHTTPClient sets the HTTP client. The client is copied and its redirect policy replaced:
// redirects are never followed.
func WithHTTPClient(h *http.Client) Option {
	return func(c *Client) error {
		if h == nil {
			return fmt.Errorf("%w: nil *http.Client", ErrInvalidArgument)
		}
		cp := *h
		c.hc = &cp
		return nil
	}
}

// WithUserAgent sets the User-Agent header (default DefaultUserAgent).
func WithUserAgent(ua string) Option {
	return func(c *Client) error {
		ua = strings.TrimSpace(ua)
		if ua == "" || strings.ContainsAny(ua, "\r\n\x00") {
			return fmt.Errorf("%w: empty or invalid User-Agent", ErrInvalidArgument)
		}
		c.userAgent = ua
		return nil
	}
}

// WithRateLimit limits requests to perSecond on average with bursts of burst; every request
// (retries included) waits for the limiter, giving up when ctx ends. perSecond <= 0 removes the
// limit. Default: DefaultRatePerSecond, DefaultBurst.
func WithRateLimit(perSecond float64, burst int) Option {
	return func(c *Client) error {
		if perSecond <= 0 {
			c.limiter = rate.NewLimiter(rate.Inf, 1)
			return nil
		}
		if burst < 1 {
			return fmt.Errorf("%w: rate limit burst must be at least 1", ErrInvalidArgument)
		}
		c.limiter = rate.NewLimiter(rate.Limit(perSecond), burst)
		return nil
	}
}

// WithRetry sets the retry policy of read calls: at most maxAttempts requests in all (1 = no
// retry), waiting a random duration up to base·2ⁿ, capped at max, between them. Calls that spend
// money are never retried. Default: 4 attempts, 250ms, 10s.
func WithRetry(maxAttempts int, base, max time.Duration) Option {
	return func(c *Client) error {
		if maxAttempts < 1 {
			return fmt.Errorf("%w: maxAttempts must be at least 1", ErrInvalidArgument)
		}
		if base < 0 || max < base {
			return fmt.Errorf("%w: retry delays must satisfy 0 <= base <= max", ErrInvalidArgument)
		}
		c.maxAttempts, c.retryBase, c.retryMax = maxAttempts, base, max
		return nil
	}
}

// WithMaxBodyBytes caps the size of a response body (default DefaultMaxBodyBytes). A larger body
// is not read further and the call fails with a *TransportError matching ErrBodyTooLarge.
func WithMaxBodyBytes(n int64) Option {
	return func(c *Client) error {
		if n <= 0 {
			return fmt.Errorf("%w: max body size must be positive", ErrInvalidArgument)
		}
		c.maxBody = n
		return nil
	}
}

// WithCallTimeout bounds each call (each request of AllServices' paging) as a whole, retries
// and the waits between them included, so that a server that answers a byte at a time cannot
// hold a call forever when the caller's context has no deadline (the caller's own deadline still
// applies when it is sooner). Default DefaultCallTimeout; 0 removes the bound (the caller's context
// alone then limits a call). A call that runs out fails with a *TransportError matching both
// ErrCallTimeout and context.DeadlineExceeded; for Add and AddSMS that is ErrOutcomeUnknown once
// the request may have left.
func WithCallTimeout(d time.Duration) Option {
	return func(c *Client) error {
		if d < 0 {
			return fmt.Errorf("%w: negative call timeout", ErrInvalidArgument)
		}
		c.callTimeout = d
		return nil
	}
}

// WithLogf sets where the client writes notes about answers it accepted with repairs: text
// before the JSON (a PHP warning), rows left out of a list (with a short excerpt of each). The
// texts are sanitised, cut short and scrubbed of the API key. nil (the default) discards them.
// logf may be called from several goroutines at once.
func WithLogf(logf func(format string, args ...any)) Option {
	return func(c *Client) error {
		if logf == nil {
			logf = func(string, ...any) {}
		}
		c.logf = logf
		return nil
	}
}

// callContext bounds one call by the call timeout.
func (c *Client) callContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if c.callTimeout <= 0 {
		return ctx, func() {}
	}
	return context.WithTimeoutCause(ctx, c.callTimeout, ErrCallTimeout)
}

// timedOut marks err as ErrCallTimeout and context.DeadlineExceeded when the call's own timeout
// (not the caller's context) ended it. (The transport reports a context's cause, so the error may
// carry ErrCallTimeout alone.)
func timedOut(ctx context.Context, err error) error {
	if err == nil || ctx.Err() == nil || !errors.Is(context.Cause(ctx), ErrCallTimeout) {
		return err
	}
	if errors.Is(err, ErrCallTimeout) && errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return &callTimeoutError{err}
}

// callTimeoutError is a cause ended by the call timeout: it matches ErrCallTimeout and
// context.DeadlineExceeded, and still unwraps to the cause.
type callTimeoutError struct{ err error }

func (e *callTimeoutError) Error() string {
	msg := strings.TrimPrefix(e.err.Error(), "hstockplus: ")
	if errors.Is(e.err, ErrCallTimeout) {
		return msg
	}
	return strings.TrimPrefix(ErrCallTimeout.Error(), "hstockplus: ") + ": " + msg
}

func (e *callTimeoutError) Unwrap() []error {
	return []error{ErrCallTimeout, context.DeadlineExceeded, e.err}
}

// Endpoint returns the API endpoint.
func (c *Client) Endpoint() string { return c.endpoint }

// Lang returns the language sent on the actions that take one ("" when none is set).
func (c *Client) Lang() string { return c.lang }

// HasAPIKey reports whether a key is set.
func (c *Client) HasAPIKey() bool { return c.key != "" }

// String describes the client without its key.
func (c *Client) String() string {
	key := "none"
	if c.key != "" {
		key = redactedMark
	}
	return fmt.Sprintf("hstockplus.Client{endpoint: %s, key: %s, lang: %q}", c.endpoint, key, c.lang)
}

// GoString is String, so that %#v does not print the key either.
func (c *Client) GoString() string { return c.String() }

// response is a received answer: its status, headers and (capped) body.
type response struct {
	status int
	header http.Header
	body   []byte
	// streamed: the answer was decoded as it arrived (see streamAbove); body is its first bytes
	// and streamErr what came of it (nil: decoded).
	streamed  bool
	streamErr error
}

// form builds the body of a request.
func (c *Client) form(action string, params url.Values) string {
	v := url.Values{}
	for k, vs := range params {
		v[k] = vs
	}
	v.Set("key", c.key)
	v.Set("action", action)
	return v.Encode()
}

// attempt sends one request and reads the answer. sent reports whether the request may have
// reached the server; it is false only when that is certainly not the case.
func (c *Client) attempt(ctx context.Context, action, body string, stream *catalogStream) (resp *response, sent bool, err error) {
	if err := c.limiter.Wait(ctx); err != nil {
		cause := ctx.Err()
		if cause == nil {
			cause = fmt.Errorf("%w: %w", errLimiterDeadline, context.DeadlineExceeded)
		}
		return nil, false, &TransportError{Action: action, Err: c.redact.err(cause)}
	}
	if err := ctx.Err(); err != nil {
		return nil, false, &TransportError{Action: action, Err: c.redact.err(err)}
	}

	var gotConn atomic.Bool
	trace := &httptrace.ClientTrace{
		GotConn:      func(httptrace.GotConnInfo) { gotConn.Store(true) },
		WroteHeaders: func() { gotConn.Store(true) },
	}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), http.MethodPost, c.endpoint, strings.NewReader(body))
	if err != nil {
		return nil, false, &TransportError{Action: action, Err: c.redact.err(errors.New("cannot build the request"))}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)

	res, err := c.hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // drop the URL from the message
		}
		sent := gotConn.Load() || !(c.trustTrace || isPreSendError(err))
		return nil, sent, &TransportError{Action: action, Err: c.redact.err(err), network: true}
	}
	defer res.Body.Close()

	var rest io.Reader = res.Body
	var head []byte
	if stream != nil && res.StatusCode == http.StatusOK && (res.ContentLength < 0 || res.ContentLength > streamAbove && res.ContentLength <= c.maxBody) {
		head, err = readBody(io.LimitReader(res.Body, streamAbove), -1, streamAbove)
		if err == nil && len(head) == streamAbove && streamable(head, stream.key) {
			r := &response{status: res.StatusCode, header: res.Header, body: bytes.Clone(head[:min(len(head), 4096)]), streamed: true}
			if derr := stream.decode(newJSONStream(head, res.Body, c.maxBody), res.ContentLength); derr == nil && stream.hasError {
				r.streamErr = c.envelopeError(action, r, stream.errMsg)
			} else {
				r.streamErr = c.streamError(action, r, derr)
			}
			return r, true, nil
		}
		if err == nil {
			rest = io.MultiReader(bytes.NewReader(head), res.Body)
		}
	}
	var b []byte
	if err == nil {
		b, err = readBody(rest, res.ContentLength, c.maxBody)
	}
	switch {
	case errors.Is(err, ErrBodyTooLarge):
		return nil, true, &TransportError{
			HTTPStatus: res.StatusCode, Action: action,
			Err: fmt.Errorf("%w (over %d bytes)", ErrBodyTooLarge, c.maxBody),
		}
	case err != nil:
		return nil, true, &TransportError{HTTPStatus: res.StatusCode, Action: action, Err: c.redact.err(fmt.Errorf("reading the body: %w", err)), network: true}
	}
	doc, junk := jsonBody(b)
	if len(junk) > 0 {
		c.logf("hstockplus: %s: ignored %d bytes of text before the JSON answer: %s", action, len(junk), c.redact.clean(string(junk), maxJunkLogRunes))
	}
	return &response{status: res.StatusCode, header: res.Header, body: doc}, true, nil
}

// errLimiterDeadline: the client-side rate limiter would have to wait past the context's
// deadline.
var errLimiterDeadline = errors.New("client-side rate limit: waiting would pass the deadline")

// Sizes of readBody's buffers.
const (
	firstSegment = 16 << 10
	maxSegment   = 8 << 20
	// joinThreshold: a body of unknown length is read into segments of at most this many bytes
	// in all, and then joined (twice its size, at most 120 MiB); one that grows past it is moved
	// into a single buffer of limit bytes. Either way a body never costs more than limit + 64 MiB
	// (plus the decompressor's few kilobytes of state).
	joinThreshold = 60 << 20
)

// readBody reads a body of at most limit bytes; a longer one fails with ErrBodyTooLarge as soon
// as byte limit+1 arrives, and nothing is read further. contentLength (-1: unknown) sizes the
// buffer exactly when known. Memory never exceeds limit + 64 MiB (see joinThreshold): a body of
// unknown length (a gzip-compressed answer: the transport inflates it) is read into segments of
// growing size, never a doubling buffer, so a compressed bomb stops at the cap with about the cap
// allocated, not twice or three times it. A full segment is followed by a one-byte probe read,
// so that the end of the body never costs a segment of its own.
func readBody(r io.Reader, contentLength, limit int64) ([]byte, error) {
	if contentLength > limit {
		return nil, ErrBodyTooLarge
	}
	var segs [][]byte
	var held, capSum int64 // bytes in the full segments; capacity of all of them
	newSeg := func(size int64) []byte {
		size = min(size, limit-held)
		sg := make([]byte, 0, size)
		segs = append(segs, sg)
		capSum += size
		return sg
	}
	if contentLength >= 0 {
		newSeg(contentLength)
	} else {
		newSeg(firstSegment)
	}
	var probe [1]byte
	for {
		cur := segs[len(segs)-1]
		if len(cur) < cap(cur) {
			n, err := r.Read(cur[len(cur):cap(cur)])
			segs[len(segs)-1] = cur[:len(cur)+n]
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, err
			}
			continue
		}
		// The segment is full: is there more?
		held += int64(len(cur))
		n, err := readSome(r, probe[:])
		if n == 0 {
			if err == io.EOF {
				break
			}
			return nil, err
		}
		switch {
		case held >= limit:
			return nil, ErrBodyTooLarge
		case contentLength >= 0:
			return nil, errLongerThanAnnounced
		}
		next := min(max(held, firstSegment), maxSegment)
		if capSum+next <= joinThreshold {
			cur = newSeg(next)
		} else {
			// Past the threshold: one buffer of the greatest size allowed, filled in place.
			big := make([]byte, 0, limit)
			for _, sg := range segs {
				big = append(big, sg...)
			}
			segs, held, capSum, cur = [][]byte{big}, 0, limit, big
		}
		segs[len(segs)-1] = append(cur, probe[0])
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	last := segs[len(segs)-1]
	if len(segs) == 1 {
		return last, nil
	}
	total := 0
	for _, sg := range segs {
		total += len(sg)
	}
	out := make([]byte, 0, total)
	for _, sg := range segs {
		out = append(out, sg...)
	}
	return out, nil
}

// readSome reads into p until it gets a byte or an error (a Read may return 0, nil).
func readSome(r io.Reader, p []byte) (int, error) {
	for i := 0; i < 100; i++ {
		if n, err := r.Read(p); n > 0 || err != nil {
			return n, err
		}
	}
	return 0, io.ErrNoProgress
}

// errLongerThanAnnounced: the body went on past its Content-Length.
var errLongerThanAnnounced = errors.New("body longer than its Content-Length")

// Bounds of jsonBody's search for a JSON document after leading text.
const (
	maxJunkBytes    = 16 << 10 // the document must start within the first 16 KiB
	maxJunkTries    = 8        // candidate starts tried
	maxJunkLogRunes = 300
)

var utf8BOM = []byte("\xEF\xBB\xBF")

// jsonBody finds the JSON document of an answer. Leading white space and UTF-8 byte order marks
// are dropped. A body that then starts like an answer ('{' then a key or '}', '[' then an object,
// string, array or ']') is the document: the decoder validates it, and a 40 MB catalogue is not
// scanned once more here. Otherwise, when the body is not itself a JSON value (a PHP error_log
// line starts with "[01-Dec-2026 10:00:00 UTC]", say), it may be text printed before the
// JSON (a PHP warning or notice, say): the document is then the first '{' or '[' that starts a
// line (or follows a tag's '>') within the first 16 KiB and runs, complete and valid, to the end
// of the body; the text before it is returned as junk, for the log. When there is no such
// document the body is returned as it came, for the not-JSON error to show.
func jsonBody(b []byte) (doc, junk []byte) {
	i := skipBOMs(b)
	if i >= len(b) {
		return b, nil
	}
	if looksLikeAnswer(b, i) {
		return b[i:], nil
	}
	if validDocument(b[i:]) {
		return b[i:], nil
	}
	end := min(len(b), i+maxJunkBytes)
	tries := 0
	for p := i + 1; p < end; p++ {
		if c := b[p]; c != '{' && c != '[' || !startsLine(b, p) {
			continue
		}
		if tries++; tries > maxJunkTries {
			break
		}
		if validDocument(b[p:]) {
			return b[p:], bytes.TrimSpace(b[i:p])
		}
	}
	return b, nil
}

// looksLikeAnswer reports whether b[i:] starts as an answer of the API does: an object, or an
// array of objects, strings or arrays (or an empty one).
func looksLikeAnswer(b []byte, i int) bool {
	j := skipWS(b, i+1)
	if j >= len(b) {
		return false
	}
	switch b[i] {
	case '{':
		return b[j] == '"' || b[j] == '}'
	case '[':
		return b[j] == '{' || b[j] == '"' || b[j] == '[' || b[j] == ']'
	}
	return false
}

// startsLine reports whether b[p] is the first byte of a line (blanks before it allowed) or
// follows the '>' of a tag.
func startsLine(b []byte, p int) bool {
	for p--; p >= 0; p-- {
		switch b[p] {
		case ' ', '\t':
			continue
		case '\n', '\r', '>':
			return true
		}
		return false
	}
	return true
}

// isPreSendError reports whether err is of a kind that happens before any byte of a request is
// written: a failed dial or name lookup. It decides for transports that do not report through
// httptrace; with an *http.Transport, whether a connection was had decides.
func isPreSendError(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}

// interpret turns a received answer into nil (a 2xx body for the decoder) or the typed error it
// stands for. Whether a 2xx body is JSON at all is left to the decoder (see decodeError): a
// 40 MB catalogue is then scanned once less.
func (c *Client) interpret(action string, r *response) error {
	if mayHaveErrorKey(r.body) {
		if msg, ok := decodeErrorEnvelope(r.body); ok {
			return c.envelopeError(action, r, msg)
		}
	}
	if r.status == http.StatusTooManyRequests {
		return &RateLimitError{
			Action: action, HTTPStatus: r.status,
			RetryAfter: parseRetryAfter(r.header.Get("Retry-After"), time.Now()),
		}
	}
	switch {
	case r.status >= 300 && r.status < 400:
		return &TransportError{HTTPStatus: r.status, Action: action, Err: ErrUnexpectedRedirect}
	case r.status < 200 || r.status >= 400:
		cause := ErrNotJSON
		if json.Valid(r.body) {
			cause = errHTTPStatus
		}
		return &TransportError{HTTPStatus: r.status, Action: action, Excerpt: c.redact.excerptOf(r.body), Err: cause}
	case jsonKind(r.body) == 0:
		return &TransportError{HTTPStatus: r.status, Action: action, Err: ErrNotJSON}
	}
	return nil
}

// envelopeError is the error of an answer that is an error envelope saying msg.
func (c *Client) envelopeError(action string, r *response, msg string) error {
	clean := c.redact.clean(msg, maxMessageRunes)
	if r.status == http.StatusTooManyRequests || isRateLimitMessage(msg) {
		return &RateLimitError{
			Action: action, HTTPStatus: r.status, Message: clean,
			RetryAfter: parseRetryAfter(r.header.Get("Retry-After"), time.Now()),
			answered:   true,
		}
	}
	return &APIError{HTTPStatus: r.status, Action: action, Message: clean}
}

// streamError is the error of a streamed answer whose decoding ended with err (nil: none), as
// interpret and decodeError would give it for the whole answer.
func (c *Client) streamError(action string, r *response, err error) error {
	var se *syntaxError
	switch {
	case errors.Is(err, ErrBodyTooLarge):
		return &TransportError{HTTPStatus: r.status, Action: action, Err: fmt.Errorf("%w (over %d bytes)", ErrBodyTooLarge, c.maxBody)}
	case errors.As(err, &se):
		return &TransportError{HTTPStatus: r.status, Action: action, Excerpt: c.redact.excerptOf(r.body), Err: ErrNotJSON}
	case err != nil && !errors.Is(err, ErrMalformedResponse):
		return &TransportError{HTTPStatus: r.status, Action: action, Err: c.redact.err(fmt.Errorf("reading the body: %w", err)), network: true}
	case err != nil:
		return &TransportError{HTTPStatus: r.status, Action: action, Err: c.redact.err(err)}
	}
	return nil
}

// mayHaveErrorKey reports whether body holds the quoted word "error" (in any case) somewhere: a
// cheap test before looking for an error envelope, which costs two passes over the body.
func mayHaveErrorKey(b []byte) bool {
	for i := 0; i+7 <= len(b); {
		j := bytes.IndexByte(b[i:], '"')
		if j < 0 {
			return false
		}
		i += j
		if i+7 <= len(b) && b[i+6] == '"' && bytes.EqualFold(b[i+1:i+6], []byte("error")) {
			return true
		}
		i++
	}
	return false
}

// decodeError wraps a decoder's failure: ErrNotJSON (with an excerpt) when the body is not JSON
// at all (an HTML page or a cut-off body), else the decoder's ErrMalformedResponse.
func (c *Client) decodeError(action string, r *response, err error) error {
	if !json.Valid(r.body) {
		return &TransportError{HTTPStatus: r.status, Action: action, Excerpt: c.redact.excerptOf(r.body), Err: ErrNotJSON}
	}
	return &TransportError{HTTPStatus: r.status, Action: action, Err: c.redact.err(err)}
}

// parseRetryAfter reads a Retry-After header: delay seconds or an HTTP date. 0 when absent or
// unreadable.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0
		}
		if n > int64(24*time.Hour/time.Second) {
			n = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return min(d, 24*time.Hour)
		}
	}
	return 0
}

// read sends a read action, retrying what is safe to retry, and hands the answer to decode.
func (c *Client) read(ctx context.Context, action string, params url.Values, decode func([]byte) error) error {
	return c.readCatalog(ctx, action, params, decode, nil)
}

// readCatalog is read for a catalogue action: a large answer is decoded by stream as it arrives
// (see streamAbove), any other by decode. A nil stream is read.
func (c *Client) readCatalog(ctx context.Context, action string, params url.Values, decode func([]byte) error, stream *catalogStream) error {
	if c.key == "" {
		return fmt.Errorf("%w (%s)", ErrMissingAPIKey, action)
	}
	ctx, cancel := c.callContext(ctx)
	defer cancel()
	return markTimeout(ctx, c.readLoop(ctx, action, params, decode, stream))
}

// markTimeout marks the cause of a *TransportError that the call timeout ended.
func markTimeout(ctx context.Context, err error) error {
	var te *TransportError
	if errors.As(err, &te) {
		te.Err = timedOut(ctx, te.Err)
	}
	return err
}

func (c *Client) readLoop(ctx context.Context, action string, params url.Values, decode func([]byte) error, stream *catalogStream) error {
	body := c.form(action, params)
	var lastErr error
	var wait time.Duration // server-requested delay before the next attempt
	for attempt := 1; attempt <= c.maxAttempts; attempt++ {
		if attempt > 1 {
			delay := c.backoff(attempt - 1)
			if wait > 0 {
				delay = wait
			}
			if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < delay {
				return lastErr
			}
			if err := c.sleep(ctx, delay); err != nil {
				return lastErr
			}
		}
		resp, _, err := c.attempt(ctx, action, body, stream)
		switch {
		case err == nil && resp.streamed:
			if err = resp.streamErr; err == nil {
				return nil
			}
		case err == nil:
			if err = c.interpret(action, resp); err == nil {
				if derr := decode(resp.body); derr != nil {
					err = c.decodeError(action, resp, derr)
				} else {
					return nil
				}
			}
		}
		lastErr = err
		if ctx.Err() != nil {
			return err
		}
		var retry bool
		retry, wait = retryable(err, resp)
		if !retry || wait > c.maxRetryAfter {
			return err
		}
	}
	return lastErr
}

// retryable reports whether a read that failed with err may be retried, and after what delay
// the server asked for (0: none).
func retryable(err error, resp *response) (bool, time.Duration) {
	var rl *RateLimitError
	if errors.As(err, &rl) {
		return true, rl.RetryAfter
	}
	var te *TransportError
	if !errors.As(err, &te) {
		return false, 0
	}
	if errors.Is(err, ErrBodyTooLarge) || errors.Is(err, ErrUnexpectedRedirect) {
		return false, 0
	}
	var wait time.Duration
	if resp != nil {
		wait = parseRetryAfter(resp.header.Get("Retry-After"), time.Now())
	}
	switch {
	case te.network:
		// The caller's context has been checked already.
		return true, 0
	case te.HTTPStatus == 0:
		return false, 0 // refused before sending (the rate limiter's wait, say)
	case te.HTTPStatus >= 500 || te.HTTPStatus == http.StatusRequestTimeout:
		return true, wait
	case errors.Is(err, ErrNotJSON):
		return true, wait
	}
	return false, 0
}

// backoff is the delay before retry n (1-based): uniformly random in [0, min(max, base·2ⁿ⁻¹)].
func (c *Client) backoff(n int) time.Duration {
	ceiling := c.retryBase
	for i := 1; i < n && ceiling < c.retryMax; i++ {
		ceiling *= 2
	}
	ceiling = min(ceiling, c.retryMax)
	if ceiling <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(ceiling) + 1))
}

// sleepCtx waits d, or until ctx ends (then it returns ctx's error).
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// spend sends an action that spends money exactly once and decodes its answer with decode.
// Every failure is a *SpendError.
func (c *Client) spend(ctx context.Context, action string, params url.Values, decode func([]byte) error) error {
	notSent := func(err error) error { return &SpendError{Action: action, Outcome: ErrNotSent, Err: err} }
	unknown := func(err error) error { return &SpendError{Action: action, Outcome: ErrOutcomeUnknown, Err: err} }
	if c.key == "" {
		return notSent(fmt.Errorf("%w (%s)", ErrMissingAPIKey, action))
	}
	ctx, cancel := c.callContext(ctx)
	defer cancel()
	resp, sent, err := c.attempt(ctx, action, c.form(action, params), nil)
	if err != nil {
		err = markTimeout(ctx, err)
		if sent {
			return unknown(err)
		}
		return notSent(err)
	}
	// An answer that carries an order id placed the order, whatever its HTTP status and whatever
	// else it says: {"order": 23501, "error": "Order created, e-mail notification failed"} is an
	// order (the error's text becomes its Warning). Only an answer without one is a refusal.
	var derr error
	if k := jsonKind(resp.body); k == '{' || k == '[' {
		if derr = decode(resp.body); derr == nil {
			return nil
		}
	}
	if err := c.interpret(action, resp); err != nil {
		var ae *APIError
		var rl *RateLimitError
		switch {
		case errors.As(err, &ae):
			// The API refused the order. A documented refusal is definite at any status; an
			// unknown message with a 5xx might have come after the order was recorded.
			if ae.Documented() || resp.status < 500 {
				return notSent(err)
			}
		case errors.As(err, &rl) && rl.answered:
			return notSent(err)
		}
		return unknown(err)
	}
	if derr == nil {
		derr = decode(resp.body)
	}
	if derr != nil {
		return unknown(c.decodeError(action, resp, derr))
	}
	return nil
}
