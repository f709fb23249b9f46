// Package memcap bounds the garbage a large piece of work leaves between two collections: a
// catalogue download, its saving and its indexing allocate about three times what they keep,
// and the collector, left at GOGC=100, lets the garbage pile up until the heap has doubled —
// +144 MiB above what the app holds at 100,000 rows. During such work the collector runs when
// the heap has grown by percent of what was live at the last collection (runtime/debug.
// SetGCPercent), so the garbage stays a fraction of the live heap at any catalogue size (a soft
// memory limit of a fixed headroom made the collector run without end at 300,000 rows, whose
// rows alone pass it). Works that overlap share the lowest percent asked; the setting before
// comes back when the last one ends. A GOGC lower than percent, or off, is kept.
package memcap

import (
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

var (
	mu      sync.Mutex
	active  int
	before  int // the percent before the first of the active works
	current int // the percent set
)

// During makes the collector run once the heap has grown by percent of the live heap until
// release is called (once; later calls do nothing).
func During(percent int) (release func()) {
	mu.Lock()
	if active == 0 {
		before = Percent()
		current = before
	}
	active++
	if before >= 0 && percent < current {
		current = percent
		debug.SetGCPercent(current)
	}
	mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			mu.Lock()
			defer mu.Unlock()
			if active--; active == 0 {
				debug.SetGCPercent(before)
			}
		})
	}
}

// Percent is the collector's percent now (negative: off), read without setting it.
func Percent() int {
	m := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(m)
	if m[0].Value.Kind() != metrics.KindUint64 {
		return 100 // not reported: the default
	}
	return int(int64(m[0].Value.Uint64())) // off (-1) comes as its two's complement
}
