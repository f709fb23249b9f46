package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strings"
)

// A catalogue answer is large (about 37 MB at 100,000 rows): held whole while its rows are made,
// it doubles what a download costs, and an answer of unknown length (a compressed one) costs its
// size once more when its pieces are joined. So an answer of a catalogue read that is larger than
// streamAbove, answered 200 and shaped as the documents show it (a bare array, or an object whose
// first member is the list) is decoded as it arrives, through a window, and never held whole.
// Anything else is read whole and decoded as every other answer is.
const (
	streamAbove = 1 << 20 // also the window's first size
	// maxEnvelopeValue bounds a member of the envelope after the list (pagination, an error).
	maxEnvelopeValue = 1 << 20
)

// catalogStream decodes a streamed catalogue answer; the answer's first bytes are head.
type catalogStream struct {
	key  string // the envelope's list member: "services" or "products"
	page *ServicesPage
	// errMsg is the answer's error envelope, when the answer was one (see interpret).
	errMsg   string
	hasError bool
}

// streamable reports whether the answer starting with head can be streamed: a bare array of
// rows, or an object whose first member is the list under key.
func streamable(head []byte, key string) bool {
	i := skipBOMs(head)
	if i >= len(head) {
		return false
	}
	switch head[i] {
	case '[':
		return looksLikeAnswer(head, i)
	case '{':
		i = skipWS(head, i+1)
		k := `"` + key + `"`
		if !bytes.HasPrefix(head[i:], []byte(k)) {
			return false
		}
		i = skipWS(head, i+len(k))
		if i >= len(head) || head[i] != ':' {
			return false
		}
		i = skipWS(head, i+1)
		return i < len(head) && head[i] == '['
	}
	return false
}

// skipBOMs is where b's text starts after white space and UTF-8 byte order marks.
func skipBOMs(b []byte) int {
	i := 0
	for {
		i = skipWS(b, i)
		if !bytes.HasPrefix(b[i:], utf8BOM) {
			return i
		}
		i += len(utf8BOM)
	}
}

// decode reads the whole answer from s. It gives the rows decodeServicesPage would give on the
// whole answer (the list is streamable's), and notes an error envelope's members as interpret
// would read them. The error is a *syntaxError when the answer is not JSON, s's read error when
// reading stopped, and another error when the answer is JSON of another shape.
func (cs *catalogStream) decode(s *jsonStream, contentLength int64) error {
	cs.page, cs.errMsg, cs.hasError = nil, "", false
	s.off = skipBOMs(s.buf)
	c, ok := s.peek()
	if !ok {
		return s.endErr()
	}
	bare := c == '['
	if !bare {
		s.off++ // '{'; streamable saw the key, the colon and the bracket
		if _, err := s.value(); err != nil {
			return err
		}
		if c, _ := s.peek(); c != ':' {
			return synErr(s.off, "expected a colon")
		}
		s.off++
	}
	t := newRowTexts()
	k := rowSink[Service]{dec: func(row []byte, v *Service) error { return decodeServiceRow(row, v, t) }}
	if err := cs.list(s, &k, contentLength); err != nil {
		return err
	}
	var pw pageWire
	var shapeErr error // the envelope's first bad member: the answer's syntax is checked first
	if !bare {
		var err error
		if shapeErr, err = cs.members(s, &pw); err != nil {
			return err
		}
	}
	if _, ok := s.peek(); ok {
		return synErr(s.off, "data after the value")
	} else if s.err != nil {
		return s.err
	}
	if cs.hasError {
		return nil // the envelope's error is the answer, not the rows
	}
	if shapeErr != nil {
		return malformed(cs.key, shapeErr)
	}
	rows, rep, err := k.result()
	if err != nil {
		return malformed(cs.key, err)
	}
	cs.page = &ServicesPage{Services: rows, Page: pw.page(len(rows) + rep.Rows), Skipped: rep}
	return nil
}

// list decodes the list's rows (s is at its '[').
func (cs *catalogStream) list(s *jsonStream, k *rowSink[Service], contentLength int64) error {
	if c, _ := s.peek(); c != '[' {
		return synErr(s.off, "expected an array")
	}
	s.off++
	if c, ok := s.peek(); !ok {
		return s.endErr()
	} else if c == ']' {
		s.off++
		return nil
	}
	for {
		row, err := s.value()
		if err != nil {
			return err
		}
		if k.n == sizeAfter && contentLength > 0 {
			// Sized for the whole answer from the bytes the first rows took.
			done := s.consumed()
			if left := contentLength - done; left > 0 && done > 0 {
				est := int(left * int64(k.n) / done)
				k.reserve(min(est+est/32+16, int(left/24)))
			}
		}
		k.add(row)
		c, ok := s.peek()
		switch {
		case !ok:
			return s.endErr()
		case c == ',':
			s.off++
		case c == ']':
			s.off++
			return nil
		default:
			return synErr(s.off, "expected a comma or ']'")
		}
	}
}

// members reads the envelope's members after the list, to its '}': the pagination, and the
// error envelope's members (the last of each name; the exact name before another case). bad is
// the first member that does not decode (the reading goes on, as eachMember's does); err stops it.
func (cs *catalogStream) members(s *jsonStream, pw *pageWire) (bad, err error) {
	var exact, folded [2][]byte // "error", "message"
	names := [2]string{"error", "message"}
	for {
		c, ok := s.peek()
		switch {
		case !ok:
			return nil, s.endErr()
		case c == '}':
			s.off++
			cs.envelope(exact, folded)
			return bad, nil
		case c != ',':
			return nil, synErr(s.off, "expected a comma or '}'")
		}
		s.off++
		if c, _ := s.peek(); c != '"' {
			return nil, synErr(s.off, "expected a key")
		}
		kv, err := s.value()
		if err != nil {
			return nil, err
		}
		key, err := memberKey(kv) // a copy: the window moves as the value is read
		if err != nil {
			return nil, synErr(s.off, "invalid key")
		}
		if c, _ := s.peek(); c != ':' {
			return nil, synErr(s.off, "expected a colon")
		}
		s.off++
		start := s.consumed()
		v, err := s.value()
		if err != nil {
			return nil, err
		}
		if key == cs.key {
			if bad == nil {
				bad = errors.New("the list is given twice")
			}
			continue
		}
		kept := false // a member read below: pagination, or the error envelope's
		switch key {
		case "total", "page", "limit", "total_pages", "totalPages":
			kept = true
		}
		for _, n := range names {
			kept = kept || strings.EqualFold(key, n)
		}
		if !kept {
			continue // another member: skipped whatever its size, as the whole reading does
		}
		if s.consumed()-start > maxEnvelopeValue {
			if bad == nil {
				bad = errors.New("an envelope member is too large")
			}
			continue
		}
		if bad == nil {
			bad = pw.field([]byte(key), v)
		}
		for j, n := range names {
			switch {
			case key == n:
				exact[j] = slices.Clone(v)
			case strings.EqualFold(key, n):
				folded[j] = slices.Clone(v)
			}
		}
	}
}

// memberKey is the text of the JSON string kv, a member's key.
func memberKey(kv []byte) (string, error) {
	if inner, ok := quotedInner(kv); ok {
		return string(inner), nil
	}
	var k string
	err := json.Unmarshal(kv, &k)
	return k, err
}

// envelope decides, as interpret does, whether the answer's "error" and "message" members make
// it an error envelope.
func (cs *catalogStream) envelope(exact, folded [2][]byte) {
	for j := range exact {
		if exact[j] == nil {
			exact[j] = folded[j]
		}
	}
	if exact[0] == nil {
		return
	}
	doc := []byte(`{"error":`)
	doc = append(doc, exact[0]...)
	if exact[1] != nil {
		doc = append(doc, `,"message":`...)
		doc = append(doc, exact[1]...)
	}
	doc = append(doc, '}')
	cs.errMsg, cs.hasError = decodeErrorEnvelope(doc)
}

// jsonStream reads a JSON text through a window: buf[off:] is what has been read and not yet
// consumed. A value it returns stays valid until it reads again.
type jsonStream struct {
	r     io.Reader
	buf   []byte
	off   int
	base  int64 // bytes of the answer before buf[0]
	limit int64 // the answer's greatest size
	eof   bool
	err   error // what stopped reading early: the reader's error or ErrBodyTooLarge
}

// newJSONStream reads the answer whose first bytes are head (it becomes the window) from r.
func newJSONStream(head []byte, r io.Reader, limit int64) *jsonStream {
	return &jsonStream{r: r, buf: head, limit: limit}
}

// consumed is how many bytes of the answer are behind off.
func (s *jsonStream) consumed() int64 { return s.base + int64(s.off) }

// more reads more into the window: what is not consumed moves to its front, a window it fills
// doubles (up to what the cap allows), and the window is filled to the end (or the answer's), so
// that a value cut off is scanned again once per window, not once per read. False at the end of
// the answer or when reading stopped (s.err).
func (s *jsonStream) more() bool {
	if s.eof || s.err != nil {
		return false
	}
	if s.off > 0 {
		n := copy(s.buf[:cap(s.buf)], s.buf[s.off:])
		s.base += int64(s.off)
		s.buf, s.off = s.buf[:n], 0
	}
	if len(s.buf) == cap(s.buf) {
		room := int64(max(2*cap(s.buf), 4096))
		room = min(room, s.limit-s.base+1) // one byte over the cap is enough to know
		if room <= int64(len(s.buf)) {
			s.err = ErrBodyTooLarge
			return false
		}
		s.buf = append(make([]byte, 0, room), s.buf...)
	}
	got := 0
	for len(s.buf) < cap(s.buf) {
		n, err := readSome(s.r, s.buf[len(s.buf):cap(s.buf)])
		s.buf = s.buf[:len(s.buf)+n]
		got += n
		if s.base+int64(len(s.buf)) > s.limit {
			s.err = ErrBodyTooLarge
			return false
		}
		if err == io.EOF {
			s.eof = true
			break
		}
		if err != nil {
			s.err = err
			return false
		}
	}
	return got > 0
}

// peek skips white space, reading as needed, and returns the next byte; false at the end.
func (s *jsonStream) peek() (byte, bool) {
	for {
		s.off = skipWS(s.buf, s.off)
		if s.off < len(s.buf) {
			return s.buf[s.off], true
		}
		if !s.more() && (s.eof || s.err != nil) {
			return 0, false
		}
	}
}

// endErr is the error of an answer that ended too soon.
func (s *jsonStream) endErr() error {
	if s.err != nil {
		return s.err
	}
	return synErr(s.off, "unexpected end of input")
}

// value scans the JSON value after white space and consumes it. A value cut off by the end of
// the window is scanned again once more has been read: a syntax error within truncationMargin
// bytes of the window's end may be one (a literal, a number or an escape cut short), one further
// back is the answer's.
func (s *jsonStream) value() ([]byte, error) {
	for {
		if _, ok := s.peek(); !ok {
			return nil, s.endErr()
		}
		end, err := scanValue(s.buf, s.off)
		if err == nil && (end < len(s.buf) || s.eof) {
			v := s.buf[s.off:end]
			s.off = end
			return v, nil
		}
		if err != nil {
			var se *syntaxError
			if s.eof || !errors.As(err, &se) || len(s.buf)-se.Off >= truncationMargin {
				return nil, err
			}
		}
		if !s.more() && s.err != nil {
			return nil, s.err
		}
	}
}

// truncationMargin: see jsonStream.value.
const truncationMargin = 64
