package account

import (
	"errors"

	"github.com/hstockplus/hstockplus/cache"
	"github.com/hstockplus/hstockplus/client"
)

// batch is the events of one change (or of the replay), with the deliveries they announce.
type batch struct {
	events   []cache.Event
	fresh    []cache.Delivery
	replayed bool
}

// announce claims a batch of stored events (synced) and only then hands those it claimed to the
// listeners: an event is announced once, by whoever claims it, even if the app is killed while
// the listeners run. If the claim fails the batch is kept and retried (RetryUnannounced); no
// listener sees it before it is claimed.
func (s *Service) announce(b batch) {
	if len(b.events) == 0 {
		return
	}
	s.emitMu.Lock()
	defer s.emitMu.Unlock()
	ids := make([]uint64, len(b.events))
	for i, e := range b.events {
		ids[i] = e.ID
	}
	if h := s.hooks.BeforeClaim; h != nil {
		h(ids)
	}
	claimed, err := s.store.ClaimEvents(ids...)
	if err != nil {
		s.logf("account: claiming events %v: %v", ids, err)
		if !errors.Is(err, cache.ErrClosed) {
			s.pendMu.Lock()
			s.unmarked = append(s.unmarked, b)
			s.pendMu.Unlock()
		}
		return
	}
	if len(claimed) == 0 {
		return
	}
	if h := s.hooks.Claimed; h != nil {
		h(claimed)
	}
	mine := make(map[uint64]bool, len(claimed))
	for _, id := range claimed {
		mine[id] = true
	}
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
	evs := make([]Event, 0, len(claimed))
	for _, ce := range b.events {
		if !mine[ce.ID] {
			continue
		}
		ev := s.build(ce, b, statusOf)
		ev.quiet = ce.Kind == cache.EventOrderStatus && delivered[ce.Order]
		evs = append(evs, ev)
	}
	s.publishLocked(evs...)
}

// ReplayPending announces, once, the events stored but never claimed (the app stopped before
// it could). The poller calls it when it starts, after the listeners subscribed.
func (s *Service) ReplayPending() error {
	evs, err := s.store.PendingEvents()
	if err != nil {
		return err
	}
	// Events waiting for a retried claim in this run are not replayed here.
	s.pendMu.Lock()
	waiting := map[uint64]bool{}
	for _, b := range s.unmarked {
		for _, e := range b.events {
			waiting[e.ID] = true
		}
	}
	s.pendMu.Unlock()
	evs = filterEvents(evs, func(e cache.Event) bool { return !waiting[e.ID] })
	if len(evs) > 0 {
		s.logf("account: %d events stored but not announced before the app stopped: announcing them now", len(evs))
		s.announce(batch{events: evs, replayed: true})
	}
	return nil
}

func filterEvents(evs []cache.Event, keep func(cache.Event) bool) []cache.Event {
	out := evs[:0]
	for _, e := range evs {
		if keep(e) {
			out = append(out, e)
		}
	}
	return out
}

// Unannounced counts the stored events whose claim failed and waits to be retried.
func (s *Service) Unannounced() int {
	s.pendMu.Lock()
	defer s.pendMu.Unlock()
	n := 0
	for _, b := range s.unmarked {
		n += len(b.events)
	}
	return n
}

// RetryUnannounced claims and announces again the batches whose claim failed. It returns how
// many events still wait.
func (s *Service) RetryUnannounced() int {
	s.pendMu.Lock()
	pending := s.unmarked
	s.unmarked = nil
	s.pendMu.Unlock()
	for _, b := range pending {
		s.announce(b)
	}
	return s.Unannounced()
}

// build turns a stored event into the listeners' Event, with the record as it now stands.
func (s *Service) build(ce cache.Event, b batch, statusOf map[int64]string) Event {
	ev := Event{ID: ce.ID, At: ce.At, Order: ce.Order, Status: ce.Status, Count: ce.Count, Replayed: b.replayed}
	switch ce.Kind {
	case cache.EventOrderStatus:
		ev.Kind = KindStatusChanged
		ev.Terminal = client.Status(ce.Status).Terminal()
		s.orderInfo(&ev)
	case cache.EventDelivery:
		ev.Kind = KindDelivered
		ev.Status = statusOf[ce.Order]
		ev.Terminal = client.Status(ev.Status).Terminal()
		ev.Deliveries = s.deliveries(ce, cache.DeliveryAccount, b.fresh)
		s.orderInfo(&ev)
	case cache.EventSMSStatus:
		ev.Kind = KindSMSStatus
		s.smsInfo(&ev)
	case cache.EventSMSCode:
		ev.Kind = KindCodeReceived
		ev.Deliveries = s.deliveries(ce, cache.DeliverySMSCode, b.fresh)
		s.smsInfo(&ev)
	case storeNumberExpired:
		ev.Kind = KindNumberExpired
		s.smsInfo(&ev)
	case storeLowBalance:
		ev.Kind = KindLowBalance
		ev.Balance, ev.Currency, ev.Threshold = ce.Balance, ce.Currency, ce.Threshold
		ev.Status = ""
	case storeWatchStock, storeWatchPrice, storeWatchVariant:
		watchInfo(&ev, ce)
	default:
		ev.Kind = Kind(ce.Kind)
	}
	return ev
}

func (s *Service) orderInfo(ev *Event) {
	if o, err := s.store.Order(ev.Order); err == nil {
		ev.Label = o.Label
		ev.OrderRec = &o
	}
}

func (s *Service) smsInfo(ev *Event) {
	if n, err := s.store.SMSNumber(ev.Order); err == nil {
		ev.Label, ev.Phone = n.Label, n.Phone
		ev.NumberRec = &n
	}
}

// deliveries finds the deliveries an event announces: in the answer's fresh ones, else in the
// vault (a replayed event).
func (s *Service) deliveries(ce cache.Event, kind cache.DeliveryKind, fresh []cache.Delivery) []cache.Delivery {
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
	all, err := s.store.Deliveries(ce.Order)
	if err != nil {
		s.logf("account: reading the vault of order %d: %v", ce.Order, err)
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
