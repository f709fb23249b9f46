package account

import (
	"strings"
	"testing"

	"github.com/hstockplus/hstockplus/client"
)

func TestParseMassTextPipesCommentsBlanksJunk(t *testing.T) {
	text := "service | link | quantity\r\n" + // a header
		"\n" +
		"  1 | https://instagram.com/p/abc | 1000 \r\n" +
		"# a comment line\n" +
		"   \t \n" +
		"7|https://instagram.com/p/x|3|Nice!\\nGreat photo\\n  \\nLove it | really\n" +
		"7|https://instagram.com/p/y||one\\ntwo\n" + // the quantity from the comments
		"hello world\n" +
		"abc | https://x | 10\n" +
		"5 | https://x | -3\n" +
		"5 | https://x | 1 000\n" +
		"12;https://t.me/c;500\n"
	got := ParseMassText(text)
	want := []struct {
		n        int
		svc, qty int64
		link     string
		comments string
		p        Problem
	}{
		{3, 1, 1000, "https://instagram.com/p/abc", "", NoProblem},
		{6, 7, 3, "https://instagram.com/p/x", "Nice!\nGreat photo\nLove it | really", NoProblem},
		{7, 7, 2, "https://instagram.com/p/y", "one\ntwo", NoProblem},
		{8, 0, 0, "", "", ProblemFormat},
		{9, 0, 0, "", "", ProblemService},
		{10, 5, 0, "https://x", "", ProblemQuantity},
		{11, 5, 1000, "https://x", "", NoProblem},
		{12, 12, 500, "https://t.me/c", "", NoProblem},
	}
	if len(got) != len(want) {
		t.Fatalf("%d lines, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.N != w.n || g.Service != w.svc || g.Quantity != w.qty || g.Link != w.link || g.Comments != w.comments || g.Problem != w.p {
			t.Errorf("line %d = %+v, want %+v", i, g, w)
		}
	}
	if got[3].Raw != "hello world" {
		t.Errorf("raw = %q", got[3].Raw)
	}
}

func TestParseMassCSV(t *testing.T) {
	comma := "\xef\xbb\xbfservice,link,quantity,comments\n" +
		"1,\"https://example.com/p?a=1,b=2\",100\n" +
		"2,https://x.com/y,3,\"First, with a comma\\nSecond\"\n" +
		"3,https://x.com/z,2,one,two\\nthree\n" // unquoted commas in the comments
	got := ParseMassCSV([]byte(comma))
	if len(got) != 3 {
		t.Fatalf("comma CSV: %+v", got)
	}
	if got[0].Link != "https://example.com/p?a=1,b=2" || got[0].Quantity != 100 || got[0].N != 2 {
		t.Errorf("quoted link: %+v", got[0])
	}
	if got[1].Comments != "First, with a comma\nSecond" {
		t.Errorf("comments: %q", got[1].Comments)
	}
	if got[2].Comments != "one,two\nthree" || !got[2].OK() {
		t.Errorf("unquoted comments: %+v", got[2])
	}

	semi := "1;https://a.com/1;100\r\n\r\n2;https://a.com/2;200\r\njunk\r\n"
	got = ParseMassCSV([]byte(semi))
	if len(got) != 3 || got[0].Service != 1 || got[1].Quantity != 200 || got[1].N != 3 || got[2].Problem != ProblemFormat {
		t.Fatalf("semicolon CSV: %+v", got)
	}
	pipes := ParseMassCSV([]byte("1 | https://a.com | 5\n"))
	if len(pipes) != 1 || pipes[0].Quantity != 5 {
		t.Fatalf("pipes in a .csv: %+v", pipes)
	}
	// An unterminated quote: the rest cannot be read; it is said, not a crash.
	bad := ParseMassCSV([]byte("1,https://a.com,5\n2,\"https://b.com,5\n3,c,4\n"))
	if len(bad) == 0 || bad[0].Service != 1 {
		t.Fatalf("broken quote: %+v", bad)
	}
}

func TestParseMassBounded(t *testing.T) {
	huge := "1 | https://a.com/" + strings.Repeat("x", MaxLineBytes) + " | 10\n2 | https://b.com | 5\n"
	got := ParseMassText(huge)
	if len(got) != 2 || got[0].Problem != ProblemTooLong || len(got[0].Raw) > maxRawShown+len("…") || !got[1].OK() {
		t.Fatalf("huge line: %d lines, %v / raw %d bytes", len(got), got[0].Problem, len(got[0].Raw))
	}
	var b strings.Builder
	for i := 0; i < MaxMassLines+5; i++ {
		b.WriteString("1 | https://a.com | 10\n")
	}
	got = ParseMassText(b.String())
	if len(got) != MaxMassLines+5 || !got[MaxMassLines-1].OK() || got[MaxMassLines].Problem != ProblemTooMany {
		t.Fatalf("too many lines: %d, last ok %v", len(got), got[MaxMassLines].Problem)
	}
	// More than the whole input may hold: cut at a line, and said.
	big := strings.Repeat(strings.Repeat("z", 1000)+"\n", MaxMassInput/1000+10)
	got = ParseMassText(big)
	if last := got[len(got)-1]; last.Problem != ProblemTooLong {
		t.Fatalf("oversized input: last line %+v", last)
	}
	if got := ParseMassCSV([]byte(big)); got[len(got)-1].Problem != ProblemTooLong {
		t.Fatal("oversized CSV not said")
	}
	// A multi-byte character is not cut in the middle.
	r := rawOf(strings.Repeat("é", 300))
	if !strings.HasSuffix(r, "…") || !strings.HasPrefix(r, "éé") || strings.ContainsRune(r, '\uFFFD') {
		t.Fatalf("raw = %q", r)
	}
}

func TestMassLineTextRoundTrips(t *testing.T) {
	l := Line{Service: 7, Link: "https://x.com/p", Quantity: 2, Comments: "a, b\nc | d"}
	got := ParseMassText(MassLineText(l))
	if len(got) != 1 || got[0].Service != 7 || got[0].Link != l.Link || got[0].Quantity != 2 || got[0].Comments != l.Comments {
		t.Fatalf("%q read back as %+v", MassLineText(l), got)
	}
}

func TestValidateMass(t *testing.T) {
	rows := map[int64]client.Service{
		1: {Service: 1, Name: "Followers", Rate: dec("0.50"), Min: 100, Max: 10000, Stock: 5000, EntityType: client.EntitySMM},
		2: {Service: 2, Name: "Gmail", Rate: dec("25.00"), Min: 1, Max: 50, Stock: 3, EntityType: client.EntityProduct},
		3: {Service: 3, Name: "Comments", Type: "Custom Comments", Rate: dec("1.2500"), Min: 1, Max: 100, Stock: 100, EntityType: client.EntitySMM},
		4: {Service: 4, Name: "Mystery", RateUnknown: true, Min: 1, Max: 100, Stock: 100, EntityType: client.EntitySMM},
	}
	lookup := func(n int64) (client.Service, bool) { s, ok := rows[n]; return s, ok }
	lines := ParseMassText(strings.Join([]string{
		"1 | https://instagram.com/p/a | 1000", // 0.50
		"1 | https://instagram.com/p/a | 50",   // below min
		"1 | https://instagram.com/p/a | 6000", // above stock
		"1 |  | 100",                           // no link
		"1 | https://insta gram.com | 100",     // a space in the link
		"2 |  | 2",                             // product: link optional; 50.00
		"2 | a@b.c | 4",                        // stock 3
		"3 | https://x.com/p | 2 | a\\nb",      // 2 × 1.25/1000 = 0.0025
		"3 | https://x.com/p | 3 | a\\nb",      // count mismatch
		"3 | https://x.com/p | 3",              // no comments
		"1 | https://x.com/p | 100 | hi",       // comments on a Default service
		"4 | https://x.com/p | 10",             // unknown price
		"99 | https://x.com/p | 10",            // unknown service
		"junk",
	}, "\n"))
	c := ValidateMass(lines, lookup)
	want := []Problem{NoProblem, ProblemRange, ProblemStock, ProblemNoLink, ProblemBadLink, NoProblem, ProblemStock,
		NoProblem, ProblemCommentCount, ProblemNoComments, ProblemNotComments, ProblemPrice, ProblemUnknownService, ProblemFormat}
	for i, w := range want {
		if c.Lines[i].Problem != w {
			t.Errorf("line %d (%q): problem %v, want %v", i+1, c.Lines[i].Raw, c.Lines[i].Problem, w)
		}
	}
	if c.Valid != 3 || c.Total.String() != "50.5025" {
		t.Fatalf("valid %d, total %s; want 3, 50.5025", c.Valid, c.Total)
	}
	if l := c.Lines[1]; l.Min != 100 || l.Max != 10000 {
		t.Errorf("range figures: %+v", l)
	}
	if l := c.Lines[6]; l.Stock != 3 {
		t.Errorf("stock figure: %+v", l)
	}
	if l := c.Lines[8]; l.Count != 2 {
		t.Errorf("count figure: %+v", l)
	}
	if l := c.Lines[11]; !l.Estimate.IsZero() || l.OK() {
		t.Errorf("an unknown price is not a zero price: %+v", l)
	}
	if l := c.Lines[0]; l.Label != "Followers" || l.Estimate.String() != "0.50" {
		t.Errorf("line 1: %+v", l)
	}
	if c := ValidateMass(ParseMassText("1 | https://a | 100"), nil); c.Lines[0].Problem != ProblemNoCatalog || c.Valid != 0 {
		t.Fatalf("without a catalog: %+v", c)
	}
}
