package safetext

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzShort: whatever a server sends, what is shown is valid UTF-8, on one line, without control
// or bidirectional formatting characters, and at most n runes.
func FuzzShort(f *testing.F) {
	for _, s := range []string{"", "Instagram Likes", "a\u202Eb\nc\td", "\xff\xfe", strings.Repeat("日本", 300), "\u2066x\u2069\u200f"} {
		f.Add(s, 20)
	}
	f.Fuzz(func(t *testing.T, s string, n int) {
		n = n%200 + 1
		if n < 1 {
			n += 200
		}
		got := Short(s, n)
		if !utf8.ValidString(got) || utf8.RuneCountInString(got) > n {
			t.Fatalf("Short(%q, %d) = %q", s, n, got)
		}
		for _, r := range got {
			if unicode.IsControl(r) || isBidiControl(r) || r == '\n' {
				t.Fatalf("Short(%q) keeps %U", s, r)
			}
		}
		if b := Block(s, n); !utf8.ValidString(b) || utf8.RuneCountInString(b) > n || strings.ContainsRune(b, '\u202E') {
			t.Fatalf("Block(%q, %d) = %q", s, n, b)
		}
	})
}
