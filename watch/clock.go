package watch

import "github.com/hstockplus/hstockplus/account"

// Clock is the poller's source of time (the service layer's): the schedule and the expiry
// decisions read it. The default is the system clock; tests inject a fake one.
type Clock = account.Clock

// SystemClock is the real clock.
type SystemClock = account.SystemClock
