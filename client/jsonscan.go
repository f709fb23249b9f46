package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
)

// A strict JSON scanner, and iteration over the members of objects and the elements of arrays
// with keys matched EXACTLY. encoding/json (v1) matches keys case-insensitively, and with Unicode
// folding ("ſtatus" is "status"), and lets a later key spelled differently overwrite the right
// one: {"status":"In progress","Status":"Completed"} would end the tracking of an order. Every
// model of this package decodes through eachMember instead, so only the exact spelling counts.
//
// The scanner accepts exactly what json.Valid accepts (a fuzz target checks it): RFC 8259 syntax,
// at most 10000 levels of nesting, strings with any bytes but control characters (invalid UTF-8
// is kept as it is, as encoding/json does). Its errors never quote the input.

// maxJSONDepth is encoding/json's nesting limit.
const maxJSONDepth = 10000

// syntaxError: the input is not JSON (or not complete). Off is where the scanner stopped.
type syntaxError struct {
	Off int
	Msg string
}

func (e *syntaxError) Error() string {
	return "invalid JSON at offset " + strconv.Itoa(e.Off) + ": " + e.Msg
}

func synErr(off int, msg string) error { return &syntaxError{Off: off, Msg: msg} }

// isSyntax reports whether err is a syntax error of the scanner.
func isSyntax(err error) bool {
	var se *syntaxError
	return errors.As(err, &se)
}

// skipWS returns the offset of the first byte at or after i that is not JSON white space.
func skipWS(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// strSpecial marks the bytes that end the fast path of a string: the quote, the backslash and the
// control characters.
var strSpecial = func() (t [256]bool) {
	for c := 0; c < 0x20; c++ {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return
}()

// scanString scans the string whose opening quote is at b[i]; it returns the offset after the
// closing quote and whether the string holds escapes.
func scanString(b []byte, i int) (end int, escaped bool, err error) {
	i++ // the quote
	for {
		for i < len(b) && !strSpecial[b[i]] {
			i++
		}
		if i >= len(b) {
			return i, escaped, synErr(i, "unterminated string")
		}
		switch c := b[i]; {
		case c == '"':
			return i + 1, escaped, nil
		case c == '\\':
			escaped = true
			if i+1 >= len(b) {
				return i + 1, escaped, synErr(i+1, "unterminated string")
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(b) {
					return len(b), escaped, synErr(len(b), "unterminated string")
				}
				for _, h := range b[i+2 : i+6] {
					if !isHex(h) {
						return i, escaped, synErr(i, "invalid \\u escape")
					}
				}
				i += 6
			default:
				return i, escaped, synErr(i, "invalid escape")
			}
		default:
			return i, escaped, synErr(i, "control character in string")
		}
	}
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// scanNumber scans the number that starts at b[i].
func scanNumber(b []byte, i int) (int, error) {
	start := i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
	default:
		return i, synErr(start, "invalid value")
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return i, synErr(i, "invalid number")
		}
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return i, synErr(i, "invalid number")
		}
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
	}
	return i, nil
}

// scanLiteral scans true, false or null at b[i].
func scanLiteral(b []byte, i int) (int, error) {
	for _, lit := range []string{"true", "false", "null"} {
		if b[i] == lit[0] {
			if len(b)-i >= len(lit) && string(b[i:i+len(lit)]) == lit {
				return i + len(lit), nil
			}
			return i, synErr(i, "invalid literal")
		}
	}
	return i, synErr(i, "invalid value")
}

// scanScalar scans a string, number or literal at b[i].
func scanScalar(b []byte, i int) (int, error) {
	switch c := b[i]; {
	case c == '"':
		end, _, err := scanString(b, i)
		return end, err
	case c == '-' || '0' <= c && c <= '9':
		return scanNumber(b, i)
	default:
		return scanLiteral(b, i)
	}
}

// scanValue returns the offset just past the JSON value that starts at or after b[i] (white space
// first is skipped), validating all of it. It does not recurse: nesting costs one byte a level.
func scanValue(b []byte, i int) (int, error) {
	var stack []byte // '{' or '[' per open container
	var err error
	for {
		// A value is expected at i.
		i = skipWS(b, i)
		if i >= len(b) {
			return i, synErr(i, "unexpected end of input")
		}
		switch b[i] {
		case '{', '[':
			open := b[i]
			if len(stack) >= maxJSONDepth {
				return i, synErr(i, "nesting too deep")
			}
			i = skipWS(b, i+1)
			closer := byte('}')
			if open == '[' {
				closer = ']'
			}
			if i < len(b) && b[i] == closer {
				i++
				break // an empty container is a complete value
			}
			stack = append(stack, open)
			if open == '{' {
				if i, err = scanKey(b, i); err != nil {
					return i, err
				}
			}
			continue
		default:
			if i, err = scanScalar(b, i); err != nil {
				return i, err
			}
		}
		// A value ended at i: close containers or go on to the next value.
		for {
			if len(stack) == 0 {
				return i, nil
			}
			i = skipWS(b, i)
			if i >= len(b) {
				return i, synErr(i, "unexpected end of input")
			}
			top := stack[len(stack)-1]
			c := b[i]
			if c == ',' {
				i++
				if top == '{' {
					if i, err = scanKey(b, skipWS(b, i)); err != nil {
						return i, err
					}
				}
				break
			}
			if top == '{' && c == '}' || top == '[' && c == ']' {
				stack = stack[:len(stack)-1]
				i++
				continue
			}
			return i, synErr(i, "expected a comma or the end of a container")
		}
	}
}

// scanKey scans `"key" :` at b[i] and returns the offset after the colon.
func scanKey(b []byte, i int) (int, error) {
	if i >= len(b) || b[i] != '"' {
		return i, synErr(i, "expected a key")
	}
	end, _, err := scanString(b, i)
	if err != nil {
		return end, err
	}
	end = skipWS(b, end)
	if end >= len(b) || b[end] != ':' {
		return end, synErr(end, "expected a colon")
	}
	return end + 1, nil
}

// validDocument reports whether b is one complete JSON value, with white space around it at most.
func validDocument(b []byte) bool {
	end, err := scanValue(b, 0)
	return err == nil && skipWS(b, end) == len(b)
}

// eachMember iterates the object whose '{' is at or after b[i] (after white space), calling fn
// with each key, unescaped, and the raw bytes of its value, in order (a key given twice is seen
// twice: the last one wins, as with encoding/json). It returns the offset after the closing '}'.
//
// A syntax error stops at once. An error of fn stops the calls to fn, but the object is still
// scanned to its end so that the caller knows where it ends (a list may skip that row and go on);
// fn's first error is returned then, with the end.
func eachMember(b []byte, i int, fn func(key, val []byte) error) (int, error) {
	i = skipWS(b, i)
	if i >= len(b) || b[i] != '{' {
		return i, synErr(i, "expected an object")
	}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, nil
	}
	var fnErr error
	for {
		if i >= len(b) || b[i] != '"' {
			return i, synErr(i, "expected a key")
		}
		kEnd, escaped, err := scanString(b, i)
		if err != nil {
			return kEnd, err
		}
		key := b[i+1 : kEnd-1]
		if escaped {
			var s string
			if json.Unmarshal(b[i:kEnd], &s) != nil {
				return kEnd, synErr(i, "invalid key")
			}
			key = []byte(s)
		}
		j := skipWS(b, kEnd)
		if j >= len(b) || b[j] != ':' {
			return j, synErr(j, "expected a colon")
		}
		vStart := skipWS(b, j+1)
		vEnd, err := scanValue(b, vStart)
		if err != nil {
			return vEnd, err
		}
		if fnErr == nil {
			fnErr = fn(key, b[vStart:vEnd])
		}
		i = skipWS(b, vEnd)
		if i >= len(b) {
			return i, synErr(i, "unexpected end of input")
		}
		switch b[i] {
		case ',':
			i = skipWS(b, i+1)
		case '}':
			return i + 1, fnErr
		default:
			return i, synErr(i, "expected a comma or '}'")
		}
	}
}

// eachElement iterates the array whose '[' is at or after b[i], calling fn with the raw bytes of
// each element. Errors as for eachMember: fn's first error stops the calls, not the scan.
func eachElement(b []byte, i int, fn func(val []byte) error) (int, error) {
	i = skipWS(b, i)
	if i >= len(b) || b[i] != '[' {
		return i, synErr(i, "expected an array")
	}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == ']' {
		return i + 1, nil
	}
	var fnErr error
	for {
		vEnd, err := scanValue(b, i)
		if err != nil {
			return vEnd, err
		}
		if fnErr == nil {
			fnErr = fn(b[skipWS(b, i):vEnd])
		}
		i = skipWS(b, vEnd)
		if i >= len(b) {
			return i, synErr(i, "unexpected end of input")
		}
		switch b[i] {
		case ',':
			i = skipWS(b, i+1)
		case ']':
			return i + 1, fnErr
		default:
			return i, synErr(i, "expected a comma or ']'")
		}
	}
}

// decodeFields decodes the JSON object b (a whole value, as UnmarshalJSON gets it) member by
// member with set, keys matched exactly. null leaves everything alone (encoding/json's convention
// for UnmarshalJSON); anything else but an object is an error.
func decodeFields(b []byte, set func(key, val []byte) error) error {
	i := skipWS(b, 0)
	if i < len(b) && b[i] == 'n' && string(bytes.TrimSpace(b)) == "null" {
		return nil
	}
	if i >= len(b) || b[i] != '{' {
		return errNotObject
	}
	end, err := eachMember(b, i, set)
	if err != nil {
		return err
	}
	if skipWS(b, end) != len(b) {
		return synErr(end, "data after the value")
	}
	return nil
}

var errNotObject = errors.New("value is not an object")

// fieldErr names the field a decoding error is about (never its value).
func fieldErr(key []byte, err error) error {
	if err == nil {
		return nil
	}
	return &fieldError{Field: string(key), Err: err}
}

type fieldError struct {
	Field string
	Err   error
}

func (e *fieldError) Error() string { return e.Field + ": " + e.Err.Error() }
func (e *fieldError) Unwrap() error { return e.Err }
