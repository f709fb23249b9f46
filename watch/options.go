package watch

import (
	"time"

	"golang.org/x/time/rate"

	"github.com/hstockplus/hstockplus/client"
)

// ClientOptions are the options to add to the *client.Client the service layer runs the
// poller's checks with (account.Params.CheckAPI): no retries (the poller backs off per item and
// honours Retry-After itself) and no client-side limiter (the poller has its own), so that the
// poller's rate limit is the bound the server sees.
func ClientOptions() []client.Option {
	return []client.Option{client.WithRetry(1, 0, 0), client.WithRateLimit(0, 1)}
}

// Options configure a Poller. The zero value works (defaults).
type Options struct {
	// Schedule (nil: DefaultSchedule; zero fields: their default).
	Schedule *Schedule
	// RatePerSecond and Burst limit the requests the poller sends (default 4 per second,
	// burst 4); MaxInFlight bounds those in flight at once (default 4).
	RatePerSecond float64
	Burst         int
	MaxInFlight   int
	// Limiter, when set, is the request limit shared with the pollers of the other accounts on
	// the same endpoint (one limit per server); RatePerSecond still sets its rate.
	Limiter *rate.Limiter
	// Share, set beside Limiter, is the demand of the pollers on that endpoint: each plans its
	// polls with the demand of them all (see Share). One per endpoint, as Limiter.
	Share *Share
	// RequestTimeout bounds one request (default 30 s).
	RequestTimeout time.Duration
	// Clock (nil: SystemClock). Give the service layer the same one.
	Clock Clock
	// Logf receives notes and errors (never a secret). Nil discards them.
	Logf func(format string, args ...any)
}

// Defaults of Options.
const (
	DefaultRatePerSecond  = 4.0
	DefaultBurst          = 4
	DefaultMaxInFlight    = 4
	DefaultRequestTimeout = 30 * time.Second
)

// Stats are the poller's counters.
type Stats struct {
	// Orders and Numbers are being tracked; Watched services and products checked.
	Orders, Numbers, Watched int
	InFlight                 int
	// Requests counts the API requests sent since New; Failures those that failed.
	Requests, Failures int64
	Online             bool
	// Unmarked counts events stored but not yet announced (their claim failed: retried).
	Unmarked int
	// Rate is the current request rate limit (per second).
	Rate float64
	// Stretch multiplies the regular intervals of orders and numbers: 1 on schedule, more while
	// they ask for more than LoadShare of Rate (see account.Pace). OrderEvery and NumberEvery
	// are the mean intervals between two checks of an open order and of a number at this
	// stretch (0: none).
	Stretch                 float64
	OrderEvery, NumberEvery time.Duration
}
