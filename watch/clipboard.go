package watch

import (
	"errors"
	"sync"
	"time"

	"github.com/atotto/clipboard"
)

// Clipboard is the system clipboard (text only).
type Clipboard interface {
	ReadAll() (string, error)
	WriteAll(text string) error
}

// ErrNoClipboard: no clipboard is available.
var ErrNoClipboard = errors.New("watch: no clipboard available")

// ClipboardFuncs adapts two functions to Clipboard — e.g. Fyne's clipboard reached through
// fyne.DoAndWait, as the fallback of SystemClipboard. A nil function fails with ErrNoClipboard.
type ClipboardFuncs struct {
	Read  func() (string, error)
	Write func(string) error
}

// ReadAll calls Read.
func (c ClipboardFuncs) ReadAll() (string, error) {
	if c.Read == nil {
		return "", ErrNoClipboard
	}
	return c.Read()
}

// WriteAll calls Write.
func (c ClipboardFuncs) WriteAll(s string) error {
	if c.Write == nil {
		return ErrNoClipboard
	}
	return c.Write(s)
}

// The atotto backend, replaceable in tests.
var (
	atottoUnsupported = func() bool { return clipboard.Unsupported }
	atottoRead        = clipboard.ReadAll
	atottoWrite       = clipboard.WriteAll
)

// SystemClipboard is the system clipboard through github.com/atotto/clipboard, falling back to
// fallback (may be nil) where atotto has no backend (no xclip, xsel or wl-clipboard on Linux) or
// fails.
func SystemClipboard(fallback Clipboard) Clipboard {
	return systemClipboard{fallback: fallback}
}

type systemClipboard struct{ fallback Clipboard }

func (c systemClipboard) ReadAll() (string, error) {
	if !atottoUnsupported() {
		s, err := atottoRead()
		if err == nil || c.fallback == nil {
			return s, err
		}
	}
	if c.fallback == nil {
		return "", ErrNoClipboard
	}
	return c.fallback.ReadAll()
}

func (c systemClipboard) WriteAll(s string) error {
	if !atottoUnsupported() {
		err := atottoWrite(s)
		if err == nil || c.fallback == nil {
			return err
		}
	}
	if c.fallback == nil {
		return ErrNoClipboard
	}
	return c.fallback.WriteAll(s)
}

// clipper copies secrets and clears them later if the clipboard still holds them.
type clipper struct {
	cb    Clipboard
	clock Clock
	logf  func(string, ...any)

	mu    sync.Mutex // serializes clipboard access
	gen   uint64     // counts copies; a clear timer acts only for the latest
	value string     // the secret the app last put there ("" once cleared)
	stop  func() bool

	qmu     sync.Mutex // auto-copies, done in order off the poller's goroutine
	queue   []clipJob
	running bool
}

type clipJob struct {
	value      string
	clearAfter time.Duration
	done       func(error)
}

// copy writes value and schedules its clearing after clearAfter (if > 0).
func (c *clipper) copy(value string, clearAfter time.Duration) error {
	if c.cb == nil {
		return ErrNoClipboard
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.cb.WriteAll(value); err != nil {
		return err
	}
	c.gen++
	gen := c.gen
	c.value = value
	if c.stop != nil {
		c.stop()
		c.stop = nil
	}
	if clearAfter > 0 {
		c.stop = c.clock.AfterFunc(clearAfter, func() { c.clearIf(gen) })
	}
	return nil
}

// clearIf clears the clipboard if copy number gen is still the latest and the clipboard still
// holds its value.
func (c *clipper) clearIf(gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	c.clearLocked()
}

func (c *clipper) clearLocked() {
	if c.value == "" || c.cb == nil {
		return
	}
	cur, err := c.cb.ReadAll()
	if err != nil {
		c.logf("watch: clipboard: cannot read it to clear the copied secret: %v", err)
		return
	}
	if cur == c.value {
		if err := c.cb.WriteAll(""); err != nil {
			c.logf("watch: clipboard: clearing: %v", err)
			return
		}
	}
	c.value = ""
}

// clearNow clears the last copied secret now, if the clipboard still holds it.
func (c *clipper) clearNow() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stop != nil {
		c.stop()
		c.stop = nil
	}
	c.clearLocked()
}

// copyAsync queues a copy; copies run one after the other in a goroutine that ends when the
// queue is empty. done (may be nil) is called with the result.
func (c *clipper) copyAsync(value string, clearAfter time.Duration, done func(error)) {
	c.qmu.Lock()
	c.queue = append(c.queue, clipJob{value, clearAfter, done})
	if c.running {
		c.qmu.Unlock()
		return
	}
	c.running = true
	c.qmu.Unlock()
	go func() {
		for {
			c.qmu.Lock()
			if len(c.queue) == 0 {
				c.running = false
				c.qmu.Unlock()
				return
			}
			j := c.queue[0]
			c.queue[0] = clipJob{}
			c.queue = c.queue[1:]
			c.qmu.Unlock()
			err := func() (err error) {
				defer func() {
					if r := recover(); r != nil {
						err = errors.New("watch: the clipboard panicked")
					}
				}()
				return c.copy(j.value, j.clearAfter)
			}()
			if err != nil {
				c.logf("watch: clipboard: %v", err)
			}
			if j.done != nil {
				j.done(err)
			}
		}
	}()
}

// idle reports whether no auto-copy is queued or running.
func (c *clipper) idle() bool {
	c.qmu.Lock()
	defer c.qmu.Unlock()
	return !c.running
}
