// Package safetext makes a string a server sent safe to show: cleaned of control characters and
// bidirectional overrides, and bounded.
package safetext

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Every string a server sent is shown through these: cleaned of control characters (a newline
// would break a row, an escape sequence is noise) and of bidirectional overrides (U+202E shows
// "exe.txt" as "txt.exe"), and bounded (a 1 MB currency would widen the window past the screen and
// take hundreds of megabytes to lay out). The service layer and the store keep the raw values.

// Short is s cleaned onto one line and cut to n runes with an ellipsis.
func Short(s string, n int) string { return bound(clean(s, false, n), n) }

// Block is s cleaned, its line breaks kept (at most MaxLines), and cut to n runes.
func Block(s string, n int) string {
	s = clean(s, true, n)
	if lines := strings.Split(s, "\n"); len(lines) > MaxLines {
		s = strings.Join(lines[:MaxLines], "\n") + "\n…"
	}
	return bound(s, n)
}

// MaxLines bounds the lines Block keeps.
const MaxLines = 60

// bound cuts s to n runes, ending in "…" when it was longer.
func bound(s string, n int) string {
	if n <= 0 || len(s) <= n { // fewer bytes than n: fewer runes too
		return s
	}
	i, count := 0, 0
	for i < len(s) && count < n-1 {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		count++
	}
	if i >= len(s) || utf8.RuneCountInString(s) <= n {
		return s
	}
	return s[:i] + "…"
}

// clean drops what a server string must not do on screen: invalid UTF-8 becomes U+FFFD; control
// characters go (tabs and, unless lines, line breaks become spaces); bidirectional embeddings,
// overrides and isolates go; runs of spaces fold into one. It reads at most a bounded prefix of a
// huge string, so a 1 MB value costs no more than a long one.
func clean(s string, lines bool, n int) string {
	// A rune is at most 4 bytes; what is dropped is rarely more than as much again.
	if scanCap := 8*n + 64; n > 0 && len(s) > scanCap {
		s = s[:scanCap]
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch {
		case r == '\n' && lines:
			b.WriteRune('\n')
			space = false
			continue
		case r == '\r' && lines:
			continue
		case r == '\t' || r == '\n' || r == '\r' || r == ' ' || r == '\u00a0':
			if !space && b.Len() > 0 {
				b.WriteByte(' ')
				space = true
			}
			continue
		case isBidiControl(r), unicode.IsControl(r), r == '\u2028', r == '\u2029', r == '\uFEFF':
			continue
		}
		b.WriteRune(r)
		space = false
	}
	return strings.TrimRight(b.String(), " ")
}

// isBidiControl: the explicit directional formatting characters (embeddings, overrides,
// isolates, marks).
func isBidiControl(r rune) bool {
	switch {
	case r >= '\u202A' && r <= '\u202E', r >= '\u2066' && r <= '\u2069':
		return true
	case r == '\u200E', r == '\u200F', r == '\u061C':
		return true
	}
	return false
}
