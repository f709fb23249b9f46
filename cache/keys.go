package cache

import (
	"encoding/binary"
	"time"
)

// Key layout. Every record type has a one-byte prefix; numbers in keys are big-endian so that keys
// sort in numeric order, and times are Unix nanoseconds (UTC) as uint64, so that they sort by time.
//
//	0x01 name                               meta: schema version, counters
//	0x10 kind 0x00 lang 0x00 scope          snapshot pointer (current and previous generation)
//	0x11 gen(8) chunk(4)                    snapshot rows, a chunk of encoded rows per value
//	0x20 sha256(url)                        image bytes
//	0x21 sha256(url)                        image metadata (url, size, last access)
//	0x30 id(8)                              journal entry (spend)
//	0x31 state(1) id(8)                     journal index by state
//	0x38 order(8)                           order record (last status)
//	0x39 order(8) seq(4)                    order status history
//	0x3a placed(8) order(8)                 orders by time
//	0x3b order(8)                           open (non-terminal) orders
//	0x3c order(8)                           SMS number record
//	0x3d order(8) seq(4)                    SMS status history
//	0x3e placed(8) order(8)                 SMS numbers by time
//	0x3f order(8)                           open SMS numbers
//	0x40 order(8) kind(1) seq(4)            vault: one delivered credential or SMS code
//	0x41 order(8) kind(1) sha256(value)     vault de-duplication index
//	0x50 id(8)                              event
//	0x51 id(8)                              event not yet notified
//	0x52 dedupe key                         event by its caller-given key
//	0x60 at(8)                              balance point
//	0x70 id(8)                              mass order (batch)
//	0x71 id(8) line(4)                      a line of a mass order, with its journal entry
//	0x80 service(8)                         a watched service or product, with what was last seen
const (
	pfxMeta        byte = 0x01
	pfxSnapPtr     byte = 0x10
	pfxSnapRows    byte = 0x11
	pfxImage       byte = 0x20
	pfxImageMeta   byte = 0x21
	pfxSpend       byte = 0x30
	pfxSpendState  byte = 0x31
	pfxOrder       byte = 0x38
	pfxOrderHist   byte = 0x39
	pfxOrderTime   byte = 0x3a
	pfxOrderOpen   byte = 0x3b
	pfxSMS         byte = 0x3c
	pfxSMSHist     byte = 0x3d
	pfxSMSTime     byte = 0x3e
	pfxSMSOpen     byte = 0x3f
	pfxVault       byte = 0x40
	pfxVaultDedup  byte = 0x41
	pfxEvent       byte = 0x50
	pfxEventUnsent byte = 0x51
	pfxEventKey    byte = 0x52
	pfxBalance     byte = 0x60
	pfxBatch       byte = 0x70
	pfxBatchLine   byte = 0x71
	pfxWatch       byte = 0x80
)

func metaKey(name string) []byte { return append([]byte{pfxMeta}, name...) }

func u64Key(pfx byte, v uint64) []byte {
	k := make([]byte, 9)
	k[0] = pfx
	binary.BigEndian.PutUint64(k[1:], v)
	return k
}

func u64u32Key(pfx byte, a uint64, b uint32) []byte {
	k := make([]byte, 13)
	k[0] = pfx
	binary.BigEndian.PutUint64(k[1:], a)
	binary.BigEndian.PutUint32(k[9:], b)
	return k
}

func u64u64Key(pfx byte, a, b uint64) []byte {
	k := make([]byte, 17)
	k[0] = pfx
	binary.BigEndian.PutUint64(k[1:], a)
	binary.BigEndian.PutUint64(k[9:], b)
	return k
}

func prefixU64(pfx byte, v uint64) []byte { return u64Key(pfx, v) }

// timeKey turns a time into a sortable uint64: Unix nanoseconds, clamped at 0 for times before 1970.
func timeKey(t time.Time) uint64 {
	n := t.UnixNano()
	if n < 0 {
		return 0
	}
	return uint64(n)
}

func keyU64(k []byte, off int) uint64 { return binary.BigEndian.Uint64(k[off : off+8]) }

func u64b(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

// prefixEnd returns the smallest key greater than every key starting with p, for reverse iteration.
func prefixEnd(p []byte) []byte {
	end := append([]byte(nil), p...)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}
