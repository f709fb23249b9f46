package sandbox

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// DefaultSlowDelay is how long a request hit by the Slow fault waits before it
// is answered when Faults.SlowDelay is zero. It is wall-clock time: Options.Speed
// does not scale it.
const DefaultSlowDelay = 2 * time.Second

// Faults are per-request probabilities (each in [0,1], their sum at most 1) of
// the transport failures a client of the real service has to survive. One draw
// from the server's seeded generator decides the fate of a request: the kinds are
// tried in the field order below, so the probabilities are exact as long as they
// add up to at most 1.
type Faults struct {
	// Reset closes the connection (with a TCP reset where possible) before any
	// answer. Nothing is committed.
	Reset float64
	// DropAfterCommit, for the spend actions add and add_sms, carries out the
	// request (the order IS committed and paid) and then closes the connection
	// without an answer. For every other action it behaves like Reset.
	DropAfterCommit float64
	// HTML502 answers an nginx-like "502 Bad Gateway" HTML page with status
	// 502. Nothing is committed.
	HTML502 float64
	// RateLimit answers status 429 with "Retry-After: 1" and a small HTML
	// body. Nothing is committed.
	RateLimit float64
	// Slow waits SlowDelay (or until the client goes away) and then answers
	// normally.
	Slow float64
	// Malformed answers status 200 with a truncated JSON body. For the spend
	// actions nothing is committed; for reads the truncated body is a prefix of
	// the real answer.
	Malformed float64
	// SlowDelay is the Slow fault's delay; zero means DefaultSlowDelay.
	SlowDelay time.Duration
}

// faultKind is the outcome of one fault draw.
type faultKind uint8

const (
	faultNone faultKind = iota
	faultReset
	faultDrop
	faultHTML
	faultRateLimit
	faultSlow
	faultMalformed
)

// String returns the key ParseFaults reads for the kind, which is also the key
// of Stats.Faults.
func (k faultKind) String() string {
	switch k {
	case faultReset:
		return "reset"
	case faultDrop:
		return "drop"
	case faultHTML:
		return "html"
	case faultRateLimit:
		return "429"
	case faultSlow:
		return "slow"
	case faultMalformed:
		return "malformed"
	}
	return "none"
}

// Validate reports whether every probability is in [0,1], their sum is at most
// 1 and SlowDelay is not negative.
func (f Faults) Validate() error {
	sum := 0.0
	for _, p := range []struct {
		name string
		v    float64
	}{
		{"reset", f.Reset}, {"drop", f.DropAfterCommit}, {"html", f.HTML502},
		{"429", f.RateLimit}, {"slow", f.Slow}, {"malformed", f.Malformed},
	} {
		if math.IsNaN(p.v) || p.v < 0 || p.v > 1 {
			return fmt.Errorf("sandbox: fault %s=%v: probability must be between 0 and 1", p.name, p.v)
		}
		sum += p.v
	}
	if sum > 1+1e-9 {
		return fmt.Errorf("sandbox: fault probabilities add up to %v, more than 1", sum)
	}
	if f.SlowDelay < 0 {
		return errors.New("sandbox: negative slowdelay")
	}
	return nil
}

// Any reports whether any fault has a non-zero probability.
func (f Faults) Any() bool {
	return f.Reset > 0 || f.DropAfterCommit > 0 || f.HTML502 > 0 || f.RateLimit > 0 ||
		f.Slow > 0 || f.Malformed > 0
}

// String renders f in the syntax ParseFaults reads ("" when no fault is set).
func (f Faults) String() string {
	var parts []string
	add := func(k string, v float64) {
		if v > 0 {
			parts = append(parts, k+"="+strconv.FormatFloat(v, 'g', -1, 64))
		}
	}
	add("reset", f.Reset)
	add("drop", f.DropAfterCommit)
	add("html", f.HTML502)
	add("429", f.RateLimit)
	add("slow", f.Slow)
	add("malformed", f.Malformed)
	if f.SlowDelay > 0 {
		parts = append(parts, "slowdelay="+f.SlowDelay.String())
	}
	return strings.Join(parts, ",")
}

// slowDelay returns the effective Slow delay.
func (f Faults) slowDelay() time.Duration {
	if f.SlowDelay > 0 {
		return f.SlowDelay
	}
	return DefaultSlowDelay
}

// pick maps a uniform draw u in [0,1) to a fault kind.
func (f Faults) pick(u float64) faultKind {
	for _, c := range []struct {
		p float64
		k faultKind
	}{
		{f.Reset, faultReset}, {f.DropAfterCommit, faultDrop}, {f.HTML502, faultHTML},
		{f.RateLimit, faultRateLimit}, {f.Slow, faultSlow}, {f.Malformed, faultMalformed},
	} {
		if c.p <= 0 {
			continue
		}
		if u < c.p {
			return c.k
		}
		u -= c.p
	}
	return faultNone
}

// ParseFaults reads a fault specification such as
//
//	reset=0.1,drop=0.05,html=0.1,429=0.1,slow=0.1,malformed=0.05,slowdelay=2s
//
// Keys are case-insensitive; aliases: dropaftercommit (drop), html502 and 502
// (html), ratelimit (429), delay (slowdelay). The empty string means no fault.
// An unknown or repeated key, a probability outside [0,1], probabilities adding
// up to more than 1 or a bad duration are errors.
func ParseFaults(s string) (Faults, error) {
	var f Faults
	seen := map[string]bool{}
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		k, v, ok := strings.Cut(item, "=")
		if !ok {
			return Faults{}, fmt.Errorf("sandbox: fault %q: want key=value", item)
		}
		k = strings.ToLower(strings.TrimSpace(k))
		v = strings.TrimSpace(v)
		var target *float64
		switch k {
		case "reset":
			target = &f.Reset
		case "drop", "dropaftercommit":
			k, target = "drop", &f.DropAfterCommit
		case "html", "html502", "502":
			k, target = "html", &f.HTML502
		case "429", "ratelimit":
			k, target = "429", &f.RateLimit
		case "slow":
			target = &f.Slow
		case "malformed":
			target = &f.Malformed
		case "slowdelay", "delay":
			k = "slowdelay"
			d, err := time.ParseDuration(v)
			if err != nil {
				return Faults{}, fmt.Errorf("sandbox: fault slowdelay=%q: %v", v, err)
			}
			if d < 0 {
				return Faults{}, fmt.Errorf("sandbox: fault slowdelay=%q: negative", v)
			}
			if seen[k] {
				return Faults{}, fmt.Errorf("sandbox: fault key %q repeated", k)
			}
			seen[k] = true
			f.SlowDelay = d
			continue
		default:
			return Faults{}, fmt.Errorf("sandbox: unknown fault key %q (want reset, drop, html, 429, slow, malformed, slowdelay)", k)
		}
		if seen[k] {
			return Faults{}, fmt.Errorf("sandbox: fault key %q repeated", k)
		}
		seen[k] = true
		p, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return Faults{}, fmt.Errorf("sandbox: fault %s=%q: not a number", k, v)
		}
		*target = p
	}
	if err := f.Validate(); err != nil {
		return Faults{}, err
	}
	return f, nil
}
