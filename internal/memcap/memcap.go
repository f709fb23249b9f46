// Package memcap bounds how far the Go heap grows during one large piece of work: a catalogue
// download, its saving and its indexing allocate about three times what they keep, and the
// collector, left alone, lets garbage pile up until the heap has doubled (GOGC=100) — over 100 MB
// above what the app holds at 100,000 rows. During such work the collector is given a soft
// memory limit (runtime/debug.SetMemoryLimit) of what the process uses when the work begins plus
// a headroom, so that garbage is collected as it is made. The limit is soft: the runtime may pass
// it rather than spend more than about half the CPU collecting. Works that overlap share one
// limit (the highest asked); the limit before comes back when the last one ends.
package memcap

import (
	"runtime"
	"runtime/debug"
	"sync"
)

var (
	mu     sync.Mutex
	active int
	before int64 // the limit before the first of the active works
	limit  int64 // the limit set
)

// Bound bounds the heap to what the process uses now plus headroom bytes until release is
// called (once; later calls do nothing).
func Bound(headroom int64) (release func()) {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	want := int64(m.Sys-m.HeapReleased) + headroom
	mu.Lock()
	if active == 0 {
		before = debug.SetMemoryLimit(-1)
		limit = 0
	}
	active++
	if want > limit {
		limit = want
		if limit < before {
			debug.SetMemoryLimit(limit)
		}
	}
	mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			mu.Lock()
			defer mu.Unlock()
			if active--; active == 0 {
				debug.SetMemoryLimit(before)
			}
		})
	}
}

// Limit is the soft memory limit now (math.MaxInt64: none).
func Limit() int64 { return debug.SetMemoryLimit(-1) }
