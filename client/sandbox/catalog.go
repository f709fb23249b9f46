package sandbox

import (
	"encoding/binary"
	"encoding/hex"
	"strconv"
	"strings"
)

// The catalog is built once by New and never changes afterwards, so any number
// of requests read it without locking. The only mutable part of a listing, the
// stock, lives in Server.stock (atomics indexed by a row's or a subproduct's
// slot).

type subproduct struct {
	id    string
	name  string // English
	price int64  // ten-thousandths, per unit
	slot  int32
}

type row struct {
	id                    string
	number                int
	name                  string // English
	head, mid, tail, sfx  string // name parts for translation
	typ                   string
	category, subcategory string
	rate                  int64 // ten-thousandths: per 1000 (smm) or per unit (product)
	min, max              int
	refill, cancel, auto  bool
	kind                  entity
	shop                  int32 // index into catalog.shops, -1 for none
	slot                  int32 // smm: stock slot; product: -1
	subs                  []subproduct
	description           string
	cred                  credKind
	domain                string
}

// localName is the row's name in l.
func (r *row) localName(l lang) string {
	if l == langEN {
		return r.name
	}
	return joinName(tr(r.head, l), tr(r.mid, l), tr(r.tail, l)) + r.sfx
}

func joinName(head, mid, tail string) string {
	var b strings.Builder
	b.Grow(len(head) + len(mid) + len(tail) + 4)
	b.WriteString(head)
	if mid != "" {
		b.WriteByte(' ')
		b.WriteString(mid)
	}
	if tail != "" {
		b.WriteString(" - ")
		b.WriteString(tail)
	}
	return b.String()
}

type shop struct {
	id, name     string // name is masked
	ratingTenths int
	reviews      int
	products     int
}

type categoryEntry struct {
	name string
	subs []string
}

type project struct {
	id      string
	name    string // English
	sender  string
	price   int64 // ten-thousandths
	country int   // index into catalog.countries
}

type catalog struct {
	rows       []row // rows[i].number == i+1
	byID       map[string]int32
	categories []categoryEntry
	shops      []shop
	shopByID   map[string]int32
	initStock  []int64 // initial stock per slot
	countries  []smsCountry
	projects   []project
	projectID  map[string]int32
}

// row returns the row with service number n.
func (c *catalog) row(n int) *row {
	if n < 1 || n > len(c.rows) {
		return nil
	}
	return &c.rows[n-1]
}

// lookup finds a row by service number or by its 24-hex id.
func (c *catalog) lookup(s string) *row {
	s = strings.TrimSpace(s)
	if n, err := strconv.Atoi(s); err == nil {
		return c.row(n)
	}
	if i, ok := c.byID[strings.ToLower(s)]; ok {
		return &c.rows[i]
	}
	return nil
}

func (c *catalog) country(code string) (int, bool) {
	code = strings.ToLower(strings.TrimSpace(code))
	for i := range c.countries {
		if c.countries[i].code == code {
			return i, true
		}
	}
	return 0, false
}

// Object id kinds; each has its own timestamp base so ids never collide across
// kinds.
const (
	kindService uint64 = iota + 1
	kindSubproduct
	kindShop
	kindProject
)

var objectIDBase = map[uint64]uint32{
	kindService:    0x66500000,
	kindSubproduct: 0x674a0000,
	kindShop:       0x65d00000,
	kindProject:    0x65f00000,
}

// objectID makes a MongoDB-like ObjectId: a timestamp, five bytes that depend
// on the seed and kind, and a three-byte counter. Distinct idx give distinct
// ids.
func objectID(seed int64, kind uint64, idx int) string {
	var b [12]byte
	binary.BigEndian.PutUint32(b[0:4], objectIDBase[kind]+uint32(idx>>24))
	r := hash(seed, kind, 0x1d)
	b[4], b[5], b[6], b[7], b[8] = byte(r), byte(r>>8), byte(r>>16), byte(r>>24), byte(r>>32)
	b[9], b[10], b[11] = byte(idx>>16), byte(idx>>8), byte(idx)
	return hex.EncodeToString(b[:])
}

// mix64 is the splitmix64 finaliser.
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// hash derives a deterministic pseudo-random value from the seed, a tag that
// names the use, and an index.
func hash(seed int64, tag, i uint64) uint64 {
	return mix64(mix64(mix64(uint64(seed))^tag) ^ i)
}

// Hash tags.
const (
	tagJitter uint64 = iota + 100
	tagStock
	tagOut
	tagShop
	tagSMMShop
	tagSubOut
	tagRating
	tagReviews
	tagOutcome
	tagStart
	tagCred
	tagDuration
	tagPhone
	tagCode
)

// rangeOf maps h to [lo, hi].
func rangeOf(h uint64, lo, hi int64) int64 {
	return lo + int64(h%uint64(hi-lo+1))
}

// roundUnits rounds ten-thousandths to a multiple of step (half up), at least step.
func roundUnits(v, step int64) int64 {
	v = (v + step/2) / step * step
	if v < step {
		v = step
	}
	return v
}

// buildCatalog makes the catalog for a seed: the default catalog when n == 0,
// else exactly n rows cycling through the same templates in an order that
// spreads consecutive rows over categories and entity types.
func buildCatalog(seed int64, n int) *catalog {
	tpls := templates()
	stride := 1
	if n == 0 {
		n = len(tpls)
	} else {
		stride = coprimeStride(len(tpls))
	}
	c := &catalog{
		rows:      make([]row, n),
		byID:      make(map[string]int32, n),
		shopByID:  make(map[string]int32, len(shopNames)),
		projectID: map[string]int32{},
		countries: smsCountries,
	}
	for i, name := range shopNames {
		s := shop{
			id:           objectID(seed, kindShop, i),
			name:         maskName(name),
			ratingTenths: int(rangeOf(hash(seed, tagRating, uint64(i)), 32, 50)),
			reviews:      int(rangeOf(hash(seed, tagReviews, uint64(i)), 3, 4200)),
		}
		if i%11 == 7 { // a few poorly rated shops
			s.ratingTenths = int(rangeOf(hash(seed, tagRating, uint64(i)), 12, 29))
		}
		c.shops = append(c.shops, s)
		c.shopByID[s.id] = int32(i)
	}

	catIndex := map[string]int{}
	subSeen := map[string]bool{}
	// Product subproducts take about 2.7 slots each; size for the worst case.
	c.initStock = make([]int64, 0, n*2)
	subIdx := 0
	for i := 0; i < n; i++ {
		t := &tpls[(i*stride)%len(tpls)]
		r := &c.rows[i]
		ui := uint64(i)
		r.id = objectID(seed, kindService, i)
		r.number = i + 1
		r.head, r.mid, r.tail = t.head, t.mid, t.tail
		if cycle := i / len(tpls); cycle > 0 {
			r.sfx = " #" + strconv.Itoa(cycle+1)
		}
		r.name = joinName(t.head, t.mid, t.tail) + r.sfx
		r.typ = t.typ
		r.category, r.subcategory = t.category, t.subcategory
		r.min, r.max = t.min, t.max
		r.refill, r.cancel, r.auto = t.refill, t.cancel, t.auto
		r.kind = t.kind
		r.description, r.cred, r.domain = t.description, t.cred, t.domain
		r.shop, r.slot = -1, -1
		jitter := rangeOf(hash(seed, tagJitter, ui), 90, 110)
		out := hash(seed, tagOut, ui)%23 == 5
		if t.kind == entitySMM {
			v := t.price * jitter / 100
			if v >= 1000 { // from 0.10 up, whole cents
				v = roundUnits(v, 100)
			} else {
				v = roundUnits(v, 1)
			}
			r.rate = v
			stock := t.stock * rangeOf(hash(seed, tagStock, ui), 3, 30)
			if out {
				stock = 0
			}
			r.slot = int32(len(c.initStock))
			c.initStock = append(c.initStock, stock)
			if hash(seed, tagSMMShop, ui)%10 < 3 {
				r.shop = int32(hash(seed, tagShop, ui) % uint64(len(c.shops)))
			}
		} else {
			r.subs = make([]subproduct, len(t.subs))
			for j, st := range t.subs {
				stock := t.stock * st.stockPct / 100 * rangeOf(hash(seed, tagStock, ui<<3|uint64(j)), 30, 170) / 100
				if out || (j > 0 && hash(seed, tagSubOut, ui<<3|uint64(j))%5 == 0) {
					stock = 0
				}
				r.subs[j] = subproduct{
					id:    objectID(seed, kindSubproduct, subIdx),
					name:  st.name,
					price: roundUnits(t.price*st.pricePct/100*jitter/100, 100),
					slot:  int32(len(c.initStock)),
				}
				subIdx++
				c.initStock = append(c.initStock, stock)
			}
			r.rate = r.subs[0].price
			r.shop = int32(hash(seed, tagShop, ui) % uint64(len(c.shops)))
			c.shops[r.shop].products++
		}
		c.byID[r.id] = int32(i)

		ci, ok := catIndex[r.category]
		if !ok {
			ci = len(c.categories)
			catIndex[r.category] = ci
			c.categories = append(c.categories, categoryEntry{name: r.category})
		}
		if key := r.category + "\x00" + r.subcategory; !subSeen[key] {
			subSeen[key] = true
			c.categories[ci].subs = append(c.categories[ci].subs, r.subcategory)
		}
	}

	for ci := range c.countries {
		cc := &c.countries[ci]
		for _, pt := range smsProjectTemplates {
			p := project{
				id:      objectID(seed, kindProject, len(c.projects)),
				name:    pt.name,
				sender:  pt.sender,
				price:   roundUnits(pt.price*cc.pricePct/100, 1),
				country: ci,
			}
			c.projectID[p.id] = int32(len(c.projects))
			c.projects = append(c.projects, p)
		}
	}
	return c
}

// coprimeStride picks a step near a third of n that is coprime with n, so
// that i*stride mod n visits every template once per cycle.
func coprimeStride(n int) int {
	if n <= 2 {
		return 1
	}
	for s := n/3 + 1; s < n; s++ {
		if gcd(s, n) == 1 {
			return s
		}
	}
	return 1
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
