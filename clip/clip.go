// Package clip is the app's clipboard service: it copies text, clears a copied secret after a
// delay if the clipboard still holds it, clears what it copied when the app quits, and reports
// a copy as done only when it worked.
//
// The system clipboard is written through github.com/atotto/clipboard, which reaches the OS
// clipboard from any goroutine on every platform (on Linux through xclip, xsel or wl-clipboard).
// On X11 those helpers keep a process alive that serves the copied text until another program
// takes the clipboard. So the service takes it back through the GUI toolkit's own clipboard
// (Params.UI) whenever it clears: the helper then exits, and when the app quits nothing of it —
// neither the text nor the process — is left behind. Where atotto has no backend or fails, the
// GUI toolkit's clipboard is used for the copy as well.
package clip

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/atotto/clipboard"
)

// Backend is a text clipboard.
type Backend interface {
	ReadAll() (string, error)
	WriteAll(text string) error
}

// Funcs adapts two functions to Backend. A nil function fails with ErrNoClipboard.
type Funcs struct {
	Read  func() (string, error)
	Write func(string) error
}

// ReadAll calls Read.
func (f Funcs) ReadAll() (string, error) {
	if f.Read == nil {
		return "", ErrNoClipboard
	}
	return f.Read()
}

// WriteAll calls Write.
func (f Funcs) WriteAll(s string) error {
	if f.Write == nil {
		return ErrNoClipboard
	}
	return f.Write(s)
}

// Errors.
var (
	ErrNoClipboard = errors.New("clip: no clipboard available")
	ErrClosed      = errors.New("clip: the clipboard service is closed")
)

// System is the OS clipboard through atotto, or nil where atotto has no backend (Linux without
// xclip, xsel or wl-clipboard).
func System() Backend {
	if clipboard.Unsupported {
		return nil
	}
	return Funcs{Read: clipboard.ReadAll, Write: clipboard.WriteAll}
}

// Params configure a Service.
type Params struct {
	// System is the writer (System(), nil: none).
	System Backend
	// UI is the GUI toolkit's clipboard, callable from any goroutine but the UI's (Fyne's reached
	// through fyne.DoAndWait). It takes the clipboard back when clearing, and copies where System
	// cannot. Nil: none.
	UI Backend
	// ClearAfter: a copied secret is cleared this long after the copy if the clipboard still
	// holds it (0 or less: only when the app quits).
	ClearAfter time.Duration
	// Release empties the system clipboard without leaving a process to serve it (nil: none;
	// see HelperRelease). Clearing uses it when the UI's clipboard is gone, before writing "".
	Release func() error
	// AfterFunc runs f after d unless stopped (nil: time.AfterFunc).
	AfterFunc func(d time.Duration, f func()) (stop func() bool)
	Logf      func(format string, args ...any)
}

// Service is the clipboard service. Its methods block on the clipboard: call them off the UI
// goroutine.
type Service struct {
	p Params

	mu         sync.Mutex
	value      string // what the service last put there and has not cleared ("": nothing)
	gen        uint64 // counts copies; a clear timer acts only for the latest
	stop       func() bool
	clearAfter time.Duration
	closed     bool

	uiGone atomic.Bool // the UI's event loop has ended: its clipboard is not called any more
}

// New makes the clipboard service.
func New(p Params) *Service {
	if p.AfterFunc == nil {
		p.AfterFunc = func(d time.Duration, f func()) func() bool { return time.AfterFunc(d, f).Stop }
	}
	if p.Logf == nil {
		p.Logf = func(string, ...any) {}
	}
	return &Service{p: p, clearAfter: p.ClearAfter}
}

// SetClearAfter changes the delay after which a copied secret is cleared (from the next copy).
func (s *Service) SetClearAfter(d time.Duration) {
	s.mu.Lock()
	s.clearAfter = d
	s.mu.Unlock()
}

// Copy puts text on the clipboard; it is cleared when the app quits if still there. It returns
// an error when neither clipboard took it.
func (s *Service) Copy(text string) error { return s.copy(text, false) }

// CopySecret puts a code or a credential on the clipboard and clears it after the delay if the
// clipboard still holds it then (and when the app quits). It returns an error when neither
// clipboard took it: the caller then must not say "Copied".
func (s *Service) CopySecret(value string) error { return s.copy(value, true) }

func (s *Service) copy(value string, secret bool) error {
	if value == "" {
		return errors.New("clip: nothing to copy")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	if err := s.write(value); err != nil {
		return err
	}
	s.gen++
	gen := s.gen
	s.value = value
	if s.stop != nil {
		s.stop()
		s.stop = nil
	}
	if secret && s.clearAfter > 0 {
		s.stop = s.p.AfterFunc(s.clearAfter, func() { s.clearIf(gen) })
	}
	return nil
}

// write puts value on the system clipboard, else on the UI's.
func (s *Service) write(value string) error {
	var errs []error
	if s.p.System != nil {
		err := s.p.System.WriteAll(value)
		if err == nil {
			return nil
		}
		errs = append(errs, err)
	}
	if s.p.UI != nil && !s.uiGone.Load() {
		err := s.p.UI.WriteAll(value)
		if err == nil {
			return nil
		}
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		return ErrNoClipboard
	}
	return errors.Join(errs...)
}

// read is what the clipboard holds now.
func (s *Service) read() (string, error) {
	var errs []error
	if s.p.System != nil {
		v, err := s.p.System.ReadAll()
		if err == nil {
			return v, nil
		}
		errs = append(errs, err)
	}
	if s.p.UI != nil && !s.uiGone.Load() {
		v, err := s.p.UI.ReadAll()
		if err == nil {
			return v, nil
		}
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		return "", ErrNoClipboard
	}
	return "", errors.Join(errs...)
}

// clearIf clears the clipboard if copy number gen is still the latest and still there.
func (s *Service) clearIf(gen uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if gen != s.gen || s.closed {
		return
	}
	s.stop = nil
	s.clearLocked()
}

// clearLocked empties the clipboard if it still holds what the service put there: through the
// UI's clipboard first (it takes the clipboard back from a helper process, which then exits),
// else by writing "" to the system one.
func (s *Service) clearLocked() {
	if s.value == "" {
		return
	}
	cur, err := s.read()
	if err != nil {
		// Unreadable: clear it all the same rather than leave a secret there.
		s.p.Logf("clip: cannot read the clipboard to clear it: %v", err)
	} else if cur != s.value {
		s.value = "" // the user copied something else since: leave it
		return
	}
	cleared := false
	if s.p.UI != nil && !s.uiGone.Load() {
		if err := s.p.UI.WriteAll(""); err == nil {
			cleared = true
		} else {
			s.p.Logf("clip: clearing through the window: %v", err)
		}
	}
	if !cleared && s.p.Release != nil {
		if err := s.p.Release(); err == nil {
			cleared = true
		} else {
			s.p.Logf("clip: releasing the clipboard: %v", err)
		}
	}
	if !cleared && s.p.System != nil {
		if err := s.p.System.WriteAll(""); err != nil {
			s.p.Logf("clip: clearing: %v", err)
			return
		}
	}
	s.value = ""
}

// ClearNow clears what the service copied, now, if the clipboard still holds it.
func (s *Service) ClearNow() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stop != nil {
		s.stop()
		s.stop = nil
	}
	s.clearLocked()
}

// ClearThrough clears what the service copied, now, through b if the clipboard still holds it:
// for the UI goroutine as the window closes, with the toolkit's clipboard called directly (the
// UI backend of Params must not be used from that goroutine). It gives up, reporting false,
// when a copy is under way (it may be waiting for this very goroutine); Close clears later.
func (s *Service) ClearThrough(b Backend) bool {
	if !s.mu.TryLock() {
		return false
	}
	defer s.mu.Unlock()
	if s.stop != nil {
		s.stop()
		s.stop = nil
	}
	if s.value == "" {
		return true
	}
	if cur, err := b.ReadAll(); err == nil && cur != s.value {
		s.value = ""
		return true
	}
	if err := b.WriteAll(""); err != nil {
		s.p.Logf("clip: clearing: %v", err)
		return false
	}
	s.value = ""
	return true
}

// DetachUI stops using the UI's clipboard (its event loop ends). It never blocks.
func (s *Service) DetachUI() { s.uiGone.Store(true) }

// Close clears what the service copied if the clipboard still holds it, stops its timer, and
// refuses later copies. Call it when the app quits, while the UI still runs if it can.
func (s *Service) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stop != nil {
		s.stop()
		s.stop = nil
	}
	s.clearLocked()
	s.closed = true
}
