package gui

import (
	"encoding/binary"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
	"golang.org/x/text/width"

	"github.com/hstockplus/hstockplus/client"
)

// sortField is a column the catalog can be ordered by.
type sortField int

const (
	sortByNumber sortField = iota
	sortByName
	sortByPrice
	sortByStock
	sortFieldCount
)

// unknownPrice marks a row whose price HstockPlus did not give.
const unknownPrice = math.MaxInt64

// catalogIndex is a loaded catalog made ready for instant search: the folded search key of every
// row and the row order for every sort field are computed once, off the UI goroutine, so a
// keystroke costs a scan of memory in order, with no sorting and no allocation per row.
type catalogIndex struct {
	rows []client.Service
	// blob holds every row's own folded search text (number, id, name), each ended by keyEnd;
	// row i's text is blob[starts[i]:starts[i+1]-1]. One contiguous string lets strings.Index
	// jump from match to match at memory speed. The texts rows share (category, subcategory,
	// type, description) are folded once each: groups, and row i's is groups[groupOf[i]] (at
	// 100k rows, 16 MB of search text becomes 8).
	blob     string
	starts   []int32
	groups   []string
	groupOf  []int32
	price    []int64                 // the price of one unit (unitPrice); unknownPrice
	flags    []uint8                 // rowProduct, rowInStock, rowAuto, rowRefill
	orders   [sortFieldCount][]int32 // ascending row order per field
	nameRank []int32                 // the place of each row in the name order
	cats     []categoryCount         // categories in first-seen order, with their subcategories

	// What filter keeps between calls (UI goroutine only): the last selections, and a buffer.
	memo     [2]selection
	clock    uint64
	mark     []bool
	scratch  []int32
	groupHit []bool // the groups that hold the word looked for (selectRows)
}

const keyEnd = '\x01' // ends each row's text in blob; never part of a search term

const (
	rowProduct uint8 = 1 << iota
	rowInStock
	rowAuto
	rowRefill
)

// categoryCount is a category (or subcategory) name with its number of rows, of each kind.
type categoryCount struct {
	Name          string
	Count         int
	SMM, Products int
	Subs          []categoryCount
}

// of is the count of rows of kind ("" all, client.EntitySMM, client.EntityProduct).
func (c categoryCount) of(kind string) int {
	switch kind {
	case client.EntitySMM:
		return c.SMM
	case client.EntityProduct:
		return c.Products
	}
	return c.Count
}

// add counts a row of the product kind or not.
func (c *categoryCount) add(product bool) {
	c.Count++
	if product {
		c.Products++
	} else {
		c.SMM++
	}
}

// unitScale: unit prices are kept in ten-millionths, exact for SMM rates (per 1000) of up to four
// places as for product prices.
const unitScale = 7

// unitPrice is the price of one unit: a product's rate, an SMM service's rate per 1000 divided by
// 1000 — so that "each" and "per 1000" compare on the same footing.
func unitPrice(s *client.Service) int64 {
	if !s.PriceKnown() {
		return unknownPrice
	}
	if s.IsProduct() {
		return s.Rate.Shift(unitScale).IntPart()
	}
	return s.Rate.Shift(unitScale - 3).IntPart()
}

// catalogFilter is everything the user can narrow and order the catalog by.
type catalogFilter struct {
	Text                  string
	Category, Subcategory string
	Kind                  string // "", client.EntitySMM or client.EntityProduct
	InStock, AutoOnly     bool
	RefillOnly, FavOnly   bool
	WatchOnly             bool
	MinPrice, MaxPrice    *client.Decimal // nil: no bound
	Favourites            map[int64]bool
	Watched               map[int64]bool
	Sort                  sortField
	Desc                  bool
}

func buildCatalogIndex(rows []client.Service) *catalogIndex {
	n := len(rows)
	ix := &catalogIndex{rows: rows, starts: make([]int32, n+1), price: make([]int64, n), flags: make([]uint8, n)}
	nameAt := make([][2]int32, n) // each row's folded name in blob
	// The rows are folded in two halves at once (2 cores or more): the first into the blob's
	// own buffer, sized for both, the second beside it and copied after the first (no third
	// copy of the text while the index is built); the category counts are made meanwhile, in
	// row order.
	half := n / 2
	var whole, second strings.Builder
	whole.Grow(ix.foldedSize(0, n))
	second.Grow(ix.foldedSize(half, n))
	var wg sync.WaitGroup
	wg.Go(func() { ix.foldRows(0, half, nameAt, &whole) })
	wg.Go(func() { ix.foldRows(half, n, nameAt, &second) })
	catPos := map[string]int{}
	subPos := map[[2]string]int{}
	ix.groupOf = make([]int32, n)
	groupPos := map[[4]string]int32{}
	var gtext strings.Builder
	var gends []int
	gfd := newFolder(false)
	var last [4]string
	lastG := int32(-1)
	for i := range rows {
		s := &rows[i]
		// The row's shared texts: most rows have the ones of the row before.
		if k := [4]string{s.Category, s.Subcategory, s.Type, s.Description}; lastG >= 0 && k == last {
			ix.groupOf[i] = lastG
		} else {
			g, ok := groupPos[k]
			if !ok {
				g = int32(len(gends))
				groupPos[k] = g
				for _, part := range k {
					gtext.WriteByte(' ')
					gfd.write(&gtext, part)
				}
				gends = append(gends, gtext.Len())
			}
			ix.groupOf[i], last, lastG = g, k, g
		}
		ci, ok := catPos[s.Category]
		if !ok {
			ci = len(ix.cats)
			catPos[s.Category] = ci
			ix.cats = append(ix.cats, categoryCount{Name: s.Category})
		}
		ix.cats[ci].add(s.IsProduct())
		if s.Subcategory != "" {
			k := [2]string{s.Category, s.Subcategory}
			si, ok := subPos[k]
			if !ok {
				si = len(ix.cats[ci].Subs)
				subPos[k] = si
				ix.cats[ci].Subs = append(ix.cats[ci].Subs, categoryCount{Name: s.Subcategory})
			}
			ix.cats[ci].Subs[si].add(s.IsProduct())
		}
	}
	all := gtext.String()
	ix.groups = make([]string, len(gends))
	for g, end := range gends {
		start := 0
		if g > 0 {
			start = gends[g-1]
		}
		ix.groups[g] = all[start:end]
	}
	ix.groupHit = make([]bool, len(gends))
	wg.Wait()
	shift := int32(whole.Len())
	for i := half; i < n; i++ {
		ix.starts[i] += shift
		nameAt[i][0] += shift
		nameAt[i][1] += shift
	}
	whole.WriteString(second.String())
	ix.starts[n] = int32(whole.Len())
	ix.blob = whole.String()

	// The orders: every comparison ends on the unique service number, so an unstable sort gives
	// the one order; numeric keys are sorted as (key, number, row) records, in memory order.
	byKey := func(key func(i int) int64) []int32 {
		type rec struct {
			key, svc int64
			row      int32
		}
		rs := make([]rec, n)
		sorted := true
		for i := range rs {
			rs[i] = rec{key(i), rows[i].Service, int32(i)}
			if i > 0 && (rs[i-1].key > rs[i].key || rs[i-1].key == rs[i].key && rs[i-1].svc > rs[i].svc) {
				sorted = false
			}
		}
		if !sorted {
			slices.SortFunc(rs, func(a, b rec) int {
				if c := compareInt(a.key, b.key); c != 0 {
					return c
				}
				return compareInt(a.svc, b.svc)
			})
		}
		ord := make([]int32, n)
		for p, r := range rs {
			ord[p] = r.row
		}
		return ord
	}
	// The name order, the longest sort, runs beside the three numeric ones (2 cores or more).
	// Names are compared by their first 8 bytes as one number first, the rest only on a tie.
	var sorts sync.WaitGroup
	sorts.Go(func() {
		type rec struct {
			prefix uint64
			svc    int64
			row    int32
		}
		rs := make([]rec, n)
		for i := range rs {
			name := ix.blob[nameAt[i][0]:nameAt[i][1]]
			var pre [8]byte
			copy(pre[:], name)
			rs[i] = rec{binary.BigEndian.Uint64(pre[:]), rows[i].Service, int32(i)}
		}
		name := func(r rec) string { return ix.blob[nameAt[r.row][0]:nameAt[r.row][1]] }
		slices.SortFunc(rs, func(a, b rec) int {
			if a.prefix != b.prefix {
				if a.prefix < b.prefix {
					return -1
				}
				return 1
			}
			if c := strings.Compare(name(a), name(b)); c != 0 {
				return c
			}
			return compareInt(a.svc, b.svc)
		})
		byName := make([]int32, n)
		ix.nameRank = make([]int32, n)
		for p, r := range rs {
			byName[p] = r.row
			ix.nameRank[r.row] = int32(p)
		}
		ix.orders[sortByName] = byName
	})
	ix.orders[sortByNumber] = byKey(func(i int) int64 { return rows[i].Service })
	ix.orders[sortByPrice] = byKey(func(i int) int64 { return ix.price[i] })
	ix.orders[sortByStock] = byKey(func(i int) int64 { return rows[i].Stock })
	sorts.Wait()
	return ix
}

// foldRows folds rows [lo, hi) into their part of the key blob; starts and nameAt get offsets
// within the part. It also sets their prices and flags.
// foldedSize is the size of the folded text of rows lo to hi as foldRows writes it, when folding
// keeps the length of the text (it does for most: lower case is as long as upper case).
func (ix *catalogIndex) foldedSize(lo, hi int) int {
	size := 0
	var num [20]byte
	for i := lo; i < hi; i++ {
		s := &ix.rows[i]
		size += len(strconv.AppendInt(num[:0], s.Service, 10)) + len(s.ID) + len(s.Name) + 3
	}
	return size
}

// foldRows writes the folded text of rows lo to hi to blob, and where each row and name start.
func (ix *catalogIndex) foldRows(lo, hi int, nameAt [][2]int32, blob *strings.Builder) {
	fd := newFolder(true)
	var num [20]byte
	for i := lo; i < hi; i++ {
		s := &ix.rows[i]
		ix.starts[i] = int32(blob.Len())
		blob.Write(strconv.AppendInt(num[:0], s.Service, 10))
		blob.WriteByte(' ')
		fd.write(blob, s.ID)
		blob.WriteByte(' ')
		nameAt[i][0] = int32(blob.Len())
		fd.write(blob, s.Name)
		nameAt[i][1] = int32(blob.Len())
		blob.WriteByte(keyEnd)
		ix.price[i] = unitPrice(s) // unknownPrice: outside every range, sorted after every price
		ix.flags[i] = flagsOf(*s)
	}
}

// compare orders rows by field as orders does: the field, then the service number.
func (ix *catalogIndex) compare(field sortField) func(a, b int32) int {
	rows := ix.rows
	switch field {
	case sortByName:
		return func(a, b int32) int { return int(ix.nameRank[a]) - int(ix.nameRank[b]) }
	case sortByPrice:
		return func(a, b int32) int {
			if c := compareInt(ix.price[a], ix.price[b]); c != 0 {
				return c
			}
			return compareInt(rows[a].Service, rows[b].Service)
		}
	case sortByStock:
		return func(a, b int32) int {
			if c := compareInt(rows[a].Stock, rows[b].Stock); c != 0 {
				return c
			}
			return compareInt(rows[a].Service, rows[b].Service)
		}
	}
	return func(a, b int32) int { return compareInt(rows[a].Service, rows[b].Service) }
}

func compareInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func flagsOf(s client.Service) uint8 {
	var f uint8
	if s.IsProduct() {
		f |= rowProduct
	}
	if s.Stock > 0 {
		f |= rowInStock
	}
	if s.AutoDelivery {
		f |= rowAuto
	}
	if s.Refill {
		f |= rowRefill
	}
	return f
}

// filter appends to dst[:0] the indexes of the rows that pass f, in f's order. UI goroutine
// only: it reuses the index's buffers and remembers the last selections.
//
// The work follows what changed: a query that extends the one before (a letter typed, a word
// added) only re-checks the rows that matched it; a new query scans the key blob once for its
// longest word, mapping each hit to its row by walking forward (no search per hit), and checks
// the other words in those rows only.
func (ix *catalogIndex) filter(f catalogFilter, dst []int32) []int32 {
	dst = dst[:0]
	if ix == nil || len(ix.rows) == 0 {
		return dst
	}
	terms := strings.Fields(foldText(f.Text))
	key := selectionKey(f)
	var rows []int32
	if f.FavOnly || f.WatchOnly {
		// The favourites and the watched change in place: nothing of theirs is remembered.
		ix.scratch = ix.selectRows(f, terms, ix.scratch[:0])
		return ix.order(ix.scratch, f.Sort, f.Desc, dst)
	}
	// Narrowing checks each remembered row; a first word over most of the catalog is found
	// faster by the blob scan.
	if m := ix.memoFor(key); m != nil && extends(terms, m.terms) && (len(m.terms) > 0 || len(m.rows) < len(ix.rows)/4) {
		rows = ix.narrow(m.rows, terms, m.terms, m.spare[:0])
		m.spare = m.rows
		m.rows, m.terms = rows, terms
	} else {
		m := ix.newMemo(key)
		rows = ix.selectRows(f, terms, m.rows[:0])
		m.rows, m.terms = rows, terms
	}
	return ix.order(rows, f.Sort, f.Desc, dst)
}

// filterKey is everything of a filter but its text and order: two filters with the same key
// select among the same rows.
type filterKey struct {
	category, subcategory, kind string
	inStock, autoOnly, refill   bool
	minP, maxP                  int64 // unit-scaled; -1: no bound
}

func selectionKey(f catalogFilter) filterKey {
	k := filterKey{category: f.Category, subcategory: f.Subcategory, kind: f.Kind, inStock: f.InStock,
		autoOnly: f.AutoOnly, refill: f.RefillOnly, minP: -1, maxP: -1}
	if f.MinPrice != nil {
		k.minP = f.MinPrice.Shift(unitScale).IntPart()
	}
	if f.MaxPrice != nil {
		k.maxP = f.MaxPrice.Shift(unitScale).IntPart()
	}
	return k
}

// selection is a remembered result: the rows (in row order) that pass a filter of key with the
// words terms.
type selection struct {
	key         filterKey
	terms       []string
	rows, spare []int32
	used        uint64
}

// memoFor is the remembered selection of key, or nil.
func (ix *catalogIndex) memoFor(key filterKey) *selection {
	for i := range ix.memo {
		if m := &ix.memo[i]; m.used != 0 && m.key == key {
			ix.clock++
			m.used = ix.clock
			return m
		}
	}
	return nil
}

// newMemo takes the least recently used slot for key (two: the list, and the "N more in all
// categories" count, alternate).
func (ix *catalogIndex) newMemo(key filterKey) *selection {
	m := &ix.memo[0]
	for i := range ix.memo {
		if ix.memo[i].used < m.used {
			m = &ix.memo[i]
		}
	}
	ix.clock++
	m.key, m.used, m.terms = key, ix.clock, nil
	return m
}

// extends reports whether every row with all the words terms also has all the words old: each
// old word is inside one of the new ones ("insta" → "instagram", "gmail" → "gmail usa").
func extends(terms, old []string) bool {
	for _, o := range old {
		if !slices.ContainsFunc(terms, func(t string) bool { return strings.Contains(t, o) }) {
			return false
		}
	}
	return true
}

// narrow keeps, into dst, the rows of prev whose text has every word of terms not already in old.
func (ix *catalogIndex) narrow(prev []int32, terms, old []string, dst []int32) []int32 {
	var check []string
	for _, t := range terms {
		if !slices.Contains(old, t) {
			check = append(check, t)
		}
	}
	if len(check) == 0 {
		return append(dst, prev...)
	}
	for _, i := range prev {
		if ix.hasAll(i, check) {
			dst = append(dst, i)
		}
	}
	return dst
}

// hasAll reports whether row i's text (its own or its group's) holds every word.
func (ix *catalogIndex) hasAll(i int32, words []string) bool {
	text, shared := ix.blob[ix.starts[i]:ix.starts[i+1]], ix.groups[ix.groupOf[i]]
	for _, w := range words {
		if !strings.Contains(text, w) && !strings.Contains(shared, w) {
			return false
		}
	}
	return true
}

// passes reports whether row i passes everything of f but its text.
func (ix *catalogIndex) passes(i int, f *catalogFilter, need, want uint8, minP, maxP int64) bool {
	if ix.flags[i]&need != want ||
		f.MinPrice != nil && (ix.price[i] < minP || ix.price[i] == unknownPrice) ||
		f.MaxPrice != nil && (ix.price[i] > maxP || ix.price[i] == unknownPrice) {
		return false
	}
	if f.Category != "" || f.Subcategory != "" || f.FavOnly || f.WatchOnly {
		s := &ix.rows[i]
		if f.Category != "" && s.Category != f.Category ||
			f.Subcategory != "" && s.Subcategory != f.Subcategory ||
			f.FavOnly && !f.Favourites[s.Service] ||
			f.WatchOnly && !f.Watched[s.Service] {
			return false
		}
	}
	return true
}

// selectRows appends to dst, in row order, the rows that pass f with the words terms.
func (ix *catalogIndex) selectRows(f catalogFilter, terms []string, dst []int32) []int32 {
	var need, want uint8
	if f.InStock {
		need |= rowInStock
		want |= rowInStock
	}
	if f.AutoOnly {
		need |= rowAuto
		want |= rowAuto
	}
	if f.RefillOnly {
		need |= rowRefill
		want |= rowRefill
	}
	switch f.Kind {
	case client.EntityProduct:
		need |= rowProduct
		want |= rowProduct
	case client.EntitySMM:
		need |= rowProduct
	}
	var minP, maxP int64
	if f.MinPrice != nil {
		minP = f.MinPrice.Shift(unitScale).IntPart()
	}
	if f.MaxPrice != nil {
		maxP = f.MaxPrice.Shift(unitScale).IntPart()
	}
	n := len(ix.rows)
	if len(terms) == 0 {
		for i := range n {
			if ix.passes(i, &f, need, want, minP, maxP) {
				dst = append(dst, int32(i))
			}
		}
		return dst
	}
	// The longest word is usually the rarest: scan the blob for it, then check the others in
	// the rows it is in.
	first := 0
	for j, t := range terms {
		if len(t) > len(terms[first]) {
			first = j
		}
	}
	rest := slices.Delete(slices.Clone(terms), first, first+1)
	term := terms[first]
	blob, starts := ix.blob, ix.starts
	inGroups := false
	for g, text := range ix.groups {
		ix.groupHit[g] = strings.Contains(text, term)
		inGroups = inGroups || ix.groupHit[g]
	}
	if inGroups {
		// Rows whose shared texts hold the word, and rows whose own text does: one walk along
		// the rows, the blob searched from hit to hit beside it.
		next := func(from int) int {
			if k := strings.Index(blob[from:], term); k >= 0 {
				return from + k
			}
			return len(blob)
		}
		hit := next(0)
		for row := range n {
			end := int(starts[row+1])
			own := hit < end
			if own {
				hit = next(end) // one hit per row is enough
			}
			if (own || ix.groupHit[ix.groupOf[row]]) && ix.passes(row, &f, need, want, minP, maxP) &&
				(len(rest) == 0 || ix.hasAll(int32(row), rest)) {
				dst = append(dst, int32(row))
			}
		}
		return dst
	}
	row := 0
	for pos := 0; pos < len(blob); {
		k := strings.Index(blob[pos:], term)
		if k < 0 {
			break
		}
		at := int32(pos + k)
		for starts[row+1] <= at { // forward only: the hits come in blob order
			row++
		}
		if ix.passes(row, &f, need, want, minP, maxP) && (len(rest) == 0 || ix.hasAll(int32(row), rest)) {
			dst = append(dst, int32(row))
		}
		pos = int(starts[row+1]) // the next row: one hit per row is enough
	}
	return dst
}

// order appends the rows sel (in row order) to dst in the order of field, descending if desc.
// Few rows are sorted by their field; many are collected by one walk along the precomputed order.
func (ix *catalogIndex) order(sel []int32, field sortField, desc bool, dst []int32) []int32 {
	n := len(ix.rows)
	if len(sel) < n/32 {
		cmp := ix.compare(field)
		start := len(dst)
		dst = append(dst, sel...)
		part := dst[start:]
		slices.SortFunc(part, cmp)
		if desc {
			slices.Reverse(part)
		}
		return dst
	}
	mark := ix.mark
	if len(mark) != n {
		mark = make([]bool, n)
		ix.mark = mark
	}
	for _, i := range sel {
		mark[i] = true
	}
	ord := ix.orders[field]
	left := len(sel)
	for j := 0; j < n && left > 0; j++ {
		i := ord[j]
		if desc {
			i = ord[n-1-j]
		}
		if mark[i] {
			mark[i] = false
			dst = append(dst, i)
			left--
		}
	}
	return dst
}

// foldText makes text comparable for search in any language: lower case, accents and other
// combining marks removed (é → e, ё → е), full-width forms narrowed (ＡＢＣ → abc), control
// characters made spaces (so no text holds keyEnd). It folds rune by rune, so that a text
// folds the same alone or inside a row's key.
func foldText(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || c < 0x20 {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	newFolder(false).write(&b, s)
	return b.String()
}

// folder folds text (foldText) into a builder, remembering the fold of every other-than-ASCII
// rune it met: a catalog in Russian or Japanese folds each letter once, not once per row.
type folder struct {
	bmp   []string // the fold of each rune below 0x10000, once met
	met   []bool
	other map[rune]string
}

// newFolder makes a folder; table: with a table for the Basic Multilingual Plane (a whole
// catalog), else a map (a query).
func newFolder(table bool) *folder {
	f := &folder{other: map[rune]string{}}
	if table {
		f.bmp, f.met = make([]string, 0x10000), make([]bool, 0x10000)
	}
	return f
}

func (f *folder) write(b *strings.Builder, s string) {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case 'A' <= c && c <= 'Z':
				c += 'a' - 'A'
			case c < 0x20:
				c = ' '
			}
			b.WriteByte(c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if f.bmp != nil && r < 0x10000 {
			if !f.met[r] {
				f.bmp[r], f.met[r] = foldRune(r), true
			}
			b.WriteString(f.bmp[r])
			continue
		}
		fr, ok := f.other[r]
		if !ok {
			fr = foldRune(r)
			f.other[r] = fr
		}
		b.WriteString(fr)
	}
}

// foldRune is the fold of one rune other than ASCII: decomposed, its combining marks dropped,
// narrowed, composed again, lower case; control characters become spaces.
func foldRune(r rune) string {
	if r == utf8.RuneError || unicode.IsControl(r) {
		return " "
	}
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), width.Fold, norm.NFC)
	out, _, err := transform.String(t, string(r))
	if err != nil {
		out = string(r)
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 {
			return ' '
		}
		return unicode.ToLower(r)
	}, out)
}
