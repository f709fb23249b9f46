package client

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Sentinels for the documented error messages. An *APIError whose message is one of these
// (compared case-insensitively, spaces and a final period ignored) matches it with errors.Is.
var (
	ErrInvalidKey          = errors.New("hstockplus: invalid API key")
	ErrInvalidAction       = errors.New("hstockplus: invalid action")
	ErrServiceIDRequired   = errors.New("hstockplus: service ID is required")
	ErrInsufficientBalance = errors.New("hstockplus: insufficient balance")
	ErrOrderNotFound       = errors.New("hstockplus: order not found")
	ErrServiceNotFound     = errors.New("hstockplus: service not found")
)

// documentedErrors maps the normalised documented messages to their sentinels.
var documentedErrors = map[string]error{
	"invalid api key":         ErrInvalidKey,
	"invalid action":          ErrInvalidAction,
	"service id is required":  ErrServiceIDRequired,
	"insufficient balance":    ErrInsufficientBalance,
	"order not found":         ErrOrderNotFound,
	"service not found":       ErrServiceNotFound,
	"insufficient funds":      ErrInsufficientBalance,
	"not enough balance":      ErrInsufficientBalance,
	"incorrect order id":      ErrOrderNotFound,
	"incorrect service id":    ErrServiceNotFound,
	"invalid key":             ErrInvalidKey,
	"api key is invalid":      ErrInvalidKey,
	"service id not provided": ErrServiceIDRequired,
}

// Outcomes of a call that spends money (Add, AddSMS); see SpendError.
var (
	// ErrNotSent: the order was certainly not placed, either because the request never left
	// the client or because the server answered with an error. It is safe to try again.
	ErrNotSent = errors.New("hstockplus: the order was not placed")
	// ErrOutcomeUnknown: the request may have reached the server but no valid answer came
	// back. The order may or may not exist: check (balance, status) before trying again.
	ErrOutcomeUnknown = errors.New("hstockplus: outcome unknown, the order may have been placed")
)

// Other sentinels, found with errors.Is in the chain of a *TransportError or a validation error.
var (
	// ErrBodyTooLarge: the response was larger than WithMaxBodyBytes; it was not read further.
	ErrBodyTooLarge = errors.New("hstockplus: response body too large")
	// ErrNotJSON: the body was not JSON (an HTML error page, an empty or cut-off body).
	ErrNotJSON = errors.New("hstockplus: response is not JSON")
	// ErrMalformedResponse: the body was JSON but not of the shape the action answers with.
	ErrMalformedResponse = errors.New("hstockplus: unexpected response shape")
	// ErrUnexpectedRedirect: the server answered with a redirect; redirects are never followed
	// because they would resend the API key (and an order) to another address.
	ErrUnexpectedRedirect = errors.New("hstockplus: unexpected redirect (not followed)")
	// ErrRateLimited matches every *RateLimitError.
	ErrRateLimited = errors.New("hstockplus: rate limited")
	// ErrInvalidArgument: the call was refused before sending because of its arguments.
	ErrInvalidArgument = errors.New("hstockplus: invalid argument")
	// ErrMissingAPIKey: the client has no API key (see WithAPIKey); nothing was sent.
	ErrMissingAPIKey = errors.New("hstockplus: no API key set")
	// ErrCallTimeout: the call ran out of the client's call timeout (see WithCallTimeout). The
	// error matches context.DeadlineExceeded too.
	ErrCallTimeout = errors.New("hstockplus: the call took longer than the client's call timeout")
)

// errHTTPStatus is the cause of a *TransportError for an error status with a JSON body that
// has no "error" field.
var errHTTPStatus = errors.New("unexpected HTTP status")

// Lengths to which texts from the server are cut in errors.
const (
	maxMessageRunes = 500
	maxExcerptRunes = 200
	maxCauseRunes   = 1000
)

// APIError is an answer {"error": "..."} from the API, at whatever HTTP status it came.
// Message is the server's text, with control characters removed, cut to a sane length and with
// the API key scrubbed. errors.Is matches the documented sentinels (ErrInvalidKey, …).
type APIError struct {
	HTTPStatus int
	Action     string
	Message    string
}

func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("hstockplus: ")
	if e.Action != "" {
		b.WriteString(e.Action)
		b.WriteString(": ")
	}
	if e.Message == "" {
		b.WriteString("error without a message")
	} else {
		b.WriteString(e.Message)
	}
	if e.HTTPStatus != 0 && e.HTTPStatus != 200 {
		b.WriteString(" (HTTP ")
		b.WriteString(strconv.Itoa(e.HTTPStatus))
		b.WriteString(")")
	}
	return b.String()
}

// Is reports whether the message is the documented one that target stands for.
func (e *APIError) Is(target error) bool {
	s := sentinelFor(e.Message)
	return s != nil && s == target
}

// Documented reports whether the message is one of the documented ones.
func (e *APIError) Documented() bool { return sentinelFor(e.Message) != nil }

func sentinelFor(msg string) error {
	return documentedErrors[normaliseMessage(msg)]
}

func normaliseMessage(msg string) string {
	m := strings.ToLower(strings.TrimSpace(msg))
	m = strings.TrimRight(m, ".! ")
	return strings.Join(strings.Fields(m), " ")
}

// isRateLimitMessage reports whether an error message speaks of a rate limit.
func isRateLimitMessage(msg string) bool {
	m := strings.ToLower(msg)
	for _, s := range []string{"rate limit", "rate-limit", "ratelimit", "too many requests", "too many request"} {
		if strings.Contains(m, s) {
			return true
		}
	}
	return false
}

// TransportError is a failure to get a usable answer: a network error (HTTPStatus 0), a body
// that is not JSON (an HTML 502 page, an empty or cut-off body), a body over the size cap, an
// error status with a JSON body lacking "error", a redirect, or JSON of an unexpected shape.
// Excerpt is a short sanitised start of the body (at most 200 characters), if there was one.
// Err is the cause; errors.Is finds ErrNotJSON, ErrBodyTooLarge, ErrMalformedResponse,
// ErrUnexpectedRedirect, context.Canceled, … in it.
type TransportError struct {
	HTTPStatus int
	Action     string
	Excerpt    string
	Err        error

	network bool // the connection failed (dial, write, read): worth retrying a read
}

func (e *TransportError) Error() string {
	var b strings.Builder
	b.WriteString("hstockplus: ")
	if e.Action != "" {
		b.WriteString(e.Action)
		b.WriteString(": ")
	}
	if e.HTTPStatus != 0 {
		b.WriteString("HTTP ")
		b.WriteString(strconv.Itoa(e.HTTPStatus))
		b.WriteString(": ")
	} else {
		b.WriteString("transport: ")
	}
	if e.Err != nil {
		b.WriteString(strings.TrimPrefix(e.Err.Error(), "hstockplus: "))
	} else {
		b.WriteString("request failed")
	}
	if e.Excerpt != "" {
		b.WriteString(": body ")
		b.WriteString(strconv.Quote(e.Excerpt))
	}
	return b.String()
}

func (e *TransportError) Unwrap() error { return e.Err }

// RateLimitError is an HTTP 429, or an {"error"} message that speaks of a rate limit or too many
// requests. RetryAfter is the server's Retry-After (0 when it gave none). Message is the server's
// text, if any. It matches ErrRateLimited.
type RateLimitError struct {
	Action     string
	RetryAfter time.Duration
	HTTPStatus int
	Message    string

	answered bool // the API itself answered with an {"error"} body
}

func (e *RateLimitError) Error() string {
	var b strings.Builder
	b.WriteString("hstockplus: ")
	if e.Action != "" {
		b.WriteString(e.Action)
		b.WriteString(": ")
	}
	b.WriteString("rate limited")
	if e.HTTPStatus != 0 && e.HTTPStatus != 200 {
		b.WriteString(" (HTTP ")
		b.WriteString(strconv.Itoa(e.HTTPStatus))
		b.WriteString(")")
	}
	if e.RetryAfter > 0 {
		b.WriteString(", retry after ")
		b.WriteString(e.RetryAfter.String())
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	return b.String()
}

// Is matches ErrRateLimited.
func (e *RateLimitError) Is(target error) bool { return target == ErrRateLimited }

// SpendError is every failure of a call that spends money (Add, AddSMS). Outcome is ErrNotSent
// (certainly not placed: safe to try again) or ErrOutcomeUnknown (the request may have reached
// the server: check before trying again); errors.Is matches it. Err is the failure itself
// (*APIError, *TransportError, *RateLimitError, a validation error, …); errors.Is and errors.As
// reach it and its own causes, so errors.Is(err, ErrInsufficientBalance) works.
type SpendError struct {
	Action  string
	Outcome error
	Err     error
}

func (e *SpendError) Error() string {
	msg := "hstockplus: " + e.Action + ": failed"
	if e.Err != nil {
		msg = e.Err.Error()
	}
	switch e.Outcome {
	case ErrNotSent:
		return msg + " (not placed)"
	case ErrOutcomeUnknown:
		return msg + " (outcome unknown: the order may have been placed; check before retrying)"
	}
	return msg
}

// Is matches the outcome.
func (e *SpendError) Is(target error) bool { return e.Outcome != nil && target == e.Outcome }

func (e *SpendError) Unwrap() error { return e.Err }

// NotSent reports whether the order was certainly not placed.
func (e *SpendError) NotSent() bool { return e.Outcome == ErrNotSent }

// redactedError carries a cause whose text has been sanitised and scrubbed of the API key.
// Unwrap still gives the cause for errors.Is and errors.As.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// redactor scrubs the API key out of texts that end up in errors.
type redactor struct{ secrets []string }

const redactedMark = "[REDACTED]"

// minSecretLen: shorter keys are not real keys, and scrubbing them would mangle every message.
const minSecretLen = 4

func newRedactor(key string) redactor {
	if len(key) < minSecretLen {
		return redactor{}
	}
	r := redactor{secrets: []string{key}}
	for _, v := range []string{url.QueryEscape(key), url.PathEscape(key)} {
		if v != key {
			r.secrets = append(r.secrets, v)
		}
	}
	return r
}

// clean sanitises s (see sanitizeText), scrubs the key and cuts the result to maxRunes.
func (r redactor) clean(s string, maxRunes int) string {
	longest := 0
	for _, k := range r.secrets {
		longest = max(longest, len(k))
	}
	s = sanitizeText(s, maxRunes+2*longest+len(redactedMark))
	for _, k := range r.secrets {
		s = strings.ReplaceAll(s, k, redactedMark)
	}
	s = truncateRunes(s, maxRunes)
	// A cut may have left the beginning of a key at the very end: scrub that too.
	if body, cut := strings.CutSuffix(s, "…"); cut {
		for _, k := range r.secrets {
			for n := min(len(k)-1, len(body)); n > 0; n-- {
				if strings.HasSuffix(body, k[:n]) {
					body = body[:len(body)-n] + redactedMark
					break
				}
			}
		}
		s = body + "…"
	}
	return s
}

// err wraps cause so that its text is sanitised and scrubbed; nil stays nil. If the cause's own
// text shows the key, the cause is not kept in the chain (unwrapping it would show the key):
// only the context error it carried, if any, is.
func (r redactor) err(cause error) error {
	if cause == nil {
		return nil
	}
	raw := cause.Error()
	e := &redactedError{msg: r.clean(raw, maxCauseRunes), err: cause}
	if r.shows(raw) {
		e.err = nil
		for _, known := range []error{context.Canceled, context.DeadlineExceeded} {
			if errors.Is(cause, known) {
				e.err = known
				break
			}
		}
	}
	return e
}

// shows reports whether s holds the key, also once invisible characters are dropped.
func (r redactor) shows(s string) bool {
	if len(r.secrets) == 0 {
		return false
	}
	clean := sanitizeText(s, len(s))
	for _, k := range r.secrets {
		if strings.Contains(s, k) || strings.Contains(clean, k) {
			return true
		}
	}
	return false
}

// sanitizeText makes a server-provided text safe to show: invalid UTF-8 and control, format
// (bidi overrides, zero-width) and other invisible characters are dropped or turned into spaces,
// runs of white space collapse to one space, and at most limit runes are kept (more are marked
// with a trailing "…").
func sanitizeText(s string, limit int) string {
	var b strings.Builder
	runes := 0
	space := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError && size <= 1:
			continue
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		case !unicode.IsPrint(r): // controls, bidi overrides, zero-width and private-use runes
			continue
		}
		if runes >= limit {
			b.WriteString("…")
			return b.String()
		}
		if space {
			if runes+1 >= limit {
				b.WriteString("…")
				return b.String()
			}
			b.WriteByte(' ')
			runes++
			space = false
		}
		b.WriteRune(r)
		runes++
	}
	return b.String()
}

// truncateRunes keeps at most n runes of s, marking a cut with "…" (which counts as one).
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 1 {
		return "…"
	}
	i, count := 0, 0
	for i < len(s) && count < n-1 {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		count++
	}
	return s[:i] + "…"
}

// excerptOf returns a short sanitised start of a body for an error: the <title> of an HTML page
// if it has one, else the first characters.
func (r redactor) excerptOf(body []byte) string {
	head := body
	if len(head) > 64<<10 {
		head = head[:64<<10]
	}
	s := string(head)
	if t := htmlTitle(s); t != "" {
		s = t
	}
	return r.clean(s, maxExcerptRunes)
}

func htmlTitle(s string) string {
	// ASCII-only lowering keeps byte offsets: strings.ToLower would turn each invalid UTF-8
	// byte into a 3-byte U+FFFD, and the offsets found in lower would overrun s.
	lower := asciiLower(s)
	i := strings.Index(lower, "<title")
	if i < 0 {
		return ""
	}
	j := strings.Index(lower[i:], ">")
	if j < 0 {
		return ""
	}
	start := i + j + 1
	end := strings.Index(lower[start:], "</title")
	if end < 0 {
		return ""
	}
	return strings.TrimSpace(s[start : start+end])
}

// asciiLower lowers A–Z only, leaving every other byte (and so every offset) as it is.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b)
}

// invalidArg builds a validation error matching ErrInvalidArgument.
func invalidArg(action, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrInvalidArgument, action, fmt.Sprintf(format, args...))
}
