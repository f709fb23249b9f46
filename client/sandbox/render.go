package sandbox

import (
	"strconv"
	"unicode/utf8"
)

// Listings of 100,000 rows are rendered by hand into one buffer: it is several
// times faster than encoding/json over structs and keeps the field order of the
// provider's examples.

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD;
// U+2028 and U+2029 are escaped, like encoding/json does.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, "true"...)
	}
	return append(b, "false"...)
}

// listCtx carries what a listing needs besides the catalog.
type listCtx struct {
	lang   lang
	imgEsc []byte // JSON-escaped image base URL without quotes, e.g. http://127.0.0.1:8731
	stock  func(slot int32) int64
	rate   func(r *row) int64 // nil: the catalog's
}

// escapeFragment returns s JSON-escaped, without the surrounding quotes.
func escapeFragment(s string) []byte {
	b := appendString(nil, s)
	return b[1 : len(b)-1]
}

// rowStock is a row's visible stock: its slot for SMM, the sum over the
// subproducts for a product.
func rowStock(r *row, stock func(int32) int64) int64 {
	if r.kind == entitySMM {
		return stock(r.slot)
	}
	var n int64
	for i := range r.subs {
		n += stock(r.subs[i].slot)
	}
	return n
}

// appendRow appends one services/products row.
func (c *catalog) appendRow(b []byte, r *row, lc *listCtx) []byte {
	b = append(b, `{"id":"`...)
	b = append(b, r.id...)
	b = append(b, `","service":`...)
	b = strconv.AppendInt(b, int64(r.number), 10)
	b = append(b, `,"name":`...)
	b = appendString(b, r.localName(lc.lang))
	b = append(b, `,"type":`...)
	b = appendString(b, r.typ)
	b = append(b, `,"category":`...)
	b = appendString(b, tr(r.category, lc.lang))
	b = append(b, `,"subcategory":`...)
	b = appendString(b, tr(r.subcategory, lc.lang))
	b = append(b, `,"rate":"`...)
	rate := r.rate
	if lc.rate != nil {
		rate = lc.rate(r)
	}
	b = appendUnits(b, rate, true)
	b = append(b, `","min":`...)
	b = strconv.AppendInt(b, int64(r.min), 10)
	b = append(b, `,"max":`...)
	b = strconv.AppendInt(b, int64(r.max), 10)
	b = append(b, `,"refill":`...)
	b = appendBool(b, r.refill)
	b = append(b, `,"cancel":`...)
	b = appendBool(b, r.cancel)
	b = append(b, `,"stock":`...)
	b = strconv.AppendInt(b, rowStock(r, lc.stock), 10)
	b = append(b, `,"entityType":"`...)
	b = append(b, r.kind.String()...)
	b = append(b, `","autoDelivery":`...)
	b = appendBool(b, r.auto)
	if r.shop >= 0 {
		b = append(b, `,"shopId":"`...)
		b = append(b, c.shops[r.shop].id...)
		b = append(b, '"')
	}
	if r.kind == entityProduct {
		b = append(b, `,"description":`...)
		b = appendString(b, r.description)
		b = append(b, `,"imageUrl":"`...)
		b = append(b, lc.imgEsc...)
		b = append(b, "/img/"...)
		b = append(b, r.id...)
		b = append(b, `.png"`...)
	}
	return append(b, '}')
}

// appendListing renders {"<key>":[rows...],"total":…,"page":…,"limit":…,"total_pages":…}.
func (c *catalog) appendListing(b []byte, key string, idx []int32, total, page, limit, pages int, lc *listCtx) []byte {
	b = append(b, `{"`...)
	b = append(b, key...)
	b = append(b, `":[`...)
	for i, ri := range idx {
		if i > 0 {
			b = append(b, ',')
		}
		b = c.appendRow(b, &c.rows[ri], lc)
	}
	b = append(b, `],"total":`...)
	b = strconv.AppendInt(b, int64(total), 10)
	b = append(b, `,"page":`...)
	b = strconv.AppendInt(b, int64(page), 10)
	b = append(b, `,"limit":`...)
	b = strconv.AppendInt(b, int64(limit), 10)
	b = append(b, `,"total_pages":`...)
	b = strconv.AppendInt(b, int64(pages), 10)
	return append(b, '}')
}
