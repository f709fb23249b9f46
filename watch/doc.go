// Package watch is the app's background poller. It follows every order and SMS number of the
// journal that is not finished and checks them on a schedule, within a rate limit, through the
// service layer (account), which stores what changed and announces it. It never imports Fyne.
//
// # Tracking
//
// Orders are polled with status, SMS numbers with sms_status (once first, for the expiry and
// the charge, and once last) and sms_code in between. Something new (placed while running: call
// Kick; or never polled before) is polled at once, then on the Schedule: see DefaultSchedule for
// the intervals. An order stops being tracked at a terminal status, a number once its code came
// (it is closed: the API has one code per number) or after its expiry, when a last sms_code and
// sms_status have been asked (a code that came just before the expiry is still kept).
//
// Watched services and products (a Service that is also a WatchService) are checked with
// inventory every Schedule.Watch, at a low priority: after every order and number that is due,
// and never with the last token of the rate limit, so that they cannot starve them.
//
// One goroutine (Run) schedules everything from two queues: items waiting, by due time, and items
// due, served new ones first, then by deadline (due + interval): of items due together a number
// waiting for its code (3 s) goes before an order polled every 15 minutes, and an order still
// goes before the numbers that fell due after its deadline. Requests go through a global rate
// limit (Options.RatePerSecond, halved by each 429 and recovered slowly) and at most
// Options.MaxInFlight are in flight, each in a short-lived worker.
//
// # Pace
//
// When the open orders and numbers ask for more than the rate allows, the schedule cannot be
// kept: rather than let the shortest intervals take the whole rate (1,000 orders and 50 numbers
// once left each order checked about once an hour instead of every ~8 minutes), every regular
// interval of orders and numbers is stretched by the same factor, worked out again every
// Schedule.Rescan and when the rate changes:
//
//	demand  = Σ 1/interval over the open orders and the numbers waiting for a code
//	budget  = LoadShare·rate − 1/Schedule.Balance   (LoadShare 0.9: room for the rest)
//	stretch = max(1, demand / budget)
//
// so that each order and each number is still checked at its interval times the stretch (with
// the jitter, and a little queueing), the numbers keeping their share of the rate and the orders
// theirs. A larger stretch moves the polls planned later at once; a smaller one applies from the
// next poll of each item (brought forward, they would all fall due together). Watched items are
// not stretched: they only take what is left. Stats (Stretch, OrderEvery, NumberEvery) and the
// service (PaceService: account.Pace, announced as account.KindPace) tell the window, whose
// status bar then says how often an order is checked. Pollers sharing a limiter
// (Options.Limiter) each plan with the whole rate. Errors back an item off exponentially with jitter, never below its regular interval;
// a 429 pauses everything for its Retry-After; consecutive transport failures switch to offline
// (one probe at a time, backing off), and coming back spreads the overdue polls instead of
// sending them at once. After a restart, Run resumes from the journal — including orders and
// numbers of "unconfirmed" journal entries whose id is known (an unconfirmed order whose status
// answers is settled as placed) — scheduling each from when it was last checked.
//
// The poller's own limit is the bound at the server only if the client does not retry behind
// its back: the service layer runs the checks with a client built with ClientOptions (no
// retries, no second limiter).
//
// # What a check does
//
// The poller only schedules. Every check runs through the service layer (account.Service:
// CheckOrder, CheckCode, CheckNumberStatus, FinalLook, CloseNumber, GiveUpNumber,
// RefreshBalance), which stores what the answer brings in one synced transaction, claims the
// events it recorded (synced) and only then hands them to its listeners — the window, the tray,
// and account.Alerts (the clipboard copy, then the notification). "Check now" in the window runs
// the same operations, so an event is announced exactly once whoever found it; see the account
// package for the guarantees across crashes. When Run starts, it has the service announce the
// events stored but never claimed before the app stopped (ReplayPending), once; claims that failed
// are retried from the loop.
//
// # Wiring (main; this package never imports Fyne)
//
//	checks, _ := client.New(append(baseOpts, watch.ClientOptions()...)...) // no hidden retries
//	svc, _ := account.New(account.Params{Store: store, API: api, CheckAPI: checks})
//	alerts := account.NewAlerts(account.AlertParams{Settings: svc.Settings, Notifier: n, Copier: clipboard})
//	svc.Subscribe(func(ev account.Event) { fyne.Do(func() { ui.HandleEvent(ev) }) })
//	svc.Subscribe(alerts.Handle)
//	p := watch.New(svc, watch.Options{Schedule: &schedule})
//	svc.Attach(p) // the service kicks the poller after a purchase
//	go p.Run(ctx)  // ends, with its checks in flight, when ctx is cancelled
package watch
