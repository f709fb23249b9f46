package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
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

// listOf is a JSON list field that remembers whether it was present (null counts as present
// and empty).
type listOf[T any] struct {
	V   []T
	Set bool
}

func (l *listOf[T]) UnmarshalJSON(b []byte) error {
	l.Set = true
	if jsonKind(b) == 'n' {
		l.V = nil
		return nil
	}
	return json.Unmarshal(b, &l.V)
}

// pageWire is the pagination of an envelope, tolerant of numbers as strings.
type pageWire struct {
	Total       flexInt `json:"total"`
	Page        flexInt `json:"page"`
	Limit       flexInt `json:"limit"`
	TotalPages  flexInt `json:"total_pages"`
	TotalPages2 flexInt `json:"totalPages"`
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

// decodeObject decodes a body that must be a JSON object.
func decodeObject(b []byte, v any, what string) error {
	if jsonKind(b) != '{' {
		return malformed(what, errors.New("not a JSON object"))
	}
	if err := json.Unmarshal(b, v); err != nil {
		return malformed(what, err)
	}
	return nil
}

// decodeErrorEnvelope reports whether body is an error answer and returns its message: an
// object with a non-empty "error" that is a string, a number, an object (its "message") or true
// (then the top-level "message"). "error": null, "", false are not errors. The message is raw:
// the caller sanitises it.
func decodeErrorEnvelope(b []byte) (msg string, ok bool) {
	if jsonKind(b) != '{' {
		return "", false
	}
	var env struct {
		Error   json.RawMessage `json:"error"`
		Message json.RawMessage `json:"message"`
	}
	if err := json.Unmarshal(b, &env); err != nil || len(env.Error) == 0 {
		return "", false
	}
	switch jsonKind(env.Error) {
	case 'n', 'f':
		return "", false
	case 't':
		if m := rawText(env.Message); m != "" {
			return m, true
		}
		return "unspecified error", true
	case '{':
		var inner struct {
			Message json.RawMessage `json:"message"`
			Error   json.RawMessage `json:"error"`
			Msg     json.RawMessage `json:"msg"`
		}
		if json.Unmarshal(env.Error, &inner) == nil {
			for _, r := range []json.RawMessage{inner.Message, inner.Error, inner.Msg} {
				if m := rawText(r); m != "" {
					return m, true
				}
			}
		}
		return compactJSON(env.Error), true
	case '[':
		return compactJSON(env.Error), true
	default:
		m := rawText(env.Error)
		if strings.TrimSpace(m) == "" {
			return "", false
		}
		return m, true
	}
}

// rawText returns the text of a JSON string or number, "" for anything else.
func rawText(r json.RawMessage) string {
	if len(r) == 0 {
		return ""
	}
	s, ok, err := scalarText(r)
	if err != nil || !ok {
		return ""
	}
	return s
}

func compactJSON(r json.RawMessage) string {
	var buf bytes.Buffer
	if err := json.Compact(&buf, r); err != nil {
		return string(r)
	}
	return buf.String()
}

// decodeCategories decodes {"categories": [...]} or a bare array.
func decodeCategories(b []byte) ([]Category, error) {
	const what = "categories"
	switch jsonKind(b) {
	case '[':
		var v []Category
		if err := json.Unmarshal(b, &v); err != nil {
			return nil, malformed(what, err)
		}
		return v, nil
	case '{':
		var env struct {
			Categories listOf[Category] `json:"categories"`
			Data       listOf[Category] `json:"data"`
		}
		if err := json.Unmarshal(b, &env); err != nil {
			return nil, malformed(what, err)
		}
		switch {
		case env.Categories.Set:
			return env.Categories.V, nil
		case env.Data.Set:
			return env.Data.V, nil
		}
		return nil, malformed(what, errors.New("no categories list"))
	}
	return nil, malformed(what, errors.New("neither an object nor an array"))
}

// decodeServicesPage decodes a services or products answer: an envelope whose list is under key
// ("services" or "products"; the other key and "data" are accepted too) with pagination, or a
// bare array of rows (an older shape), which is one page holding everything.
func decodeServicesPage(b []byte, key string) (*ServicesPage, error) {
	what := key
	switch jsonKind(b) {
	case '[':
		// Rows decode as wireService, not through Service.UnmarshalJSON, which would scan every
		// row once more: this matters for a 40 MB catalogue.
		var rows []wireService
		if err := json.Unmarshal(b, &rows); err != nil {
			return nil, malformed(what, err)
		}
		return &ServicesPage{Services: services(rows), Page: pageWire{}.page(len(rows))}, nil
	case '{':
		// Not listOf here: its UnmarshalJSON would scan the whole list twice more. A pointer
		// that null sets to nil and an absent key leaves alone tells the three cases apart.
		var svc, prod, data []wireService
		var env struct {
			Services *[]wireService `json:"services"`
			Products *[]wireService `json:"products"`
			Data     *[]wireService `json:"data"`
			pageWire
		}
		env.Services, env.Products, env.Data = &svc, &prod, &data
		if err := json.Unmarshal(b, &env); err != nil {
			return nil, malformed(what, err)
		}
		lists := []struct {
			p *[]wireService
			v []wireService
		}{{env.Services, svc}, {env.Products, prod}, {env.Data, data}}
		if key == "products" {
			lists[0], lists[1] = lists[1], lists[0]
		}
		for _, l := range lists {
			switch {
			case l.p == nil: // null
				return &ServicesPage{Services: []Service{}, Page: env.page(0)}, nil
			case l.v != nil: // a list, maybe empty
				return &ServicesPage{Services: services(l.v), Page: env.page(len(l.v))}, nil
			}
		}
		return nil, malformed(what, errors.New("no list of rows"))
	}
	return nil, malformed(what, errors.New("neither an object nor an array"))
}

// services converts decoded rows; the result is never nil.
func services(rows []wireService) []Service {
	out := make([]Service, len(rows))
	for i := range rows {
		out[i] = rows[i].service()
	}
	return out
}

// decodeShopsPage decodes {"shops": [...], "total", …} or a bare array.
func decodeShopsPage(b []byte) (*ShopsPage, error) {
	const what = "shops"
	switch jsonKind(b) {
	case '[':
		var rows []Shop
		if err := json.Unmarshal(b, &rows); err != nil {
			return nil, malformed(what, err)
		}
		return &ShopsPage{Shops: rows, Page: pageWire{}.page(len(rows))}, nil
	case '{':
		var env struct {
			Shops listOf[Shop] `json:"shops"`
			Data  listOf[Shop] `json:"data"`
			pageWire
		}
		if err := json.Unmarshal(b, &env); err != nil {
			return nil, malformed(what, err)
		}
		for _, l := range []*listOf[Shop]{&env.Shops, &env.Data} {
			if l.Set {
				if l.V == nil {
					l.V = []Shop{}
				}
				return &ShopsPage{Shops: l.V, Page: env.page(len(l.V))}, nil
			}
		}
		return nil, malformed(what, errors.New("no shops list"))
	}
	return nil, malformed(what, errors.New("neither an object nor an array"))
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
	var probe struct {
		Balance json.RawMessage `json:"balance"`
	}
	if err := decodeObject(b, &probe, "balance"); err != nil {
		return nil, err
	}
	if k := jsonKind(probe.Balance); k == 0 || k == 'n' {
		return nil, malformed("balance", errors.New("no balance"))
	}
	var v Balance
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, malformed("balance", err)
	}
	return &v, nil
}

// decodeAddResult decodes {"order": 23501}; a positive order id is required.
func decodeAddResult(b []byte) (*AddResult, error) {
	var v AddResult
	if err := decodeObject(b, &v, "add"); err != nil {
		return nil, err
	}
	if v.Order <= 0 {
		return nil, malformed("add", errors.New("no order id"))
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
func decodeSMSCountries(b []byte) ([]SMSCountry, error) {
	const what = "sms_countries"
	switch jsonKind(b) {
	case '[':
		var v []SMSCountry
		if err := json.Unmarshal(b, &v); err != nil {
			return nil, malformed(what, err)
		}
		return v, nil
	case '{':
		var env struct {
			Countries    listOf[SMSCountry] `json:"countries"`
			SMSCountries listOf[SMSCountry] `json:"sms_countries"`
			Data         listOf[SMSCountry] `json:"data"`
		}
		if err := json.Unmarshal(b, &env); err != nil {
			return nil, malformed(what, err)
		}
		for _, l := range []listOf[SMSCountry]{env.Countries, env.SMSCountries, env.Data} {
			if l.Set {
				return l.V, nil
			}
		}
		return nil, malformed(what, errors.New("no countries list"))
	}
	return nil, malformed(what, errors.New("neither an object nor an array"))
}

// decodeSMSProjects decodes a bare array, or an envelope under projects/sms_projects/data.
func decodeSMSProjects(b []byte) ([]SMSProject, error) {
	const what = "sms_projects"
	switch jsonKind(b) {
	case '[':
		var v []SMSProject
		if err := json.Unmarshal(b, &v); err != nil {
			return nil, malformed(what, err)
		}
		return v, nil
	case '{':
		var env struct {
			Projects    listOf[SMSProject] `json:"projects"`
			SMSProjects listOf[SMSProject] `json:"sms_projects"`
			Data        listOf[SMSProject] `json:"data"`
		}
		if err := json.Unmarshal(b, &env); err != nil {
			return nil, malformed(what, err)
		}
		for _, l := range []listOf[SMSProject]{env.Projects, env.SMSProjects, env.Data} {
			if l.Set {
				return l.V, nil
			}
		}
		return nil, malformed(what, errors.New("no projects list"))
	}
	return nil, malformed(what, errors.New("neither an object nor an array"))
}

// decodeSMSOrders decodes {"orders": [...]}, a bare array or a single order object. At least one
// order is required, each with a positive order id.
func decodeSMSOrders(b []byte) ([]SMSOrder, error) {
	const what = "add_sms"
	var orders []SMSOrder
	switch jsonKind(b) {
	case '[':
		if err := json.Unmarshal(b, &orders); err != nil {
			return nil, malformed(what, err)
		}
	case '{':
		var env struct {
			Orders listOf[SMSOrder] `json:"orders"`
		}
		if err := json.Unmarshal(b, &env); err != nil {
			return nil, malformed(what, err)
		}
		if env.Orders.Set {
			orders = env.Orders.V
		} else {
			var one SMSOrder
			if err := json.Unmarshal(b, &one); err != nil {
				return nil, malformed(what, err)
			}
			orders = []SMSOrder{one}
		}
	default:
		return nil, malformed(what, errors.New("neither an object nor an array"))
	}
	if len(orders) == 0 {
		return nil, malformed(what, errors.New("no orders"))
	}
	for _, o := range orders {
		if o.Order <= 0 {
			return nil, malformed(what, errors.New("an order without an order id"))
		}
	}
	return orders, nil
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
