package watch

import (
	"strings"
	"time"

	"github.com/hstockplus/hstockplus/cache"
	"github.com/hstockplus/hstockplus/client"
)

// replayCopyWithin: a replayed code or credential older than this is not copied to the
// clipboard any more (it would overwrite whatever the user has copied since, for a stale value).
const replayCopyWithin = 2 * time.Minute

// replay hands the events stored but never marked notified (the app stopped before) to the
// sinks, once.
func (l *loop) replay(time.Time) {
	evs, err := l.p.store.PendingEvents()
	if err != nil {
		l.storeFailed("reading the pending events", err)
		return
	}
	if len(evs) > 0 {
		l.p.logf("watch: %d events stored but not notified before the app stopped: notifying them now", len(evs))
		l.deliver(batch{events: evs, replayed: true})
	}
}

// deliver marks a batch of stored events notified (synced) and only then hands them to the
// sinks: a notification is never repeated, even if the app is killed during the sinks. If the
// mark fails the batch is kept and retried; no sink sees it before it is marked.
func (l *loop) deliver(b batch) {
	ids := make([]uint64, len(b.events))
	for i, e := range b.events {
		ids[i] = e.ID
	}
	if h := l.p.hooks.beforeMark; h != nil {
		h(ids)
	}
	if err := l.p.store.MarkNotified(ids...); err != nil {
		l.storeFailed("marking events notified", err)
		if l.fatal == nil {
			l.unmarked = append(l.unmarked, b)
		}
		return
	}
	if h := l.p.hooks.marked; h != nil {
		h(ids)
	}
	settings := l.p.Settings()
	now := l.now()
	// An order whose status changes with a delivery gets one notification: the delivery's,
	// which says the status.
	statusOf := map[int64]string{}
	delivered := map[int64]bool{}
	for _, e := range b.events {
		switch e.Kind {
		case cache.EventOrderStatus:
			statusOf[e.Order] = e.Status
		case cache.EventDelivery:
			delivered[e.Order] = true
		}
	}
	for _, ce := range b.events {
		ev := l.build(ce, b, statusOf)
		quiet := ce.Kind == cache.EventOrderStatus && delivered[ce.Order]
		l.sink(ev, settings, now, quiet)
	}
}

// build turns a stored event into the listeners' Event.
func (l *loop) build(ce cache.Event, b batch, statusOf map[int64]string) Event {
	ev := Event{ID: ce.ID, At: ce.At, Order: ce.Order, Status: ce.Status, Count: ce.Count, Replayed: b.replayed}
	switch ce.Kind {
	case cache.EventOrderStatus:
		ev.Kind = KindStatusChanged
		ev.Terminal = client.Status(ce.Status).Terminal()
		l.orderInfo(&ev)
	case cache.EventDelivery:
		ev.Kind = KindDelivered
		ev.Status = statusOf[ce.Order]
		ev.Terminal = client.Status(ev.Status).Terminal()
		ev.Deliveries = l.deliveries(ce, cache.DeliveryAccount, b.fresh)
		l.orderInfo(&ev)
	case cache.EventSMSStatus:
		ev.Kind = KindSMSStatus
		l.smsInfo(&ev)
	case cache.EventSMSCode:
		ev.Kind = KindCodeReceived
		ev.Deliveries = l.deliveries(ce, cache.DeliverySMSCode, b.fresh)
		l.smsInfo(&ev)
	case storeNumberExpired:
		ev.Kind = KindNumberExpired
		l.smsInfo(&ev)
	case storeLowBalance:
		ev.Kind = KindLowBalance
		f := strings.Fields(ce.Text)
		if len(f) > 0 {
			if d, err := client.ParseDecimal(f[0]); err == nil {
				ev.Balance = d
			}
		}
		if len(f) > 1 {
			ev.Currency = f[1]
		}
		if d, err := client.ParseDecimal(ce.Status); err == nil {
			ev.Threshold = d
		}
		ev.Status = ""
	default:
		ev.Kind = Kind(ce.Kind)
	}
	return ev
}

func (l *loop) orderInfo(ev *Event) {
	if o, err := l.p.store.Order(ev.Order); err == nil {
		ev.Label = o.Label
	}
}

func (l *loop) smsInfo(ev *Event) {
	if n, err := l.p.store.SMSNumber(ev.Order); err == nil {
		ev.Label, ev.Phone = n.Label, n.Phone
	}
}

// deliveries finds the deliveries an event announces: in the answer's fresh ones, else in the
// vault (a replayed event).
func (l *loop) deliveries(ce cache.Event, kind cache.DeliveryKind, fresh []cache.Delivery) []cache.Delivery {
	n := max(ce.Count, 1)
	in := func(d cache.Delivery) bool {
		return d.Order == ce.Order && d.Kind == kind && d.Seq >= ce.FirstSeq && d.Seq < ce.FirstSeq+uint32(n)
	}
	var out []cache.Delivery
	for _, d := range fresh {
		if in(d) {
			out = append(out, d)
		}
	}
	if len(out) == n {
		return out
	}
	all, err := l.p.store.Deliveries(ce.Order)
	if err != nil {
		l.p.logf("watch: reading the vault of order %d: %v", ce.Order, err)
		return out
	}
	out = out[:0]
	for _, d := range all {
		if in(d) {
			out = append(out, d)
		}
	}
	return out
}

// sink hands one marked event to the listeners, the notifier and the clipboard, in that order.
func (l *loop) sink(ev Event, settings Settings, now time.Time, quiet bool) {
	notify := false
	switch ev.Kind {
	case KindStatusChanged:
		notify = (ev.Terminal || settings.NotifyAllStatuses) && !quiet
	case KindDelivered, KindCodeReceived, KindNumberExpired, KindLowBalance:
		notify = true
	}
	var secret string
	recent := !ev.Replayed || now.Sub(ev.At) <= replayCopyWithin
	switch {
	case !recent || len(ev.Deliveries) == 0:
	case ev.Kind == KindCodeReceived && settings.AutoCopyCodes:
		secret = ev.Deliveries[len(ev.Deliveries)-1].Value
	case ev.Kind == KindDelivered && settings.AutoCopyCredentials:
		vals := make([]string, len(ev.Deliveries))
		for i, d := range ev.Deliveries {
			vals[i] = d.Value
		}
		secret = strings.Join(vals, "\n")
	}
	ev.Copied = secret != "" && l.p.clip.cb != nil
	var title, body string
	if notify && l.p.opts.Notifier != nil {
		// The formatter never sees credentials, and sees the code only if it is to be shown.
		fe := ev
		fe.Deliveries = nil
		if ev.Kind == KindCodeReceived && settings.ShowCodeInNotification {
			fe.Deliveries = ev.Deliveries
		}
		title, body = l.format(fe)
		ev.Notified = title != ""
	}
	l.p.emit(ev)
	if ev.Notified {
		func() {
			defer func() {
				if r := recover(); r != nil {
					l.p.logf("watch: the notifier panicked on %v: %v", ev, r)
				}
			}()
			l.p.opts.Notifier.Notify(title, body)
		}()
	}
	if ev.Copied {
		l.p.clip.copyAsync(secret, settings.ClearAfter, nil)
	}
}

func (l *loop) format(ev Event) (title, body string) {
	defer func() {
		if r := recover(); r != nil {
			l.p.logf("watch: the notification formatter panicked on %v: %v", ev, r)
			title, body = DefaultText(ev)
		}
	}()
	return l.p.opts.Format(ev)
}
