package gui

import (
	"math"
	"slices"
	"strconv"
	"strings"
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
	// blob holds every row's folded search text (number, id, name, category, subcategory, type,
	// description), each ended by keyEnd; row i's text is blob[starts[i]:starts[i+1]-1]. One
	// contiguous string lets strings.Index jump from match to match at memory speed.
	blob   string
	starts []int32
	price  []int64                 // the price of one unit (unitPrice); unknownPrice
	flags  []uint8                 // rowProduct, rowInStock, rowAuto, rowRefill
	orders [sortFieldCount][]int32 // ascending row order per field
	cats   []categoryCount         // categories in first-seen order, with their subcategories
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
	ix := &catalogIndex{rows: rows, starts: make([]int32, len(rows)+1), price: make([]int64, len(rows)), flags: make([]uint8, len(rows))}
	names := make([]string, len(rows))
	var blob strings.Builder
	catPos := map[string]int{}
	subPos := map[[2]string]int{}
	var b strings.Builder
	for i, s := range rows {
		b.Reset()
		b.WriteString(strconv.FormatInt(s.Service, 10))
		for _, part := range []string{s.ID, s.Name, s.Category, s.Subcategory, s.Type, s.Description} {
			b.WriteByte(0)
			b.WriteString(part)
		}
		ix.starts[i] = int32(blob.Len())
		blob.WriteString(stripControls(foldText(b.String())))
		blob.WriteByte(keyEnd)
		names[i] = foldText(s.Name)
		ix.price[i] = unitPrice(&rows[i]) // unknownPrice: outside every range, sorted after every price
		ix.flags[i] = flagsOf(s)

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
	ix.starts[len(rows)] = int32(blob.Len())
	ix.blob = blob.String()
	base := make([]int32, len(rows))
	for i := range base {
		base[i] = int32(i)
	}
	cmp := [sortFieldCount]func(a, b int32) int{
		sortByNumber: func(a, b int32) int { return compareInt(rows[a].Service, rows[b].Service) },
		sortByName:   func(a, b int32) int { return strings.Compare(names[a], names[b]) },
		sortByPrice:  func(a, b int32) int { return compareInt(ix.price[a], ix.price[b]) },
		sortByStock:  func(a, b int32) int { return compareInt(rows[a].Stock, rows[b].Stock) },
	}
	for f := range sortFieldCount {
		ord := slices.Clone(base)
		slices.SortStableFunc(ord, func(a, b int32) int {
			if c := cmp[f](a, b); c != 0 {
				return c
			}
			return compareInt(rows[a].Service, rows[b].Service)
		})
		ix.orders[f] = ord
	}
	return ix
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

// stripControls drops control characters, so that no text contains keyEnd or a NUL.
func stripControls(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 {
			return ' '
		}
		return r
	}, s)
}

// filter appends to dst[:0] the indexes of the rows that pass f, in f's order. It makes two
// passes: one in row order (memory order) that marks the rows passing every test, one along
// the precomputed sort order that collects them.
func (ix *catalogIndex) filter(f catalogFilter, dst []int32) []int32 {
	dst = dst[:0]
	if ix == nil || len(ix.rows) == 0 {
		return dst
	}
	n := len(ix.rows)
	sel := make([]bool, n)
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
	count := 0
	for i := range n {
		if ix.flags[i]&need != want ||
			f.MinPrice != nil && (ix.price[i] < minP || ix.price[i] == unknownPrice) ||
			f.MaxPrice != nil && (ix.price[i] > maxP || ix.price[i] == unknownPrice) {
			continue
		}
		if f.Category != "" || f.Subcategory != "" || f.FavOnly || f.WatchOnly {
			s := &ix.rows[i]
			if f.Category != "" && s.Category != f.Category ||
				f.Subcategory != "" && s.Subcategory != f.Subcategory ||
				f.FavOnly && !f.Favourites[s.Service] ||
				f.WatchOnly && !f.Watched[s.Service] {
				continue
			}
		}
		sel[i] = true
		count++
	}
	for _, term := range strings.Fields(stripControls(foldText(f.Text))) {
		if count == 0 {
			break
		}
		count = ix.keepMatching(sel, count, term)
	}
	ord := ix.orders[f.Sort]
	for j := range n {
		i := ord[j]
		if f.Desc {
			i = ord[n-1-j]
		}
		if sel[i] {
			dst = append(dst, i)
		}
	}
	return dst
}

// keepMatching clears sel[i] for every selected row whose text lacks term, and returns how many
// stay selected. With few rows selected it checks each; otherwise it finds every occurrence of
// term in the blob and keeps the rows that own one.
func (ix *catalogIndex) keepMatching(sel []bool, count int, term string) int {
	n := len(sel)
	if count < n/16 {
		kept := 0
		for i := range n {
			if sel[i] {
				if strings.Contains(ix.blob[ix.starts[i]:ix.starts[i+1]], term) {
					kept++
				} else {
					sel[i] = false
				}
			}
		}
		return kept
	}
	hit := make([]bool, n)
	for pos := 0; pos < len(ix.blob); {
		k := strings.Index(ix.blob[pos:], term)
		if k < 0 {
			break
		}
		row := ix.rowAt(pos + k)
		hit[row] = true
		pos = int(ix.starts[row+1]) // the next row: one match per row is enough
	}
	kept := 0
	for i := range n {
		if sel[i] && hit[i] {
			kept++
		} else {
			sel[i] = false
		}
	}
	return kept
}

// rowAt is the row whose text holds blob offset off.
func (ix *catalogIndex) rowAt(off int) int {
	o := int32(off)
	i, _ := slices.BinarySearch(ix.starts, o)
	if i == len(ix.starts) || ix.starts[i] != o {
		i--
	}
	return i
}

// foldText makes text comparable for search in any language: lower case, accents and other
// combining marks removed (é → e, ё → е), full-width forms narrowed (ＡＢＣ → abc). Pure ASCII,
// the common case, takes a fast path.
func foldText(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s)
	}
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), width.Fold, norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return strings.ToLower(out)
}
