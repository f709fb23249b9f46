package cache

import (
	"encoding/binary"
	"errors"
	"math"
	"slices"

	"github.com/shopspring/decimal"

	"github.com/hstockplus/hstockplus/client"
)

// Catalog rows are stored in a compact binary form, many rows per value ("chunk"): at 100,000
// services encoding/json (and the client's tolerant UnmarshalJSON) would take most of the time
// budget of a load. A chunk is
//
//	version(1) kind(1) count(uvarint) row...
//
// and a row is its fields in declaration order: strings as uvarint length + bytes, integers as
// zig-zag varints, booleans packed in one flags byte, money as (tag, coefficient, exponent) so the
// scale survives ("0.50" stays "0.50"), float64 (a shop's rating, not money) as its 8 IEEE bytes.
// A chunk of an unknown version is refused (the snapshot is then reported absent and refetched: a
// catalog is a cache). TestCodecCoversEveryField fails when a client model gains a field that the
// codec would drop.
//
// Versions:
//
//	1  the first layout.
//	2  a service's flags byte gains flagRateUnknown; an SMS project gains a flags byte
//	   (flagPriceUnknown) after its price. Everything else is as in version 1.
//
// Chunks of version 1 still decode. They cannot tell a missing price from a price of exactly 0,
// both written as the zero value (tag 0): such a price is read as unknown (RateUnknown,
// PriceUnknown), never as a price of 0. ("0.00" has another tag and stays a known 0.)
const chunkVersion = 2

// minChunkVersion is the oldest version decodeChunk reads.
const minChunkVersion = 1

// chunkTarget is the encoded size at which a chunk is closed: small enough to stay inside
// Badger's LSM tree (values under 1 MiB are), big enough that 100k rows are a few hundred keys.
// Chunks of 2 MiB went to the value log and were written faster, but the value log is given
// back only after compactions that a store this small seldom runs: every catalogue saved kept
// its 21 MB on disk (12 saves: 128 → 262 MiB of value log), where the tree's compactions give
// the old generations' space back. A variable for tests.
var chunkTarget = 64 << 10

var errShort = errors.New("truncated row")

// maxExponent bounds the exponent of a decoded decimal: a damaged chunk must not produce a number
// whose printing takes a billion digits. (client.ParseDecimal allows ±40.)
const maxExponent = 64

type wbuf struct{ b []byte }

func (w *wbuf) uvarint(v uint64) { w.b = binary.AppendUvarint(w.b, v) }
func (w *wbuf) varint(v int64)   { w.b = binary.AppendVarint(w.b, v) }
func (w *wbuf) byte1(v byte)     { w.b = append(w.b, v) }
func (w *wbuf) str(s string) {
	w.uvarint(uint64(len(s)))
	w.b = append(w.b, s...)
}
func (w *wbuf) strs(v []string) {
	if v == nil {
		w.uvarint(0)
		return
	}
	w.uvarint(uint64(len(v)) + 1)
	for _, s := range v {
		w.str(s)
	}
}
func (w *wbuf) f64(v float64) { w.b = binary.LittleEndian.AppendUint64(w.b, math.Float64bits(v)) }

// dec writes a decimal exactly, keeping its scale.
//
//	0                         the zero value (client.Decimal{})
//	1 coefficient exponent    coefficient fits an int64
//	2 text                    anything bigger
func (w *wbuf) dec(d client.Decimal) {
	c := d.Coefficient()
	switch {
	case c.Sign() == 0 && d.Exponent() == 0:
		w.byte1(0)
	case c.IsInt64():
		w.byte1(1)
		w.varint(c.Int64())
		w.varint(int64(d.Exponent()))
	default:
		w.byte1(2)
		w.str(d.String())
	}
}

// rbuf reads from a string so that decoded strings share its memory: one allocation per chunk
// instead of one per field.
type rbuf struct {
	s   string
	off int
	err error
	ver byte // the chunk's version
	// rates: the amounts read so far, by coefficient and exponent, so that rows of the same price
	// share one (a Decimal is never changed in place; each holds a big.Int of its own otherwise).
	rates map[[2]int64]client.Decimal
}

// maxRates bounds rbuf.rates.
const maxRates = 4096

func (r *rbuf) fail() {
	if r.err == nil {
		r.err = errShort
	}
	r.off = len(r.s)
}

func (r *rbuf) uvarint() uint64 {
	var x uint64
	var sh uint
	for i := 0; i < binary.MaxVarintLen64; i++ {
		if r.off >= len(r.s) {
			r.fail()
			return 0
		}
		c := r.s[r.off]
		r.off++
		if c < 0x80 {
			return x | uint64(c)<<sh
		}
		x |= uint64(c&0x7f) << sh
		sh += 7
	}
	r.fail()
	return 0
}

func (r *rbuf) varint() int64 {
	u := r.uvarint()
	x := int64(u >> 1)
	if u&1 != 0 {
		x = ^x
	}
	return x
}

func (r *rbuf) byte1() byte {
	if r.off >= len(r.s) {
		r.fail()
		return 0
	}
	c := r.s[r.off]
	r.off++
	return c
}

func (r *rbuf) str() string {
	n := r.uvarint()
	if n > uint64(len(r.s)-r.off) {
		r.fail()
		return ""
	}
	s := r.s[r.off : r.off+int(n)]
	r.off += int(n)
	return s
}

func (r *rbuf) strs() []string {
	n := r.uvarint()
	if n == 0 {
		return nil
	}
	n--
	if n > uint64(len(r.s)-r.off) {
		r.fail()
		return nil
	}
	v := make([]string, n)
	for i := range v {
		v[i] = r.str()
	}
	return v
}

func (r *rbuf) f64() float64 {
	if len(r.s)-r.off < 8 {
		r.fail()
		return 0
	}
	var u uint64
	for i := 7; i >= 0; i-- {
		u = u<<8 | uint64(r.s[r.off+i])
	}
	r.off += 8
	return math.Float64frombits(u)
}

// decTag reads a decimal (see wbuf.dec) and reports whether it was written as the zero value
// (tag 0).
func (r *rbuf) decTag() (client.Decimal, bool) {
	switch r.byte1() {
	case 0:
		return client.Decimal{}, true
	case 1:
		c := r.varint()
		e := r.varint()
		if e < -maxExponent || e > maxExponent {
			r.fail()
			return client.Decimal{}, false
		}
		k := [2]int64{c, e}
		if d, ok := r.rates[k]; ok {
			return d, false
		}
		d := client.NewDecimal(decimal.New(c, int32(e)))
		if r.rates == nil {
			r.rates = map[[2]int64]client.Decimal{}
		}
		if len(r.rates) < maxRates {
			r.rates[k] = d
		}
		return d, false
	case 2:
		d, err := client.ParseDecimal(r.str())
		if err != nil && r.err == nil {
			r.err = err
		}
		return d, false
	default:
		r.fail()
		return client.Decimal{}, false
	}
}

// rowCodec encodes one kind of catalog row.
type rowCodec[T any] struct {
	kind Kind
	tag  byte
	enc  func(w *wbuf, v *T)
	dec  func(r *rbuf, v *T)
}

const (
	flagRefill = 1 << iota
	flagCancel
	flagAutoDelivery
	flagRateUnknown // version 2
)

// flagPriceUnknown is the bit of an SMS project's flags byte (version 2).
const flagPriceUnknown = 1

func encService(w *wbuf, s *client.Service) {
	w.str(s.ID)
	w.varint(s.Service)
	w.str(s.Name)
	w.str(s.Type)
	w.str(s.Category)
	w.str(s.Subcategory)
	w.dec(s.Rate)
	w.varint(s.Min)
	w.varint(s.Max)
	w.varint(s.Stock)
	var f byte
	if s.Refill {
		f |= flagRefill
	}
	if s.Cancel {
		f |= flagCancel
	}
	if s.AutoDelivery {
		f |= flagAutoDelivery
	}
	if s.RateUnknown {
		f |= flagRateUnknown
	}
	w.byte1(f)
	w.str(s.EntityType)
	w.str(s.Description)
	w.str(s.ImageURL)
}

func decService(r *rbuf, s *client.Service) {
	s.ID = r.str()
	s.Service = r.varint()
	s.Name = r.str()
	s.Type = r.str()
	s.Category = r.str()
	s.Subcategory = r.str()
	rate, zeroTag := r.decTag()
	s.Rate = rate
	s.Min = r.varint()
	s.Max = r.varint()
	s.Stock = r.varint()
	f := r.byte1()
	s.Refill = f&flagRefill != 0
	s.Cancel = f&flagCancel != 0
	s.AutoDelivery = f&flagAutoDelivery != 0
	if r.ver >= 2 {
		s.RateUnknown = f&flagRateUnknown != 0
	} else {
		s.RateUnknown = zeroTag
	}
	s.EntityType = r.str()
	s.Description = r.str()
	s.ImageURL = r.str()
}

var (
	servicesCodec = &rowCodec[client.Service]{kind: KindServices, tag: 1, enc: encService, dec: decService}
	productsCodec = &rowCodec[client.Service]{kind: KindProducts, tag: 2, enc: encService, dec: decService}

	categoriesCodec = &rowCodec[client.Category]{kind: KindCategories, tag: 3,
		enc: func(w *wbuf, c *client.Category) {
			w.str(c.Category)
			w.strs(c.Subcategories)
		},
		dec: func(r *rbuf, c *client.Category) {
			c.Category = r.str()
			c.Subcategories = r.strs()
		},
	}

	shopsCodec = &rowCodec[client.Shop]{kind: KindShops, tag: 4,
		enc: func(w *wbuf, s *client.Shop) {
			w.str(s.ID)
			w.str(s.Name)
			w.varint(int64(s.ProductCount))
			w.f64(s.Rating)
			w.varint(int64(s.ReviewCount))
		},
		dec: func(r *rbuf, s *client.Shop) {
			s.ID = r.str()
			s.Name = r.str()
			s.ProductCount = int(r.varint())
			s.Rating = r.f64()
			s.ReviewCount = int(r.varint())
		},
	}

	smsCountriesCodec = &rowCodec[client.SMSCountry]{kind: KindSMSCountries, tag: 5,
		enc: func(w *wbuf, c *client.SMSCountry) {
			w.str(c.Code)
			w.str(c.Name)
		},
		dec: func(r *rbuf, c *client.SMSCountry) {
			c.Code = r.str()
			c.Name = r.str()
		},
	}

	smsProjectsCodec = &rowCodec[client.SMSProject]{kind: KindSMSProjects, tag: 6,
		enc: func(w *wbuf, p *client.SMSProject) {
			w.str(p.ProjectID)
			w.str(p.Name)
			w.dec(p.Price)
			var f byte
			if p.PriceUnknown {
				f |= flagPriceUnknown
			}
			w.byte1(f)
			w.str(p.CountryID)
			w.str(p.CountryTitle)
		},
		dec: func(r *rbuf, p *client.SMSProject) {
			p.ProjectID = r.str()
			p.Name = r.str()
			price, zeroTag := r.decTag()
			p.Price = price
			if r.ver >= 2 {
				p.PriceUnknown = r.byte1()&flagPriceUnknown != 0
			} else {
				p.PriceUnknown = zeroTag
			}
			p.CountryID = r.str()
			p.CountryTitle = r.str()
		},
	}
)

// encodeChunks encodes rows into chunks of about chunkTarget bytes.
func encodeChunks[T any](c *rowCodec[T], rows []T) [][]byte {
	var chunks [][]byte
	_ = eachChunk(c, rows, chunkTarget, nil, func(ch []byte) error {
		chunks = append(chunks, ch)
		return nil
	})
	return chunks
}

// eachChunk encodes rows chunk by chunk (about target bytes each) into buffers from get (nil: a
// new one each) and hands each to fn; an error from fn stops it.
func eachChunk[T any](c *rowCodec[T], rows []T, target int, get func(size int) []byte, fn func([]byte) error) error {
	w := &wbuf{b: make([]byte, 0, min(target+target/8, 64*len(rows)+64))}
	var start int // index of the first row of the open chunk
	flush := func(end int) error {
		if end == start {
			return nil
		}
		size := 12 + len(w.b)
		var out []byte
		if get != nil {
			out = get(size)
		}
		if cap(out) < size {
			out = make([]byte, 0, size)
		}
		h := &wbuf{b: out[:0]}
		h.byte1(chunkVersion)
		h.byte1(c.tag)
		h.uvarint(uint64(end - start))
		h.b = append(h.b, w.b...)
		w.b = w.b[:0]
		start = end
		return fn(h.b)
	}
	for i := range rows {
		c.enc(w, &rows[i])
		if len(w.b) >= target {
			if err := flush(i + 1); err != nil {
				return err
			}
		}
	}
	return flush(len(rows))
}

// decodeChunk appends the rows of one chunk to dst.
func decodeChunk[T any](c *rowCodec[T], chunk []byte, dst []T) ([]T, error) {
	return decodeChunkString(c, string(chunk), dst)
}

// decodeChunkString is decodeChunk on a chunk already copied into a string (the rows' texts
// point into it).
// chunkRows is the number of rows a chunk says it holds (decodeChunkString checks the rest).
func chunkRows(chunk string) (int, error) {
	_, n, err := chunkHeader(&rbuf{s: chunk})
	return n, err
}

// chunkHeader reads a chunk's version, kind and row count.
func chunkHeader(r *rbuf) (tag byte, n int, err error) {
	r.ver, tag = r.byte1(), r.byte1()
	rows := r.uvarint()
	if r.err != nil || rows > uint64(len(r.s)) {
		return 0, 0, errShort
	}
	return tag, int(rows), nil
}

func decodeChunkString[T any](c *rowCodec[T], chunk string, dst []T) ([]T, error) {
	r := &rbuf{s: chunk}
	t, n, err := chunkHeader(r)
	switch {
	case r.ver < minChunkVersion || r.ver > chunkVersion:
		return dst, errors.New("unknown chunk version")
	case t != c.tag:
		return dst, errors.New("chunk of another kind")
	case err != nil:
		return dst, err
	}
	base := len(dst)
	dst = slices.Grow(dst, n)[:base+n]
	for i := base; i < len(dst); i++ {
		c.dec(r, &dst[i])
	}
	if r.err != nil {
		return dst[:base], r.err
	}
	if r.off != len(r.s) {
		return dst[:base], errors.New("trailing bytes in chunk")
	}
	return dst, nil
}
