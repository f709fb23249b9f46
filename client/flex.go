package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Tolerant scalar types for decoding. The documents show numbers where servers have been seen to
// send strings and the other way round; these accept both. None of their errors quotes the
// offending value: a value may echo anything, the API key included.

var (
	errNotInteger = errors.New("value is not an integer")
	errNotBool    = errors.New("value is not a boolean")
	errNotString  = errors.New("value is not a string or number")
	errNotNumber  = errors.New("value is not a number")
)

// jsonKind returns the first byte of a trimmed JSON value, or 0 for empty input.
func jsonKind(b []byte) byte {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return 0
	}
	return b[0]
}

// quotedFast returns the content of a JSON string without escapes, without decoding it again.
// encoding/json has validated the value before it calls UnmarshalJSON; the check for control
// characters keeps the fast path exact on direct calls too.
func quotedFast(b []byte) (string, bool) {
	inner, ok := quotedInner(b)
	if !ok {
		return "", false
	}
	return string(inner), true
}

// quotedInner is quotedFast without the copy: the bytes between the quotes.
func quotedInner(b []byte) ([]byte, bool) {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return nil, false
	}
	inner := b[1 : len(b)-1]
	for _, c := range inner {
		if c == '\\' || c == '"' || c < 0x20 {
			return nil, false
		}
	}
	if !utf8.Valid(inner) {
		return nil, false
	}
	return inner, true
}

// scalarText turns a JSON string or number into its text; ok is false for null. It fails on
// objects, arrays and booleans.
func scalarText(b []byte) (s string, ok bool, err error) {
	b = bytes.TrimSpace(b)
	switch jsonKind(b) {
	case 'n':
		return "", false, nil
	case '"':
		if fast, ok := quotedFast(b); ok {
			return strings.TrimSpace(fast), true, nil
		}
		if err := json.Unmarshal(b, &s); err != nil {
			return "", false, errNotString
		}
		return strings.TrimSpace(s), true, nil
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return string(b), true, nil
	default:
		return "", false, errNotString
	}
}

// flexInt is an int64 written as a JSON number or numeric string. null and "" leave it unset.
// Integral non-integers (100.0, "1e3") are accepted; fractions and overflow are errors.
type flexInt struct {
	V   int64
	Set bool
}

func (f *flexInt) UnmarshalJSON(b []byte) error {
	if v, err := strconv.ParseInt(string(b), 10, 64); err == nil && len(b) > 0 && b[0] != '+' {
		f.V, f.Set = v, true
		return nil
	}
	s, ok, err := scalarText(b)
	if err != nil {
		return errNotInteger
	}
	if !ok || s == "" {
		return nil
	}
	v, err := parseFlexInt(s)
	if err != nil {
		return err
	}
	f.V, f.Set = v, true
	return nil
}

func parseFlexInt(s string) (int64, error) {
	if v, err := strconv.ParseInt(strings.TrimPrefix(s, "+"), 10, 64); err == nil {
		return v, nil
	}
	d, err := ParseDecimal(s)
	if err != nil || !d.IsInteger() {
		return 0, errNotInteger
	}
	bi := d.BigInt()
	if !bi.IsInt64() {
		return 0, errNotInteger
	}
	return bi.Int64(), nil
}

// flexBool is a boolean written as true/false, 1/0, "true"/"false", "1"/"0", "yes"/"no".
// null and "" leave it unset, so a default survives.
type flexBool struct {
	V   bool
	Set bool
}

func (f *flexBool) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch string(b) {
	case "true":
		f.V, f.Set = true, true
		return nil
	case "false":
		f.V, f.Set = false, true
		return nil
	}
	s, ok, err := scalarText(b)
	if err != nil {
		return errNotBool
	}
	if !ok || s == "" {
		return nil
	}
	switch strings.ToLower(s) {
	case "true", "yes", "on", "y", "t":
		f.V, f.Set = true, true
		return nil
	case "false", "no", "off", "n", "f":
		f.V, f.Set = false, true
		return nil
	}
	d, err := ParseDecimal(s)
	if err != nil {
		return errNotBool
	}
	f.V, f.Set = !d.IsZero(), true
	return nil
}

// boolOr returns the decoded value, or def when the field was absent or null.
func (f flexBool) boolOr(def bool) bool {
	if f.Set {
		return f.V
	}
	return def
}

// flexString is a string that may also arrive as a number or boolean. null is "".
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error { return f.decode(b, nil, false) }

// decode is UnmarshalJSON with the text made by t (nil: a copy of its own); shared says the text
// is one rows repeat (see rowTexts).
func (f *flexString) decode(b []byte, t *rowTexts, shared bool) error {
	b = bytes.TrimSpace(b)
	switch jsonKind(b) {
	case 'n':
		*f = ""
		return nil
	case '"':
		if inner, ok := quotedInner(b); ok {
			*f = flexString(t.text(inner, shared))
			return nil
		}
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return errNotString
		}
		if shared {
			s = t.share(s)
		}
		*f = flexString(s)
		return nil
	case 't', 'f':
		var v bool
		if err := json.Unmarshal(b, &v); err != nil {
			return errNotString
		}
		*f = flexString(strconv.FormatBool(v))
		return nil
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		*f = flexString(t.text(b, shared))
		return nil
	default:
		return errNotString
	}
}

// flexFloat is a float64 (ratings only, never money) as a number or numeric string.
type flexFloat float64

func (f *flexFloat) UnmarshalJSON(b []byte) error {
	s, ok, err := scalarText(b)
	if err != nil {
		return errNotNumber
	}
	if !ok || s == "" {
		*f = 0
		return nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return errNotNumber
	}
	*f = flexFloat(v)
	return nil
}

// flexTime is a timestamp: RFC 3339 (with or without fractions), "2006-01-02 15:04:05" (UTC), or
// Unix seconds as a number or numeric string (milliseconds when the value is too large to be
// seconds). Anything else, null included, is the zero time: never an error.
type flexTime time.Time

func (f *flexTime) UnmarshalJSON(b []byte) error {
	*f = flexTime(parseFlexTime(b))
	return nil
}

func parseFlexTime(b []byte) time.Time {
	s, ok, err := scalarText(b)
	if err != nil || !ok || s == "" {
		return time.Time{}
	}
	if n, err := strconv.ParseFloat(s, 64); err == nil {
		if math.IsNaN(n) || math.IsInf(n, 0) || n <= 0 {
			return time.Time{}
		}
		if n >= 1e12 { // milliseconds
			n /= 1000
		}
		if n >= 1e11 { // beyond year 5000: not a timestamp
			return time.Time{}
		}
		sec, frac := math.Modf(n)
		return time.Unix(int64(sec), int64(frac*1e9)).UTC()
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// flexStrings is a list of strings: a JSON array (elements may be numbers; objects are kept as
// their compact JSON text), or one string with one entry per line. null is nil.
type flexStrings []string

func (f *flexStrings) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch jsonKind(b) {
	case 'n':
		*f = nil
		return nil
	case '[':
		var raw []json.RawMessage
		if err := json.Unmarshal(b, &raw); err != nil {
			return errNotString
		}
		out := make([]string, 0, len(raw))
		for _, r := range raw {
			switch jsonKind(r) {
			case '{', '[':
				var buf bytes.Buffer
				if err := json.Compact(&buf, r); err != nil {
					return errNotString
				}
				out = append(out, buf.String())
			case 'n':
				continue
			default:
				var s flexString
				if err := s.UnmarshalJSON(r); err != nil {
					return err
				}
				out = append(out, string(s))
			}
		}
		*f = out
		return nil
	default:
		var s flexString
		if err := s.UnmarshalJSON(b); err != nil {
			return err
		}
		var out []string
		for _, line := range strings.Split(strings.ReplaceAll(string(s), "\r\n", "\n"), "\n") {
			if line = strings.TrimSpace(line); line != "" {
				out = append(out, line)
			}
		}
		*f = out
		return nil
	}
}

// flexCount is a count given either as a number/numeric string or as a list (its length).
type flexCount struct{ flexInt }

func (f *flexCount) UnmarshalJSON(b []byte) error {
	if jsonKind(b) == '[' {
		var raw []json.RawMessage
		if err := json.Unmarshal(b, &raw); err != nil {
			return errNotInteger
		}
		f.V, f.Set = int64(len(raw)), true
		return nil
	}
	return f.flexInt.UnmarshalJSON(b)
}

// firstString returns the first non-empty string.
func firstString(vs ...flexString) string {
	for _, v := range vs {
		if v != "" {
			return string(v)
		}
	}
	return ""
}

// firstInt returns the first set integer.
func firstInt(vs ...flexInt) flexInt {
	for _, v := range vs {
		if v.Set {
			return v
		}
	}
	return flexInt{}
}

// flexDecimal is an amount that remembers whether it was given: absent, null and "" (or blank)
// leave Set false, so that an unknown price is not taken for a price of 0.
type flexDecimal struct {
	V   Decimal
	Set bool
}

func (f *flexDecimal) UnmarshalJSON(b []byte) error { return f.decode(b, nil) }

// decode is UnmarshalJSON with a rate written the same way as one before taken from t (nil: none).
func (f *flexDecimal) decode(b []byte, t *rowTexts) error {
	if t != nil {
		if v, ok := t.rates[string(b)]; ok {
			*f = v
			return nil
		}
	}
	var d Decimal
	if err := d.UnmarshalJSON(b); err != nil {
		return err
	}
	f.V, f.Set = d, !blankScalar(b)
	t.keepRate(b, *f)
	return nil
}

// blankScalar reports whether b is null or a string of white space only.
func blankScalar(b []byte) bool {
	switch jsonKind(b) {
	case 'n':
		return true
	case '"':
		s, ok, err := scalarText(b)
		return err == nil && ok && s == ""
	}
	return false
}
