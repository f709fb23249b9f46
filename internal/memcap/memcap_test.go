package memcap

import (
	"runtime/debug"
	"testing"
)

func TestDuringNestsAndRestores(t *testing.T) {
	prev := debug.SetGCPercent(100)
	defer debug.SetGCPercent(prev)
	r1 := During(50)
	if got := Percent(); got != 50 {
		t.Fatalf("while a work runs: %d", got)
	}
	r2 := During(25) // the lower wins while both run
	if got := Percent(); got != 25 {
		t.Errorf("two works: %d", got)
	}
	r3 := During(80) // a higher one changes nothing
	if got := Percent(); got != 25 {
		t.Errorf("a third, higher: %d", got)
	}
	r1()
	r1() // a second call does nothing
	r3()
	if got := Percent(); got != 25 {
		t.Errorf("one still running: %d", got)
	}
	r2()
	if got := Percent(); got != 100 {
		t.Errorf("after all: %d, want 100", got)
	}
	// A lower GOGC, or the collector off, is kept.
	debug.SetGCPercent(10)
	r := During(25)
	if got := Percent(); got != 10 {
		t.Errorf("a lower GOGC replaced: %d", got)
	}
	r()
	debug.SetGCPercent(-1)
	r = During(25)
	if got := Percent(); got != -1 {
		t.Errorf("collector off, then: %d", got)
	}
	r()
	if got := Percent(); got != -1 {
		t.Errorf("collector off, after: %d", got)
	}
}
