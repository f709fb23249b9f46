package account

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/hstockplus/hstockplus/client"
)

// Mass order input: one order per line, in the format of SMM panels,
//
//	service | link | quantity
//	service | link | quantity | comment one\ncomment two
//
// the fourth field being the comments of a Custom Comments service, one per literal "\n" (a
// backslash and an n). A .csv file may separate its fields with commas or semicolons (quoted as
// CSV quotes them). Blank lines and lines starting with # are skipped; a first line that names
// the columns (service, link, quantity) is skipped too.

// Input bounds: what is pasted or imported is cut at these sizes, with an error on the line.
const (
	MaxMassInput = 4 << 20 // the whole text or file, in bytes
	MaxMassLines = 1000    // order lines (cache.MaxBatchLines)
	MaxLineBytes = 64 << 10
	// MaxComments is the most comments one line may carry.
	MaxComments = 1000
	// maxRawShown is how much of a line is kept to show it back.
	maxRawShown = 200
)

// Problem is what is wrong with a line of a mass order; the window words it.
type Problem int

const (
	NoProblem Problem = iota
	// ProblemFormat: not "service | link | quantity".
	ProblemFormat
	// ProblemTooLong: the line is longer than MaxLineBytes.
	ProblemTooLong
	// ProblemTooMany: past MaxMassLines lines; not read.
	ProblemTooMany
	// ProblemService: the service is not a number.
	ProblemService
	// ProblemQuantity: the quantity is not a whole number above zero.
	ProblemQuantity
	// ProblemUnknownService: no such service in the catalog.
	ProblemUnknownService
	// ProblemRange: the quantity is outside Min..Max.
	ProblemRange
	// ProblemStock: fewer than the quantity in stock (Stock).
	ProblemStock
	// ProblemNoLink: an SMM service needs the link of what to promote.
	ProblemNoLink
	// ProblemBadLink: the link has spaces or control characters.
	ProblemBadLink
	// ProblemPrice: the price is unknown: it is not ordered blind in a mass order.
	ProblemPrice
	// ProblemNoComments: a Custom Comments service needs its comments.
	ProblemNoComments
	// ProblemCommentCount: the quantity is not the number of comments (Count).
	ProblemCommentCount
	// ProblemNotComments: the service takes no comments, and the line has some.
	ProblemNotComments
	// ProblemNoCatalog: there is no catalog to check the line against.
	ProblemNoCatalog
)

// Line is one line of a mass order as read, and (after Validate) as checked.
type Line struct {
	N   int    // its number in the text (1-based)
	Raw string // the line as written, cut to a few hundred characters

	Service  int64
	Link     string
	Quantity int64
	Comments string // one per line (the input's \n)

	Problem Problem
	// The figures the problem names: the allowed range, the stock, the number of comments.
	Min, Max, Stock, Count int64

	// Set by Validate on a line without a problem.
	Label    string
	Estimate client.Decimal
}

// OK reports whether the line can be ordered.
func (l Line) OK() bool { return l.Problem == NoProblem }

// ParseMassText reads pasted text: fields separated by "|" (a tab, a semicolon or a comma are
// taken when a line has no "|").
func ParseMassText(text string) []Line {
	var out []Line
	text, cut := capInput(text)
	n, orders := 0, 0
	for len(text) > 0 {
		var line string
		line, text, _ = strings.Cut(text, "\n")
		n++
		line = strings.TrimSuffix(line, "\r")
		l, skip := readLine(n, line, orders)
		if skip {
			continue
		}
		if l.Problem != ProblemTooMany {
			orders++
		}
		out = append(out, l)
	}
	if cut {
		out = append(out, Line{N: n + 1, Raw: "…", Problem: ProblemTooLong})
	}
	return out
}

// ParseMassCSV reads a .csv file: fields separated by commas, semicolons, tabs or "|",
// whichever the first line uses, quoted as CSV quotes them.
func ParseMassCSV(data []byte) []Line {
	data, cut := capInput(data)
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a byte order mark
	sep := csvSeparator(data)
	if sep == '|' {
		return ParseMassText(string(data))
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = sep
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.ReuseRecord = true
	var out []Line
	orders := 0
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			out = append(out, Line{N: line, Raw: "…", Problem: ProblemFormat})
			break // a broken quote swallows the rest: stop there
		}
		line, _ := r.FieldPos(0)
		raw := strings.Join(rec, string(sep))
		if len(rec) > 4 { // unquoted separators in the comments
			rec = append(rec[:3:3], strings.Join(rec[3:], string(sep)))
		}
		l, skip := fieldsLine(line, raw, rec, orders)
		if skip {
			continue
		}
		if l.Problem != ProblemTooMany {
			orders++
		}
		out = append(out, l)
	}
	if cut {
		out = append(out, Line{N: len(out) + 1, Raw: "…", Problem: ProblemTooLong})
	}
	return out
}

func capInput[T string | []byte](s T) (T, bool) {
	if len(s) <= MaxMassInput {
		return s, false
	}
	s = s[:MaxMassInput]
	if i := bytes.LastIndexByte([]byte(s[len(s)-MaxLineBytes:]), '\n'); i >= 0 {
		s = s[:len(s)-MaxLineBytes+i] // end at a whole line
	}
	return s, true
}

// csvSeparator is the separator the first line that is not blank uses most.
func csvSeparator(data []byte) rune {
	first := data
	for len(first) > 0 {
		var line []byte
		line, first, _ = bytes.Cut(first, []byte("\n"))
		if len(bytes.TrimSpace(line)) > 0 {
			best, n := ',', 0
			for _, c := range []rune{',', ';', '\t', '|'} {
				if k := bytes.Count(line, []byte(string(c))); k > n {
					best, n = c, k
				}
			}
			return best
		}
	}
	return ','
}

// readLine reads one pasted line; skip: blank, a comment or the header.
func readLine(n int, line string, orders int) (Line, bool) {
	if strings.TrimSpace(line) == "" || strings.HasPrefix(strings.TrimSpace(line), "#") {
		return Line{}, true
	}
	if len(line) > MaxLineBytes {
		return Line{N: n, Raw: rawOf(line), Problem: ProblemTooLong}, false
	}
	sep := "|"
	if !strings.Contains(line, sep) {
		for _, c := range []string{"\t", ";", ","} {
			if strings.Contains(line, c) {
				sep = c
				break
			}
		}
	}
	// The comments are the rest of the line: they may hold the separator.
	return fieldsLine(n, line, strings.SplitN(line, sep, 4), orders)
}

// fieldsLine reads the fields of line n.
func fieldsLine(n int, line string, f []string, orders int) (Line, bool) {
	if len(line) > MaxLineBytes {
		return Line{N: n, Raw: rawOf(line), Problem: ProblemTooLong}, false
	}
	if strings.TrimSpace(line) == "" || strings.HasPrefix(strings.TrimSpace(line), "#") {
		return Line{}, true
	}
	l := Line{N: n, Raw: rawOf(line)}
	if orders >= MaxMassLines {
		l.Problem = ProblemTooMany
		return l, false
	}
	for i := range f {
		f[i] = strings.TrimSpace(f[i])
	}
	if len(f) < 3 || len(f) > 4 {
		if orders == 0 && isHeader(f) {
			return Line{}, true
		}
		l.Problem = ProblemFormat
		return l, false
	}
	svc, err := strconv.ParseInt(strings.TrimPrefix(f[0], "#"), 10, 64)
	if err != nil || svc <= 0 {
		if orders == 0 && isHeader(f) {
			return Line{}, true
		}
		l.Problem = ProblemService
		return l, false
	}
	l.Service, l.Link = svc, f[1]
	if len(f) == 4 {
		l.Comments = splitComments(f[3])
	}
	switch q := strings.ReplaceAll(strings.ReplaceAll(f[2], " ", ""), "\u00a0", ""); {
	case q == "" && l.Comments != "":
		l.Quantity = int64(strings.Count(l.Comments, "\n") + 1)
	default:
		v, err := strconv.ParseInt(q, 10, 64)
		if err != nil || v <= 0 {
			l.Problem = ProblemQuantity
			return l, false
		}
		l.Quantity = v
	}
	return l, false
}

// isHeader: a first line naming the columns rather than an order.
func isHeader(f []string) bool {
	if len(f) < 3 {
		return false
	}
	h, q := strings.ToLower(f[0]), strings.ToLower(f[2])
	return (strings.Contains(h, "service") || h == "id") && (strings.Contains(q, "quantity") || strings.Contains(q, "qty"))
}

// splitComments turns the input's literal \n into lines, dropping blank ones.
func splitComments(s string) string {
	s = strings.ReplaceAll(s, `\r\n`, `\n`)
	var out []string
	for _, c := range strings.Split(s, `\n`) {
		if c = strings.TrimSpace(c); c != "" {
			out = append(out, c)
		}
	}
	return strings.Join(out, "\n")
}

// rawOf is the line as shown back: at most maxRawShown bytes, whole characters.
func rawOf(line string) string {
	line = strings.TrimSpace(line)
	if len(line) <= maxRawShown {
		return line
	}
	cut := maxRawShown
	for cut > 0 && !utf8.RuneStart(line[cut]) {
		cut--
	}
	return line[:cut] + "…"
}

// MassLineText writes an order back in the pasted format (service | link | quantity | comments),
// as ParseMassText reads it: what a .csv file is turned into in the editor.
func MassLineText(l Line) string {
	s := strconv.FormatInt(l.Service, 10) + " | " + l.Link + " | " + strconv.FormatInt(l.Quantity, 10)
	if l.Comments != "" {
		s += " | " + strings.ReplaceAll(l.Comments, "\n", `\n`)
	}
	return s
}
