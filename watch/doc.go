// Package watch is the app's background poller. It tracks every order and SMS number of the
// journal (cache.Store) that is not finished, asks the API about them, stores what changed, and
// hands the resulting events to the sinks the app injects: listeners (window, tray), a notifier
// and a clipboard. It never imports Fyne; the GUI wraps its callbacks in fyne.Do.
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
// One goroutine (Run) schedules everything from two queues: items waiting, by due time, and items
// due, served new ones first, then by deadline (due + interval) — so that when more is due than
// the rate allows, a number waiting for its code (3 s) goes before an order polled every 15
// minutes, which then runs at most about one interval late. Requests go through a global rate limit (Options.RatePerSecond, halved by each
// 429 and recovered slowly) and at most Options.MaxInFlight are in flight, each in a short-lived
// worker. Errors back an item off exponentially with jitter, never below its regular interval;
// a 429 pauses everything for its Retry-After; consecutive transport failures switch to offline
// (one probe at a time, backing off), and coming back spreads the overdue polls instead of
// sending them at once. After a restart, Run resumes from the journal — including orders and
// numbers of "unconfirmed" journal entries whose id is known (an unconfirmed order whose status
// answers is settled as placed) — scheduling each from when it was last checked.
//
// The poller's own limit is the bound at the server only if the client does not retry behind
// its back: give it a client built with ClientOptions (no retries, no second limiter).
//
// # Events and the guarantees across crashes
//
// What an answer brings is written by the store in one synced transaction: the status, the new
// deliveries into the vault and the events announcing them. Only then is it "notified": the
// poller marks the events notified (synced) and then hands them to the sinks. So:
//
//   - A delivery is never lost: it is in the vault before anybody is told, whatever happens
//     next, and the vault de-duplicates (a delivery seen again after a restart is not new).
//   - A notification is never repeated: an event is marked before any sink sees it, and a marked
//     event is never handed out again. Events stored but not yet marked when the app stopped
//     (PendingEvents) are handed to the sinks once, marked Replayed, when Run starts.
//   - The price of that order: a crash in the instant between the mark and the sinks loses that
//     one notification (at most one batch per crash). Nothing else is lost — the delivery is in
//     the vault and the event in the store's history, where the window shows them.
//
// This is at-most-once notification with replay of everything not yet marked, chosen because
// the issue forbids repeats; the store's own doc describes the opposite order (notify, then
// mark), which would repeat one notification per crash instead.
//
// # Sinks
//
// Listeners (Subscribe) receive every event, on the poller's goroutine, and must not block.
// The Notifier is told about final order statuses, deliveries (a count, never the credentials),
// SMS codes (shown or masked per Settings.ShowCodeInNotification), numbers that expired without
// a code and a balance below Settings.LowBalance. The Clipboard receives a new SMS code
// (Settings.AutoCopyCodes, on by default) and delivered credentials (AutoCopyCredentials, off
// by default) — and whatever the GUI copies with CopySecret; each copied secret is cleared after
// Settings.ClearAfter (30 s) if the clipboard still holds exactly what the app put there.
//
// # Wiring (in the GUI; this package never imports Fyne)
//
//	api, _ := client.New(append(baseOpts, watch.ClientOptions()...)...) // no hidden retries
//	p := watch.New(store, api, watch.Options{
//		Notifier: watch.NotifierFunc(func(title, body string) {
//			fyne.Do(func() { a.SendNotification(fyne.NewNotification(title, body)) })
//		}),
//		Clipboard: watch.SystemClipboard(watch.ClipboardFuncs{ // Fyne's, where atotto has no backend
//			Read:  func() (s string, _ error) { fyne.DoAndWait(func() { s = a.Clipboard().Content() }); return s, nil },
//			Write: func(s string) error { fyne.DoAndWait(func() { a.Clipboard().SetContent(s) }); return nil },
//		}),
//		Settings: &settings, // from the preferences; p.SetSettings when they change
//	})
//	p.Subscribe(func(ev watch.Event) { fyne.Do(func() { ordersTab.Refresh(ev); tray.Update(ev) }) })
//	go p.Run(ctx)   // and p.Kick() after each order or number placed; p.ClearSecret() on quit
package watch
