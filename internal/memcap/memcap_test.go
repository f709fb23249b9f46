package memcap

import (
	"math"
	"runtime/debug"
	"testing"
)

func TestBoundNestsAndRestores(t *testing.T) {
	prev := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(prev)
	debug.SetMemoryLimit(math.MaxInt64)
	r1 := Bound(64 << 20)
	l1 := Limit()
	if l1 == math.MaxInt64 || l1 < 64<<20 {
		t.Fatalf("limit while bound: %d", l1)
	}
	r2 := Bound(256 << 20) // the higher headroom wins while both run
	if l2 := Limit(); l2 <= l1 {
		t.Errorf("second bound: %d, not above %d", l2, l1)
	}
	r1()
	r1() // a second call does nothing
	if Limit() == math.MaxInt64 {
		t.Error("limit lifted while a bound is still active")
	}
	r2()
	if got := Limit(); got != math.MaxInt64 {
		t.Errorf("after both: %d, want no limit", got)
	}
	// A limit set lower by the user (GOMEMLIMIT) is kept.
	debug.SetMemoryLimit(8 << 20)
	r := Bound(1 << 30)
	if got := Limit(); got != 8<<20 {
		t.Errorf("user's lower limit replaced: %d", got)
	}
	r()
	if got := Limit(); got != 8<<20 {
		t.Errorf("user's limit not restored: %d", got)
	}
}
