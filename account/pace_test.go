package account

import (
	"testing"
	"time"
)

// TestSetPaceAnnouncesWhatTheWindowShows: the pace is announced when the checks fall behind,
// when what the status bar says of them changes (minutes, or 5 s below a minute), and when they
// catch up — not on every small change, nor while on schedule.
func TestSetPaceAnnouncesWhatTheWindowShows(t *testing.T) {
	clk := newFakeClock()
	svc := newService(t, memStore(t, clk), &fakeAPI{}, clk, nil)
	rec := record(svc)
	if p := svc.Pace(); p.Slowed() {
		t.Fatalf("a new service's pace %+v", p)
	}
	svc.SetPace(Pace{Stretch: 1, OrderEvery: 8 * time.Minute, NumberEvery: 10 * time.Second}) // on schedule
	svc.SetPace(Pace{Stretch: 1, OrderEvery: 9 * time.Minute, NumberEvery: 10 * time.Second})
	slowed := Pace{Stretch: 1.5, OrderEvery: 12 * time.Minute, NumberEvery: 15 * time.Second}
	svc.SetPace(slowed)                                                                                          // announced
	svc.SetPace(Pace{Stretch: 1.51, OrderEvery: 12*time.Minute + 20*time.Second, NumberEvery: 16 * time.Second}) // shown alike
	svc.SetPace(Pace{Stretch: 1.6, OrderEvery: 13 * time.Minute, NumberEvery: 16 * time.Second})                 // announced
	svc.SetPace(Pace{Stretch: 1})                                                                                // announced
	svc.SetPace(Pace{Stretch: 1, OrderEvery: 5 * time.Minute})
	evs := rec.all()
	if len(evs) != 3 || evs[0].Kind != KindPace || evs[0].Pace != slowed || evs[1].Pace.OrderEvery != 13*time.Minute || evs[2].Pace.Slowed() || evs[0].Stored() {
		t.Fatalf("events = %v, want the slowed pace, its new interval, and on schedule", evs)
	}
	if p := svc.Pace(); p.Slowed() || p.OrderEvery != 5*time.Minute {
		t.Errorf("pace %+v: want the last one set", p)
	}
}
