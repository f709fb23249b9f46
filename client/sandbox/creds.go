package sandbox

import (
	"strconv"
	"strings"
)

const (
	passwordAlphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	keyAlphabet      = "0123456789ABCDEFGHJKMNPQRSTVWXYZ" // Crockford base32
)

// credential is the i-th credential string a product order delivers. It is a
// pure function of the seed, the order and i, so repeated status calls show the
// same strings; every string is unique, because it embeds order id × 1000 + i
// (a product order has at most 1000 units) or a bijection of it.
func (s *Server) credential(o *order, i int) string {
	x := uint64(o.id)*1000 + uint64(i)
	h := hash(s.seed, tagCred, x)
	first := firstNames[h%uint64(len(firstNames))]
	last := lastNames[(h>>8)%uint64(len(lastNames))]
	num := strconv.FormatUint(x, 10)
	pass := password(hash(s.seed, tagCred^0xff, x), 12)
	switch o.row.cred {
	case credEmail:
		domain := o.row.domain
		if domain == "" {
			domain = "gmail.com"
		}
		return first + "." + last + num + "@" + domain + ":" + pass
	case credProxy:
		nets := [...]string{"198.51.100.", "203.0.113.", "192.0.2."} // documentation ranges
		host := nets[(h>>16)%3] + strconv.FormatUint(1+(h>>24)%254, 10)
		port := strconv.FormatUint(10000+(h>>32)%50000, 10)
		return host + ":" + port + ":u" + num + ":" + pass
	case credKey:
		// mix64 is a bijection, so distinct x give distinct 64-bit values;
		// 13 base32 digits hold all 64 bits.
		v := mix64(x ^ uint64(s.seed)*0x9e3779b97f4a7c15)
		var b strings.Builder
		for j := range 15 {
			if j > 0 && j%5 == 0 {
				b.WriteByte('-')
			}
			if j < 13 {
				b.WriteByte(keyAlphabet[v&31])
				v >>= 5
			} else {
				b.WriteByte(keyAlphabet[(h>>(5*(j-13)))&31])
			}
		}
		return b.String()
	}
	return first + "_" + last + num + ":" + pass
}

// password renders n characters from h (re-mixed as needed).
func password(h uint64, n int) string {
	b := make([]byte, n)
	for i := range b {
		if i > 0 && i%8 == 0 {
			h = mix64(h)
		}
		b[i] = passwordAlphabet[h%uint64(len(passwordAlphabet))]
		h /= uint64(len(passwordAlphabet))
	}
	return string(b)
}
