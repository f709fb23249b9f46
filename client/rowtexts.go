package client

import "strings"

// rowTexts makes the texts of one catalogue answer's rows with few allocations: a text that rows
// repeat (type, category, subcategory, entity type, description, image address) is made once and
// shared; ids and names are packed into blocks of packBlock bytes; a rate written the same way as
// an earlier one is the same Decimal (a Decimal is never changed in place). 100,000 rows are then
// a few thousand allocations instead of about two million, and the download's peak is the answer
// and the rows, not the garbage between two collections. A nil *rowTexts makes plain copies.
type rowTexts struct {
	shared map[string]string
	rates  map[string]flexDecimal
	blk    strings.Builder // the open block: written only up to its capacity, so never moved
}

const (
	// packBlock is the size of a block of packed texts; a text over packBlock/16 gets its own.
	packBlock = 64 << 10
	// maxShared bounds the distinct texts and rates remembered: past it (an answer whose
	// "shared" texts are all different), new ones are plain copies.
	maxShared = 1 << 14
)

func newRowTexts() *rowTexts {
	return &rowTexts{shared: map[string]string{}, rates: map[string]flexDecimal{}}
}

// text returns b as a string: shared or packed.
func (t *rowTexts) text(b []byte, shared bool) string {
	switch {
	case len(b) == 0:
		return ""
	case t == nil:
		return string(b)
	case shared:
		if v, ok := t.shared[string(b)]; ok {
			return v
		}
		return t.share(string(b))
	}
	return t.pack(b)
}

// share returns the shared copy of s, remembering s as it when there is room.
func (t *rowTexts) share(s string) string {
	if t == nil || s == "" {
		return s
	}
	if v, ok := t.shared[s]; ok {
		return v
	}
	if len(t.shared) < maxShared {
		t.shared[s] = s
	}
	return s
}

// pack copies b into the open block (a new one when it has no room) and returns it from there.
func (t *rowTexts) pack(b []byte) string {
	if len(b) > packBlock/16 {
		return string(b)
	}
	if t.blk.Cap()-t.blk.Len() < len(b) {
		t.blk = strings.Builder{}
		t.blk.Grow(packBlock)
	}
	at := t.blk.Len()
	t.blk.Write(b)
	return t.blk.String()[at:]
}

// keepRate remembers the rate written as b.
func (t *rowTexts) keepRate(b []byte, v flexDecimal) {
	if t != nil && len(t.rates) < maxShared {
		t.rates[string(b)] = v
	}
}
