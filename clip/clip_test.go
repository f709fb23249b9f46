package clip

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// board is the one clipboard of the desktop, which both backends reach.
type board struct {
	mu    sync.Mutex
	value string
	log   []string // "<backend> write <value>", "<backend> read"
}

func (b *board) get() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.value
}

// userCopies is another program taking the clipboard.
func (b *board) userCopies(v string) {
	b.mu.Lock()
	b.value = v
	b.mu.Unlock()
}

func (b *board) calls() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.log...)
}

func (b *board) callsOf(name string) []string {
	var out []string
	for _, c := range b.calls() {
		if strings.HasPrefix(c, name+" ") {
			out = append(out, c)
		}
	}
	return out
}

// fakeBackend is one way to the board, which can be made to fail.
type fakeBackend struct {
	name string
	b    *board

	mu                  sync.Mutex
	failWrite, failRead bool
}

func (f *fakeBackend) fail(write, read bool) {
	f.mu.Lock()
	f.failWrite, f.failRead = write, read
	f.mu.Unlock()
}

func (f *fakeBackend) ReadAll() (string, error) {
	f.mu.Lock()
	fail := f.failRead
	f.mu.Unlock()
	f.b.mu.Lock()
	defer f.b.mu.Unlock()
	f.b.log = append(f.b.log, f.name+" read")
	if fail {
		return "", errors.New(f.name + ": cannot read")
	}
	return f.b.value, nil
}

func (f *fakeBackend) WriteAll(v string) error {
	f.mu.Lock()
	fail := f.failWrite
	f.mu.Unlock()
	f.b.mu.Lock()
	defer f.b.mu.Unlock()
	f.b.log = append(f.b.log, f.name+" write "+v)
	if fail {
		return errors.New(f.name + ": cannot write")
	}
	f.b.value = v
	return nil
}

// timers is an AfterFunc whose timers the test fires by hand.
type timers struct {
	mu sync.Mutex
	ts []*timer
}

type timer struct {
	d       time.Duration
	f       func()
	stopped bool
	fired   bool
}

func (tm *timers) AfterFunc(d time.Duration, f func()) func() bool {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	t := &timer{d: d, f: f}
	tm.ts = append(tm.ts, t)
	return func() bool {
		tm.mu.Lock()
		defer tm.mu.Unlock()
		was := !t.stopped && !t.fired
		t.stopped = true
		return was
	}
}

func (tm *timers) get(t *testing.T, i int) *timer {
	t.Helper()
	tm.mu.Lock()
	defer tm.mu.Unlock()
	if i >= len(tm.ts) {
		t.Fatalf("timer %d was never started (%d started)", i, len(tm.ts))
	}
	return tm.ts[i]
}

func (tm *timers) count() int {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return len(tm.ts)
}

// fire runs timer i as the clock would: only if it was not stopped.
func (tm *timers) fire(t *testing.T, i int) {
	t.Helper()
	tmr := tm.get(t, i)
	tm.mu.Lock()
	run := !tmr.stopped && !tmr.fired
	tmr.fired = true
	tm.mu.Unlock()
	if run {
		tmr.f()
	}
}

// fireLate runs timer i's function even though it was stopped: the timer had already fired
// when stop was called (time.Timer.Stop returned false).
func (tm *timers) fireLate(t *testing.T, i int) {
	t.Helper()
	tm.get(t, i).f()
}

func (tm *timers) stopped(t *testing.T, i int) bool {
	t.Helper()
	tmr := tm.get(t, i)
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tmr.stopped
}

type env struct {
	b       *board
	sys, ui *fakeBackend
	tm      *timers
	s       *Service
}

const clearAfter = 45 * time.Second

func newEnv(t *testing.T) *env {
	t.Helper()
	b := &board{}
	e := &env{b: b, sys: &fakeBackend{name: "system", b: b}, ui: &fakeBackend{name: "ui", b: b}, tm: &timers{}}
	e.s = New(Params{System: e.sys, UI: e.ui, ClearAfter: clearAfter, AfterFunc: e.tm.AfterFunc, Logf: t.Logf})
	return e
}

// TestCopySecretWritesThroughSystem: the system clipboard takes the copy; the UI's is not used;
// a clear is scheduled after ClearAfter.
func TestCopySecretWritesThroughSystem(t *testing.T) {
	e := newEnv(t)
	if err := e.s.CopySecret("123456"); err != nil {
		t.Fatal(err)
	}
	if e.b.get() != "123456" {
		t.Fatalf("clipboard = %q", e.b.get())
	}
	if c := e.b.calls(); !slices.Equal(c, []string{"system write 123456"}) {
		t.Fatalf("calls = %q", c)
	}
	if e.tm.count() != 1 || e.tm.get(t, 0).d != clearAfter {
		t.Fatalf("timers = %d", e.tm.count())
	}
}

// TestCopyFallsBackToUI: when the system clipboard fails, the UI's takes the copy.
func TestCopyFallsBackToUI(t *testing.T) {
	e := newEnv(t)
	e.sys.fail(true, false)
	if err := e.s.CopySecret("654321"); err != nil {
		t.Fatal(err)
	}
	if e.b.get() != "654321" {
		t.Fatalf("clipboard = %q", e.b.get())
	}
	if c := e.b.calls(); !slices.Equal(c, []string{"system write 654321", "ui write 654321"}) {
		t.Fatalf("calls = %q", c)
	}
	if e.tm.count() != 1 {
		t.Fatal("no clear scheduled after a copy through the UI")
	}
}

// TestCopyFailsWhenBothFail: an error, nothing scheduled, and nothing to clear later.
func TestCopyFailsWhenBothFail(t *testing.T) {
	e := newEnv(t)
	e.sys.fail(true, false)
	e.ui.fail(true, false)
	if err := e.s.CopySecret("000111"); err == nil {
		t.Fatal("no error when neither clipboard took the copy")
	}
	if e.tm.count() != 0 {
		t.Fatal("a clear was scheduled for a copy that failed")
	}
	e.sys.fail(false, false)
	e.ui.fail(false, false)
	e.b.userCopies("000111") // the user happens to have copied the same text
	n := len(e.b.calls())
	e.s.Close()
	if e.b.get() != "000111" || len(e.b.calls()) != n {
		t.Fatalf("Close cleared a value the service never put there: %q", e.b.calls()[n:])
	}

	for _, p := range []Params{{}, {System: nil, UI: nil}} {
		if err := New(p).CopySecret("x"); !errors.Is(err, ErrNoClipboard) {
			t.Fatalf("no clipboard at all: %v", err)
		}
	}
	if err := newEnv(t).s.CopySecret(""); err == nil {
		t.Fatal("copying nothing worked")
	}
}

// TestTimerClearsOnlyOurValue: the timer clears the clipboard through the UI when it still holds
// the secret, and leaves alone what the user copied since.
func TestTimerClearsOnlyOurValue(t *testing.T) {
	e := newEnv(t)
	if err := e.s.CopySecret("secret-1"); err != nil {
		t.Fatal(err)
	}
	n := len(e.b.calls())
	e.tm.fire(t, 0)
	if e.b.get() != "" {
		t.Fatalf("clipboard after the timer = %q", e.b.get())
	}
	if c := e.b.calls()[n:]; !slices.Equal(c, []string{"system read", "ui write "}) {
		t.Fatalf("clear calls = %q, want a read then the UI taking the clipboard back", c)
	}

	if err := e.s.CopySecret("secret-2"); err != nil {
		t.Fatal(err)
	}
	e.b.userCopies("the user's own text")
	n = len(e.b.calls())
	e.tm.fire(t, 1)
	if e.b.get() != "the user's own text" {
		t.Fatalf("the timer overwrote the user's copy: %q", e.b.get())
	}
	for _, c := range e.b.calls()[n:] {
		if strings.Contains(c, "write") {
			t.Fatalf("the timer wrote %q over the user's copy", c)
		}
	}
	// Nor does Close touch it afterwards.
	e.s.Close()
	if e.b.get() != "the user's own text" {
		t.Fatalf("Close overwrote the user's copy: %q", e.b.get())
	}
}

// TestSecondCopyCancelsFirstTimer: a new copy stops the first copy's timer, and a first timer
// that fired anyway does not clear the second value.
func TestSecondCopyCancelsFirstTimer(t *testing.T) {
	e := newEnv(t)
	if err := e.s.CopySecret("first"); err != nil {
		t.Fatal(err)
	}
	if err := e.s.CopySecret("second"); err != nil {
		t.Fatal(err)
	}
	if !e.tm.stopped(t, 0) {
		t.Fatal("the first copy's timer was not stopped")
	}
	if e.tm.stopped(t, 1) {
		t.Fatal("the second copy's timer was stopped")
	}
	e.tm.fireLate(t, 0)
	if e.b.get() != "second" {
		t.Fatalf("the first timer cleared the second copy: %q", e.b.get())
	}
	e.tm.fire(t, 1)
	if e.b.get() != "" {
		t.Fatalf("the second timer left %q", e.b.get())
	}
}

// TestClearFallsBackToSystem: when the UI cannot take the clipboard back, "" is written to the
// system one.
func TestClearFallsBackToSystem(t *testing.T) {
	e := newEnv(t)
	if err := e.s.CopySecret("abc"); err != nil {
		t.Fatal(err)
	}
	e.ui.fail(true, false)
	n := len(e.b.calls())
	e.tm.fire(t, 0)
	if e.b.get() != "" {
		t.Fatalf("clipboard = %q", e.b.get())
	}
	if c := e.b.calls()[n:]; !slices.Equal(c, []string{"system read", "ui write ", "system write "}) {
		t.Fatalf("clear calls = %q", c)
	}
}

// TestClearWhenUnreadable: a clipboard that cannot be read is cleared all the same.
func TestClearWhenUnreadable(t *testing.T) {
	e := newEnv(t)
	if err := e.s.CopySecret("abc"); err != nil {
		t.Fatal(err)
	}
	e.sys.fail(false, true)
	e.ui.fail(false, true)
	e.tm.fire(t, 0)
	if e.b.get() != "" {
		t.Fatalf("clipboard = %q", e.b.get())
	}
}

// TestClose: Close clears the secret still held, stops the timer, and refuses later copies; a
// timer that fires after Close does nothing.
func TestClose(t *testing.T) {
	e := newEnv(t)
	if err := e.s.CopySecret("s3cret"); err != nil {
		t.Fatal(err)
	}
	e.s.Close()
	if e.b.get() != "" {
		t.Fatalf("clipboard after Close = %q", e.b.get())
	}
	if uiw := e.b.callsOf("ui"); !slices.Equal(uiw, []string{"ui write "}) {
		t.Fatalf("UI calls = %q, want it to take the clipboard back", uiw)
	}
	if !e.tm.stopped(t, 0) {
		t.Fatal("Close did not stop the timer")
	}
	if err := e.s.CopySecret("later"); !errors.Is(err, ErrClosed) {
		t.Fatalf("copy after Close = %v, want ErrClosed", err)
	}
	if err := e.s.Copy("later"); !errors.Is(err, ErrClosed) {
		t.Fatalf("Copy after Close = %v, want ErrClosed", err)
	}
	e.b.userCopies("mine")
	n := len(e.b.calls())
	e.tm.fireLate(t, 0)
	if e.b.get() != "mine" || len(e.b.calls()) != n {
		t.Fatalf("a late timer acted after Close: %q", e.b.calls()[n:])
	}
	e.s.Close() // twice is harmless
	if e.b.get() != "mine" {
		t.Fatal("a second Close cleared the user's copy")
	}
}

// TestPlainCopy: Copy schedules no clear, but Close still takes back what it put there.
func TestPlainCopy(t *testing.T) {
	e := newEnv(t)
	if err := e.s.Copy("order 42"); err != nil {
		t.Fatal(err)
	}
	if e.tm.count() != 0 {
		t.Fatal("a plain copy scheduled a clear")
	}
	e.s.Close()
	if e.b.get() != "" {
		t.Fatalf("clipboard after Close = %q", e.b.get())
	}
}

// TestSetClearAfter: zero means no timer; a new delay applies from the next copy.
func TestSetClearAfter(t *testing.T) {
	e := newEnv(t)
	e.s.SetClearAfter(0)
	if err := e.s.CopySecret("a"); err != nil {
		t.Fatal(err)
	}
	if e.tm.count() != 0 {
		t.Fatal("a timer with ClearAfter 0")
	}
	e.s.SetClearAfter(time.Minute)
	if err := e.s.CopySecret("b"); err != nil {
		t.Fatal(err)
	}
	if e.tm.count() != 1 || e.tm.get(t, 0).d != time.Minute {
		t.Fatalf("timers = %d", e.tm.count())
	}
}

// TestClearNow clears at once and stops the timer.
func TestClearNow(t *testing.T) {
	e := newEnv(t)
	if err := e.s.CopySecret("a"); err != nil {
		t.Fatal(err)
	}
	e.s.ClearNow()
	if e.b.get() != "" || !e.tm.stopped(t, 0) {
		t.Fatalf("after ClearNow: %q, timer stopped %v", e.b.get(), e.tm.stopped(t, 0))
	}
	if err := e.s.CopySecret("b"); err != nil {
		t.Fatal("ClearNow closed the service:", err)
	}
}

// TestDetachUI: once the UI is gone its clipboard is never touched again: not to copy, read or
// clear.
func TestDetachUI(t *testing.T) {
	e := newEnv(t)
	e.s.DetachUI()
	e.sys.fail(true, false)
	if err := e.s.CopySecret("x"); err == nil {
		t.Fatal("copied with the system clipboard failing and the UI detached")
	}
	e.sys.fail(false, false)
	if err := e.s.CopySecret("y"); err != nil {
		t.Fatal(err)
	}
	e.tm.fire(t, 0)
	if err := e.s.CopySecret("z"); err != nil {
		t.Fatal(err)
	}
	e.s.Close()
	if e.b.get() != "" {
		t.Fatalf("clipboard = %q", e.b.get())
	}
	if c := e.b.callsOf("ui"); len(c) != 0 {
		t.Fatalf("UI touched after DetachUI: %q", c)
	}
}

// TestFuncs: the adapter calls its functions, and fails without them.
func TestFuncs(t *testing.T) {
	var got string
	f := Funcs{Read: func() (string, error) { return "r", nil }, Write: func(s string) error { got = s; return nil }}
	if v, err := f.ReadAll(); v != "r" || err != nil {
		t.Fatal(v, err)
	}
	if err := f.WriteAll("w"); err != nil || got != "w" {
		t.Fatal(got, err)
	}
	if _, err := (Funcs{}).ReadAll(); !errors.Is(err, ErrNoClipboard) {
		t.Fatal(err)
	}
	if err := (Funcs{}).WriteAll("x"); !errors.Is(err, ErrNoClipboard) {
		t.Fatal(err)
	}
}
