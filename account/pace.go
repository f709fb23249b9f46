package account

import "time"

// KindPace: the poller's pace changed (Pace): its checks fell behind the schedule, caught up, or
// fell behind by another amount. Not stored.
const KindPace Kind = "pace"

// Pace is how far the poller keeps up with its schedule. When everything tracked asks for more
// checks than the request limit allows, every regular interval of the open orders and numbers is
// stretched by the same factor.
type Pace struct {
	// Stretch is that factor: 1 (or 0, not known yet) on schedule.
	Stretch float64
	// OrderEvery and NumberEvery are the mean intervals between two checks of an open order and
	// of a number at this stretch (0: none open).
	OrderEvery, NumberEvery time.Duration
}

// Slowed reports whether the checks are spaced out beyond the schedule.
func (p Pace) Slowed() bool { return p.Stretch > 1 }

// shown is what the window says of a pace: slowed or not, and, when slowed, its intervals as the
// status bar rounds them (to the minute, or to 5 s below a minute).
func (p Pace) shown() shownPace {
	if !p.Slowed() {
		return shownPace{}
	}
	round := func(d time.Duration) time.Duration {
		if d >= time.Minute {
			return d.Round(time.Minute)
		}
		return d.Round(5 * time.Second)
	}
	return shownPace{slowed: true, order: round(p.OrderEvery), number: round(p.NumberEvery)}
}

type shownPace struct {
	slowed        bool
	order, number time.Duration
}

// Pace is the poller's pace as it last reported it.
func (s *Service) Pace() Pace {
	s.paceMu.Lock()
	defer s.paceMu.Unlock()
	return s.pace
}

// SetPace records the poller's pace. A change of what the window shows (slowed or not, the
// rounded intervals) is announced (KindPace).
func (s *Service) SetPace(p Pace) {
	s.paceMu.Lock()
	old := s.pace
	s.pace = p
	s.paceMu.Unlock()
	if old.shown() == p.shown() {
		return
	}
	s.publish(Event{Kind: KindPace, At: s.clock.Now(), Pace: p})
}
