package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Response decoders. Each takes a whole body that is valid JSON and is not an error envelope
// (the request helper checks both first), and returns the model or an error matching
// ErrMalformedResponse. They never panic on any input, which the fuzz targets check, and their
// errors never quote values from the body.

// malformed wraps a decoding failure as ErrMalformedResponse. json's own errors name Go types
// and field paths, never values.
func malformed(what string, err error) error {
	if err == nil {
		return fmt.Errorf("%w: %s", ErrMalformedResponse, what)
	}
	return fmt.Errorf("%w: %s: %s", ErrMalformedResponse, what, strings.TrimPrefix(err.Error(), "json: "))
}

// decodeList decodes a JSON array of models (null is nil) through their UnmarshalJSON; any bad
// element fails it.
func decodeList[T any, PT interface {
	*T
	json.Unmarshaler
}](b []byte) ([]T, error) {
	if jsonKind(b) == 'n' {
		return nil, nil
	}
	var out []T
	end, err := eachElement(b, 0, func(v []byte) error {
		var x T
		if err := PT(&x).UnmarshalJSON(v); err != nil {
			return err
		}
		out = append(out, x)
		return nil
	})
	if err == nil && skipWS(b, end) != len(b) {
		err = synErr(end, "data after the value")
	}
	return out, err
}

// SkipReport tells how many rows of a list answer were left out because they could not be
// decoded (a value of the wrong type or out of range, an amount that is not one, a row that is not
// an object), with the reasons for the first few. The rows that decoded are kept. Reasons never
// quote a value from the answer: they name the row, its service number when it had one, and the
// field.
type SkipReport struct {
	Rows    int      `json:"rows"`
	Reasons []string `json:"reasons,omitempty"` // at most MaxSkipReasons

	raw []string // the first few rows left out, cut short, for the client's log (see WithLogf)
}

// MaxSkipReasons bounds SkipReport.Reasons.
const MaxSkipReasons = 5

const (
	maxSkipRaw     = 3   // rows kept for the log
	maxRawRowBytes = 400 // of each
)

// String summarises the report: "" when nothing was left out.
func (r SkipReport) String() string {
	if r.Rows == 0 {
		return ""
	}
	s := strconv.Itoa(r.Rows) + " row"
	if r.Rows != 1 {
		s += "s"
	}
	s += " left out"
	if len(r.Reasons) > 0 {
		s += ": " + strings.Join(r.Reasons, "; ")
		if r.Rows > len(r.Reasons) {
			s += "; …"
		}
	}
	return s
}

// add records the row at index (0-based) left out for err.
func (r *SkipReport) add(index int, row []byte, err error) {
	r.Rows++
	if len(r.Reasons) < MaxSkipReasons {
		r.Reasons = append(r.Reasons, "row "+strconv.Itoa(index+1)+": "+strings.ReplaceAll(err.Error(), "hstockplus: ", ""))
	}
	if len(r.raw) < maxSkipRaw {
		if len(row) > maxRawRowBytes {
			row = row[:maxRawRowBytes]
		}
		r.raw = append(r.raw, string(row)) // a copy: the body is not kept alive
	}
}

// merge adds o's rows and reasons to r, prefixing o's reasons (with "page 2: ", say).
func (r *SkipReport) merge(o SkipReport, prefix string) {
	r.Rows += o.Rows
	for _, why := range o.Reasons {
		if len(r.Reasons) >= MaxSkipReasons {
			break
		}
		r.Reasons = append(r.Reasons, prefix+why)
	}
	for _, raw := range o.raw {
		if len(r.raw) >= maxSkipRaw {
			break
		}
		r.raw = append(r.raw, raw)
	}
}

var errNullRow = errors.New("row is null")

// decodeRows decodes the JSON array list (a whole value) row by row with dec, leaving out the
// rows dec fails on and reporting them. A syntax error fails it: the answer is not JSON (a cut-off
// body, say), not a list with a bad row. So does a list whose every row failed: that is an answer
// of another shape, not a bad row.
func decodeRows[T any](list []byte, dec func(row []byte, v *T) error) ([]T, SkipReport, error) {
	k := rowSink[T]{dec: dec}
	end, err := eachElement(list, 0, func(row []byte) error {
		if k.n == sizeAfter {
			k.reserve(rowsAhead(list, row, k.n))
		}
		k.add(row)
		return nil
	})
	if err == nil && skipWS(list, end) != len(list) {
		err = synErr(end, "data after the value")
	}
	if err != nil {
		return nil, SkipReport{}, err
	}
	return k.result()
}

// rowSink decodes the rows of a list one by one (decodeRows, and streamCatalog as an answer
// arrives), leaving out the rows dec fails on and reporting them. Unless it was told how many
// rows to expect (reserve), the rows past the first blockRows go to blocks of that many, put
// together at the end: a slice grown by append for 100,000 rows of 200 bytes allocates about
// 100 MB (it grows by a quarter at a time), blocks and one copy 40 MB.
type rowSink[T any] struct {
	dec   func(row []byte, v *T) error
	out   []T   // the open block, or all the rows when sized
	full  [][]T // the blocks filled before out
	sized bool
	rep   SkipReport
	n     int // rows seen
}

// blockRows is the size of rowSink's blocks.
const blockRows = 4096

// reserve makes room for about more rows; the rows then go to one slice.
func (k *rowSink[T]) reserve(more int) {
	if len(k.full) == 0 && more > 0 {
		k.out = slices.Grow(k.out, more)
		k.sized = true
	}
}

// add decodes row, the next of the list, in its place in out (a row on the stack of a function
// value would go to the heap: one copy per row for the collector); a row that fails is taken
// back and reported.
func (k *rowSink[T]) add(row []byte) {
	n := k.n
	k.n++
	if jsonKind(row) == 'n' {
		k.rep.add(n, row, errNullRow)
		return
	}
	if !k.sized && len(k.out) == cap(k.out) && len(k.out) >= blockRows {
		k.full = append(k.full, k.out)
		k.out = make([]T, 0, blockRows)
	}
	var zero T
	k.out = append(k.out, zero)
	if err := k.dec(row, &k.out[len(k.out)-1]); err != nil {
		k.out[len(k.out)-1] = zero
		k.out = k.out[:len(k.out)-1]
		k.rep.add(n, row, err)
	}
}

// result is the rows decoded, and an error when every row failed: that is an answer of another
// shape, not a bad row.
func (k *rowSink[T]) result() ([]T, SkipReport, error) {
	if len(k.full) > 0 {
		total := len(k.out)
		for _, b := range k.full {
			total += len(b)
		}
		all := make([]T, 0, total)
		for i, b := range k.full {
			all = append(all, b...)
			k.full[i] = nil
		}
		k.out, k.full = append(all, k.out...), nil
	}
	if len(k.out) == 0 && k.rep.Rows > 0 {
		return nil, k.rep, errors.New(k.rep.Reasons[0])
	}
	if k.out == nil {
		k.out = []T{}
	}
	return k.out, k.rep, nil
}

// sizeAfter is the number of rows after which decodeRows sizes its result for the whole list
// (rowsAhead), so that a large answer's rows are not copied at every doubling with the copies
// left for the collector.
const sizeAfter = 64

// rowsAhead estimates how many more rows follow row, the n+1st of list, from the bytes the first
// n took (3% more, so that a slightly longer tail still fits). It assumes at least 24 bytes a row,
// so that a list of tiny first rows cannot make it reserve more than plain doubling would.
func rowsAhead(list, row []byte, n int) int {
	done := cap(list) - cap(row) // row is list[done:…]
	if done <= 0 {
		return 0
	}
	left := len(list) - done
	if left <= 0 || n <= 0 {
		return 0
	}
	est := int(int64(left) * int64(n) / int64(done))
	return min(est+est/32+16, left/24)
}

// unmarshalRow decodes a row through the model's UnmarshalJSON.
func unmarshalRow[T any, PT interface {
	*T
	json.Unmarshaler
}](row []byte, v *T) error {
	return PT(v).UnmarshalJSON(row)
}

// decodeServiceRow decodes one catalogue row, its texts made by t; its error names the service
// number when the row had one before the bad field.
func decodeServiceRow(row []byte, s *Service, t *rowTexts) error {
	w := wireService{texts: t}
	if err := decodeFields(row, w.field); err != nil {
		if w.Service.Set {
			return fmt.Errorf("service %d: %w", w.Service.V, err)
		}
		return err
	}
	*s = w.service()
	return nil
}

// listIn returns the value of the first key of names that the object b has (keys matched
// exactly; a key given twice: the last), with found false when it has none of them.
func listIn(b []byte, names []string, also func(k, v []byte) error) (val []byte, found bool, err error) {
	vals := make([][]byte, len(names))
	end, err := eachMember(b, 0, func(k, v []byte) error {
		for j, n := range names {
			if string(k) == n {
				vals[j] = v
				return nil
			}
		}
		if also != nil {
			return also(k, v)
		}
		return nil
	})
	if err == nil && skipWS(b, end) != len(b) {
		err = synErr(end, "data after the value")
	}
	if err != nil {
		return nil, false, err
	}
	for _, v := range vals {
		if v != nil {
			return v, true, nil
		}
	}
	return nil, false, nil
}

// decodeRowsIn decodes a list answer: a bare array, or an object with the list under one of
// names (the first present wins; null is an empty list). also sees the envelope's other members.
func decodeRowsIn[T any](b []byte, what string, names []string, also func(k, v []byte) error, dec func([]byte, *T) error) (rows []T, rep SkipReport, bare bool, err error) {
	list := b
	switch jsonKind(b) {
	case '[':
		bare = true
	case '{':
		v, found, err := listIn(b, names, also)
		if err != nil {
			return nil, rep, false, malformed(what, err)
		}
		if !found {
			return nil, rep, false, malformed(what, errors.New("no list of rows"))
		}
		if jsonKind(v) == 'n' {
			return []T{}, rep, false, nil
		}
		if jsonKind(v) != '[' {
			return nil, rep, false, malformed(what, errors.New("the list of rows is not a list"))
		}
		list = v
	default:
		return nil, rep, false, malformed(what, errors.New("neither an object nor an array"))
	}
	rows, rep, err = decodeRows(list, dec)
	if err != nil {
		return nil, rep, bare, malformed(what, err)
	}
	return rows, rep, bare, nil
}

// pageWire is the pagination of an envelope, tolerant of numbers as strings.
type pageWire struct {
	Total       flexInt
	Page        flexInt
	Limit       flexInt
	TotalPages  flexInt
	TotalPages2 flexInt
}

// field decodes one member of an envelope if it is one of the pagination's.
func (w *pageWire) field(k, v []byte) error {
	var f *flexInt
	switch string(k) {
	case "total":
		f = &w.Total
	case "page":
		f = &w.Page
	case "limit":
		f = &w.Limit
	case "total_pages":
		f = &w.TotalPages
	case "totalPages":
		f = &w.TotalPages2
	default:
		return nil
	}
	return fieldErr(k, f.UnmarshalJSON(v))
}

// page completes the pagination of an answer that carried n rows: a missing total is n, a
// missing page is 1, a missing limit is n (everything), missing total_pages is computed.
func (w pageWire) page(n int) Page {
	tp := firstInt(w.TotalPages, w.TotalPages2)
	p := Page{Total: clampInt(w.Total.V), Page: clampInt(w.Page.V), Limit: clampInt(w.Limit.V), TotalPages: clampInt(tp.V)}
	if !w.Total.Set {
		p.Total = n
	}
	if !w.Page.Set {
		p.Page = 1
	}
	if !w.Limit.Set {
		p.Limit = n
	}
	if !tp.Set {
		switch {
		case p.Limit > 0 && p.Total > 0:
			p.TotalPages = p.Total / p.Limit
			if p.Total%p.Limit != 0 {
				p.TotalPages++
			}
		case p.Total > 0 || n > 0:
			p.TotalPages = 1
		}
	}
	return p
}

// decodeObject decodes a body that must be a JSON object through v's UnmarshalJSON.
func decodeObject(b []byte, v json.Unmarshaler, what string) error {
	if jsonKind(b) != '{' {
		return malformed(what, errors.New("not a JSON object"))
	}
	if err := v.UnmarshalJSON(b); err != nil {
		return malformed(what, err)
	}
	return nil
}

// members returns the raw values of the named keys of the object b, matched exactly (a key given
// twice: the last). With lenient, a key that only differs in case ("Error") is taken when the
// exact one is absent. ok is false when b is not one valid JSON object.
func members(b []byte, lenient bool, names ...string) (vals [][]byte, ok bool) {
	vals = make([][]byte, len(names))
	var folded [][]byte
	if lenient {
		folded = make([][]byte, len(names))
	}
	i := skipWS(b, 0)
	if i >= len(b) || b[i] != '{' {
		return nil, false
	}
	end, err := eachMember(b, i, func(k, v []byte) error {
		for j, n := range names {
			switch {
			case string(k) == n:
				vals[j] = v
			case lenient && bytes.EqualFold(k, []byte(n)):
				folded[j] = v
			}
		}
		return nil
	})
	if err != nil || skipWS(b, end) != len(b) {
		return nil, false
	}
	for j := range vals {
		if vals[j] == nil && lenient {
			vals[j] = folded[j]
		}
	}
	return vals, true
}

// decodeErrorEnvelope reports whether body is an error answer and returns its message: an
// object with a non-empty "error" that is a string, a number, an object (its "message") or true
// (then the top-level "message"). "error": null, "", false are not errors. The message is raw:
// the caller sanitises it.
//
// "error" is matched exactly; only when it is absent does a key spelled in another case
// ("Error") count, so that an error is never missed and a variant never overrides the real key.
func decodeErrorEnvelope(b []byte) (msg string, ok bool) {
	vals, valid := members(b, true, "error", "message")
	if !valid || vals[0] == nil {
		return "", false
	}
	errV, msgV := vals[0], vals[1]
	switch jsonKind(errV) {
	case 'n', 'f':
		return "", false
	case 't':
		if m := rawText(msgV); m != "" {
			return m, true
		}
		return "unspecified error", true
	case '{':
		if inner, ok := members(errV, true, "message", "error", "msg"); ok {
			for _, r := range inner {
				if m := rawText(r); m != "" {
					return m, true
				}
			}
		}
		return compactJSON(errV), true
	case '[':
		return compactJSON(errV), true
	default:
		m := rawText(errV)
		if strings.TrimSpace(m) == "" {
			return "", false
		}
		return m, true
	}
}

// rawText returns the text of a JSON string or number, "" for anything else.
func rawText(r []byte) string {
	if len(r) == 0 {
		return ""
	}
	s, ok, err := scalarText(r)
	if err != nil || !ok {
		return ""
	}
	return s
}

func compactJSON(r []byte) string {
	var buf bytes.Buffer
	if err := json.Compact(&buf, r); err != nil {
		return string(r)
	}
	return buf.String()
}

// decodeCategories decodes {"categories": [...]} (also "data") or a bare array. A category that
// does not decode is left out and reported.
func decodeCategories(b []byte) ([]Category, error) {
	rows, _, err := decodeCategoriesReport(b)
	return rows, err
}

func decodeCategoriesReport(b []byte) ([]Category, SkipReport, error) {
	rows, rep, _, err := decodeRowsIn(b, "categories", []string{"categories", "data"}, nil, unmarshalRow[Category])
	return rows, rep, err
}

// decodeServicesPage decodes a services or products answer: an envelope whose list is under key
// ("services" or "products"; the other key and "data" are accepted too) with pagination, or a
// bare array of rows (an older shape), which is one page holding everything. Rows that do not
// decode are left out and counted in Skipped.
func decodeServicesPage(b []byte, key string) (*ServicesPage, error) {
	names := []string{"services", "products", "data"}
	if key == "products" {
		names[0], names[1] = names[1], names[0]
	}
	var pw pageWire
	t := newRowTexts()
	rows, rep, _, err := decodeRowsIn(b, key, names, pw.field, func(row []byte, s *Service) error {
		return decodeServiceRow(row, s, t)
	})
	if err != nil {
		return nil, err
	}
	return &ServicesPage{Services: rows, Page: pw.page(len(rows) + rep.Rows), Skipped: rep}, nil
}

// decodeShopsPage decodes {"shops": [...], "total", …} (also "data") or a bare array. Shops that
// do not decode are left out and counted in Skipped.
func decodeShopsPage(b []byte) (*ShopsPage, error) {
	var pw pageWire
	rows, rep, _, err := decodeRowsIn(b, "shops", []string{"shops", "data"}, pw.field, unmarshalRow[Shop])
	if err != nil {
		return nil, err
	}
	return &ShopsPage{Shops: rows, Page: pw.page(len(rows) + rep.Rows), Skipped: rep}, nil
}

// decodeInventory decodes an inventory object (SMM, product or older shape).
func decodeInventory(b []byte) (*Inventory, error) {
	var v Inventory
	if err := decodeObject(b, &v, "inventory"); err != nil {
		return nil, err
	}
	return &v, nil
}

// decodeBalance decodes {"balance": "100.00", "currency": "USD"}; balance is required.
func decodeBalance(b []byte) (*Balance, error) {
	var v Balance
	if err := decodeObject(b, &v, "balance"); err != nil {
		return nil, err
	}
	if vals, _ := members(b, false, "balance"); vals == nil || blankScalar(vals[0]) || jsonKind(vals[0]) == 0 {
		return nil, malformed("balance", errors.New("no balance"))
	}
	return &v, nil
}

// decodeAddResult decodes {"order": 23501}; a positive order id is required. The order id is what
// counts: an answer that also carries an "error" placed the order, and the error's text becomes
// the Warning (raw: the client sanitises it).
func decodeAddResult(b []byte) (*AddResult, error) {
	var v AddResult
	if err := decodeObject(b, &v, "add"); err != nil {
		return nil, err
	}
	if v.Order <= 0 {
		return nil, malformed("add", errors.New("no order id"))
	}
	if msg, ok := decodeErrorEnvelope(b); ok {
		v.Warning = msg
	}
	return &v, nil
}

// decodeOrderStatus decodes a status answer; the status is required.
func decodeOrderStatus(b []byte) (*OrderStatus, error) {
	var v OrderStatus
	if err := decodeObject(b, &v, "status"); err != nil {
		return nil, err
	}
	if strings.TrimSpace(string(v.Status)) == "" {
		return nil, malformed("status", errors.New("no status"))
	}
	return &v, nil
}

// decodeSMSCountries decodes a bare array, or an envelope under countries/sms_countries/data.
// Rows that do not decode are left out and reported.
func decodeSMSCountries(b []byte) ([]SMSCountry, error) {
	rows, _, err := decodeSMSCountriesReport(b)
	return rows, err
}

func decodeSMSCountriesReport(b []byte) ([]SMSCountry, SkipReport, error) {
	rows, rep, _, err := decodeRowsIn(b, "sms_countries", []string{"countries", "sms_countries", "data"}, nil, unmarshalRow[SMSCountry])
	return rows, rep, err
}

// decodeSMSProjects decodes a bare array, or an envelope under projects/sms_projects/data.
// Rows that do not decode are left out and reported.
func decodeSMSProjects(b []byte) ([]SMSProject, error) {
	rows, _, err := decodeSMSProjectsReport(b)
	return rows, err
}

func decodeSMSProjectsReport(b []byte) ([]SMSProject, SkipReport, error) {
	rows, rep, _, err := decodeRowsIn(b, "sms_projects", []string{"projects", "sms_projects", "data"}, nil, unmarshalRow[SMSProject])
	return rows, rep, err
}

// decodeSMSOrders decodes {"orders": [...]}, a bare array or a single order object. The orders
// with a positive order id were placed and are returned; at least one is required. When the
// answer also carries an "error", or some of its rows have no order id (or do not decode), every
// returned order's Warning says so (raw: the client sanitises it).
func decodeSMSOrders(b []byte) ([]SMSOrder, error) {
	const what = "add_sms"
	var rows []SMSOrder
	var rep SkipReport
	var err error
	if jsonKind(b) == '{' {
		if vals, ok := members(b, false, "orders"); ok && vals[0] == nil {
			// A single order object.
			var one SMSOrder
			if err := decodeObject(b, &one, what); err != nil {
				return nil, err
			}
			rows = []SMSOrder{one}
		}
	}
	if rows == nil {
		rows, rep, _, err = decodeRowsIn(b, what, []string{"orders"}, nil, unmarshalRow[SMSOrder])
		if err != nil {
			return nil, err
		}
	}
	placed := rows[:0:0]
	for _, o := range rows {
		if o.Order > 0 {
			placed = append(placed, o)
		}
	}
	if len(placed) == 0 {
		if len(rows) == 0 && rep.Rows == 0 {
			return nil, malformed(what, errors.New("no orders"))
		}
		return nil, malformed(what, errors.New("an order without an order id"))
	}
	var notes []string
	if msg, ok := decodeErrorEnvelope(b); ok {
		notes = append(notes, msg)
	}
	if missing := len(rows) - len(placed) + rep.Rows; missing > 0 {
		notes = append(notes, fmt.Sprintf("%d of %d numbers in the answer came without an order id", missing, len(rows)+rep.Rows))
	}
	if len(notes) > 0 {
		w := strings.Join(notes, "; ")
		for i := range placed {
			placed[i].Warning = w
		}
	}
	return placed, nil
}

// decodeSMSCode decodes an sms_code answer (code received, or waiting with a message).
func decodeSMSCode(b []byte) (*SMSCode, error) {
	var v SMSCode
	if err := decodeObject(b, &v, "sms_code"); err != nil {
		return nil, err
	}
	return &v, nil
}

// decodeSMSStatus decodes an sms_status answer.
func decodeSMSStatus(b []byte) (*SMSStatus, error) {
	var v SMSStatus
	if err := decodeObject(b, &v, "sms_status"); err != nil {
		return nil, err
	}
	return &v, nil
}
