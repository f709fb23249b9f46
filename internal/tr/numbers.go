package tr

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

// separators are the digit-grouping and decimal marks of tag, as CLDR gives them to
// golang.org/x/text: "," and "." in English and Japanese, " " and "," in Russian and French,
// "." and "," in German. They are read off a formatted sample once per language; amounts are
// never formatted through a float (see Amount).
func separators(tag language.Tag) (group, decimal string) {
	s := message.NewPrinter(tag).Sprint(number.Decimal(1234567.5, number.Scale(1)))
	// s is 1<g>234<g>567<d>5 with the language's digits; find the marks between the groups.
	var runs []string // the non-digit runs
	cur := ""
	for _, r := range s {
		if r >= '0' && r <= '9' {
			if cur != "" {
				runs = append(runs, cur)
				cur = ""
			}
			continue
		}
		cur += string(r)
	}
	if len(runs) != 3 || runs[0] != runs[1] || !utf8.ValidString(s) {
		return ",", "." // not Latin digits or an unexpected shape: the API's own form
	}
	return runs[0], runs[2]
}

// Group writes the digits of n (an integer as text, maybe with a leading "-") grouped by three
// with the mark of the language in use: 2400000 → "2,400,000", "2 400 000", "2.400.000".
func Group(digits string) string {
	loaded()
	mu.RLock()
	g := group
	mu.RUnlock()
	return groupWith(digits, g)
}

func groupWith(digits, g string) string {
	neg := strings.HasPrefix(digits, "-")
	if neg {
		digits = digits[1:]
	}
	var b strings.Builder
	for i, r := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString(g)
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// Amount writes an exact decimal given as text ("-1234.50") in the language in use: its
// integer digits grouped, its decimal mark ("-1,234.50", "-1 234,50"). Digit for digit: no float.
func Amount(s string) string {
	loaded()
	mu.RLock()
	g, d := group, decimal
	mu.RUnlock()
	whole, frac, hasFrac := strings.Cut(s, ".")
	out := groupWith(whole, g)
	if hasFrac {
		out += d + frac
	}
	return out
}

// ParseAmount turns what a user typed into the API's decimal form: a decimal comma (1,5) is read
// as a point when there is no point, whatever the language; nothing else changes — "1.234,5"
// stays as typed and fails to parse rather than being guessed.
func ParseAmount(s string) string {
	s = strings.TrimSpace(s)
	if strings.Count(s, ",") == 1 && !strings.Contains(s, ".") {
		s = strings.Replace(s, ",", ".", 1)
	}
	return s
}
