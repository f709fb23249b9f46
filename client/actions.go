package client

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"
)

// readAs sends a read action and decodes its answer.
func readAs[T any](ctx context.Context, c *Client, action string, params url.Values, decode func([]byte) (T, error)) (T, error) {
	var v T
	err := c.read(ctx, action, params, func(b []byte) error {
		var err error
		v, err = decode(b)
		return err
	})
	if err != nil {
		var zero T
		return zero, err
	}
	return v, nil
}

// langParams returns parameters holding the language to send: override if set, else the
// client's.
func (c *Client) langParams(action, override string) (url.Values, error) {
	v := url.Values{}
	lang := c.lang
	if strings.TrimSpace(override) != "" {
		l, err := CanonicalLang(override)
		if err != nil {
			return nil, invalidArg(action, "unsupported language")
		}
		lang = l
	}
	if lang != "" {
		v.Set("lang", lang)
	}
	return v, nil
}

// Categories lists every category and its subcategories (translated when a lang is set; filters
// still take the English names). A category that does not decode is left out (see WithLogf).
func (c *Client) Categories(ctx context.Context) ([]Category, error) {
	const action = "categories"
	params, err := c.langParams(action, "")
	if err != nil {
		return nil, err
	}
	return readAs(ctx, c, action, params, func(b []byte) ([]Category, error) {
		rows, rep, err := decodeCategoriesReport(b)
		c.noteSkipped(action, &rep)
		return rows, err
	})
}

// noteSkipped logs the rows a list answer left out, with a short excerpt of each (sanitised,
// key scrubbed), and drops the excerpts from the report.
func (c *Client) noteSkipped(action string, rep *SkipReport) {
	if rep.Rows == 0 {
		return
	}
	c.logf("hstockplus: %s: %s", action, c.redact.clean(rep.String(), maxCauseRunes))
	for _, raw := range rep.raw {
		c.logf("hstockplus: %s: a row left out: %s", action, c.redact.clean(raw, maxRawRowBytes))
	}
	rep.raw = nil
}

// Shops lists active shops. page and limit are sent when positive (server defaults 1 and 20).
func (c *Client) Shops(ctx context.Context, page, limit int) (*ShopsPage, error) {
	const action = "shops"
	if page < 0 || limit < 0 {
		return nil, invalidArg(action, "page and limit must not be negative")
	}
	params := url.Values{}
	if page > 0 {
		params.Set("page", strconv.Itoa(page))
	}
	if limit > 0 {
		params.Set("limit", strconv.Itoa(limit))
	}
	return readAs(ctx, c, action, params, func(b []byte) (*ShopsPage, error) {
		pg, err := decodeShopsPage(b)
		if pg != nil {
			c.noteSkipped(action, &pg.Skipped)
		}
		return pg, err
	})
}

// Services lists catalogue rows (SMM services and products). With p.Limit 0 every row comes back
// in one answer. Rows that do not decode (a value out of range, an invalid amount) are left out
// and counted in the page's Skipped; an answer whose every row is bad fails with
// ErrMalformedResponse.
func (c *Client) Services(ctx context.Context, p ServicesParams) (*ServicesPage, error) {
	return c.catalogPage(ctx, "services", p)
}

// Products lists marketplace products only (the product rows of Services). p.EntityType is
// ignored.
func (c *Client) Products(ctx context.Context, p ServicesParams) (*ServicesPage, error) {
	p.EntityType = ""
	return c.catalogPage(ctx, "products", p)
}

func (c *Client) catalogPage(ctx context.Context, action string, p ServicesParams) (*ServicesPage, error) {
	params, err := c.catalogParams(action, p)
	if err != nil {
		return nil, err
	}
	var pg *ServicesPage
	stream := &catalogStream{key: action}
	err = c.readCatalog(ctx, action, params, func(b []byte) error {
		pg, err = decodeServicesPage(b, action)
		return err
	}, stream)
	if stream.page != nil {
		pg = stream.page
	}
	if err != nil {
		return nil, err
	}
	c.noteSkipped(action, &pg.Skipped)
	return pg, nil
}

func (c *Client) catalogParams(action string, p ServicesParams) (url.Values, error) {
	if p.Page < 0 || p.Limit < 0 {
		return nil, invalidArg(action, "page and limit must not be negative")
	}
	params, err := c.langParams(action, p.Lang)
	if err != nil {
		return nil, err
	}
	if p.Page > 0 {
		params.Set("page", strconv.Itoa(p.Page))
	}
	if p.Limit > 0 {
		params.Set("limit", strconv.Itoa(p.Limit))
	}
	setIf(params, "category", p.Category)
	setIf(params, "subcategory", p.Subcategory)
	setIf(params, "shopId", p.ShopID)
	if action == "services" {
		if et := strings.ToLower(strings.TrimSpace(p.EntityType)); et != "" {
			if et != EntitySMM && et != EntityProduct {
				return nil, invalidArg(action, "entity type must be %q or %q", EntitySMM, EntityProduct)
			}
			params.Set("entityType", et)
		}
	}
	if len(p.ProductIDs) > 0 {
		ids := make([]string, 0, len(p.ProductIDs))
		for _, id := range p.ProductIDs {
			id = strings.TrimSpace(id)
			if id == "" {
				continue
			}
			if strings.ContainsAny(id, ",[]\" \t\r\n") {
				return nil, invalidArg(action, "a product id contains a comma, bracket, quote or space")
			}
			ids = append(ids, id)
		}
		if len(ids) > MaxProductIDs {
			return nil, invalidArg(action, "at most %d product ids, got %d", MaxProductIDs, len(ids))
		}
		if len(ids) > 0 {
			params.Set("productIds", strings.Join(ids, ","))
		}
	}
	return params, nil
}

// setIf sets key to the trimmed value if it is not empty.
func setIf(v url.Values, key, value string) {
	if value = strings.TrimSpace(value); value != "" {
		v.Set(key, value)
	}
}

// AllServices loads the whole catalogue matching p (p.Page and p.Limit are ignored).
//
// With pageSize 0 it makes one request with limit=0 (every row in one answer). Otherwise it asks
// page after page of pageSize rows until the last page, calling progress (if not nil) after each
// with the rows so far and the total the server reports; rows seen on an earlier page (the
// catalogue may shift while paging) are kept once. Any failed page fails the whole call.
//
// Rows that do not decode are left out, not fatal: the SkipReport counts them over all pages,
// with the first few reasons (show it: "3 rows left out"); its zero value means none.
func (c *Client) AllServices(ctx context.Context, p ServicesParams, pageSize int, progress func(done, total int)) ([]Service, SkipReport, error) {
	return c.allRows(ctx, "services", p, pageSize, progress)
}

// AllProducts is AllServices for the products action.
func (c *Client) AllProducts(ctx context.Context, p ServicesParams, pageSize int, progress func(done, total int)) ([]Service, SkipReport, error) {
	p.EntityType = ""
	return c.allRows(ctx, "products", p, pageSize, progress)
}

// maxCatalogPages bounds paging against a server whose pagination never ends.
const maxCatalogPages = 100_000

func (c *Client) allRows(ctx context.Context, action string, p ServicesParams, pageSize int, progress func(done, total int)) ([]Service, SkipReport, error) {
	if pageSize < 0 {
		return nil, SkipReport{}, invalidArg(action, "page size must not be negative")
	}
	if pageSize == 0 {
		p.Page, p.Limit = 0, 0
		pg, err := c.catalogPage(ctx, action, p)
		if err != nil {
			return nil, SkipReport{}, err
		}
		if progress != nil {
			progress(len(pg.Services), len(pg.Services))
		}
		return pg.Services, pg.Skipped, nil
	}

	type rowKey struct {
		n  int64
		id string
	}
	seen := make(map[rowKey]struct{})
	var all []Service
	var skipped SkipReport
	p.Limit = pageSize
	for page := 1; ; page++ {
		if page > maxCatalogPages {
			return nil, SkipReport{}, &TransportError{Action: action, Err: malformed(action, errors.New("pagination does not end"))}
		}
		p.Page = page
		pg, err := c.catalogPage(ctx, action, p)
		if err != nil {
			return nil, SkipReport{}, err
		}
		skipped.merge(pg.Skipped, "page "+strconv.Itoa(page)+": ")
		added := 0
		for _, s := range pg.Services {
			if s.Service != 0 || s.ID != "" {
				k := rowKey{s.Service, s.ID}
				if _, dup := seen[k]; dup {
					continue
				}
				seen[k] = struct{}{}
			}
			all = append(all, s)
			added++
		}
		total := max(pg.Total, len(all))
		if progress != nil {
			progress(len(all), total)
		}
		rows := len(pg.Services) + pg.Skipped.Rows // the page's size, rows left out included
		switch {
		case rows == 0, added == 0:
			return all, skipped, nil // an empty page, or the same page again
		case rows != pageSize:
			return all, skipped, nil // a short last page, or a server that ignored the limit
		case pg.TotalPages > 0 && page >= pg.TotalPages:
			return all, skipped, nil
		case pg.Total > 0 && len(all)+skipped.Rows >= pg.Total:
			return all, skipped, nil
		}
	}
}

// Inventory returns the stock and availability of one service (and its variants for products).
func (c *Client) Inventory(ctx context.Context, service int64) (*Inventory, error) {
	const action = "inventory"
	if service <= 0 {
		return nil, invalidArg(action, "service must be positive")
	}
	params, err := c.langParams(action, "")
	if err != nil {
		return nil, err
	}
	params.Set("service", strconv.FormatInt(service, 10))
	return readAs(ctx, c, action, params, decodeInventory)
}

// Balance returns the account's balance.
func (c *Client) Balance(ctx context.Context) (*Balance, error) {
	return readAs(ctx, c, "balance", nil, decodeBalance)
}

// Add places an order. IT SPENDS MONEY and is never retried: every failure is a *SpendError
// telling whether the order was certainly not placed (ErrNotSent) or may have been
// (ErrOutcomeUnknown, then check before ordering again).
//
// An answer with an order id placed the order, at any HTTP status and even when it also carries
// an error: the result is returned with a nil error and the server's text in Warning. Only a
// refusal without an order id ("Insufficient balance", "Service not found", …) is ErrNotSent.
func (c *Client) Add(ctx context.Context, r AddRequest) (*AddResult, error) {
	const action = "add"
	switch {
	case r.Service <= 0:
		return nil, &SpendError{Action: action, Outcome: ErrNotSent, Err: invalidArg(action, "service must be positive")}
	case r.Quantity <= 0:
		return nil, &SpendError{Action: action, Outcome: ErrNotSent, Err: invalidArg(action, "quantity must be positive")}
	}
	params := url.Values{}
	params.Set("service", strconv.FormatInt(r.Service, 10))
	params.Set("quantity", strconv.FormatInt(r.Quantity, 10))
	setIf(params, "link", r.Link)
	if strings.TrimSpace(r.Comments) != "" {
		params.Set("comments", r.Comments)
	}
	var out *AddResult
	err := c.spend(ctx, action, params, func(b []byte) error {
		v, err := decodeAddResult(b)
		out = v
		return err
	})
	if err != nil {
		return nil, err
	}
	out.Warning = c.redact.clean(out.Warning, MaxWarningRunes)
	return out, nil
}

// Status returns the state of one order.
func (c *Client) Status(ctx context.Context, order int64) (*OrderStatus, error) {
	const action = "status"
	if order <= 0 {
		return nil, invalidArg(action, "order must be positive")
	}
	params := url.Values{}
	params.Set("order", strconv.FormatInt(order, 10))
	return readAs(ctx, c, action, params, decodeOrderStatus)
}

// SMSCountries lists the countries SMS numbers come from.
func (c *Client) SMSCountries(ctx context.Context) ([]SMSCountry, error) {
	const action = "sms_countries"
	params, err := c.langParams(action, "")
	if err != nil {
		return nil, err
	}
	return readAs(ctx, c, action, params, func(b []byte) ([]SMSCountry, error) {
		rows, rep, err := decodeSMSCountriesReport(b)
		c.noteSkipped(action, &rep)
		return rows, err
	})
}

// SMSProjects lists the projects numbers can receive codes for, in country if not empty.
func (c *Client) SMSProjects(ctx context.Context, country string) ([]SMSProject, error) {
	const action = "sms_projects"
	params, err := c.langParams(action, "")
	if err != nil {
		return nil, err
	}
	setIf(params, "country", country)
	return readAs(ctx, c, action, params, func(b []byte) ([]SMSProject, error) {
		rows, rep, err := decodeSMSProjectsReport(b)
		c.noteSkipped(action, &rep)
		return rows, err
	})
}

// AddSMS orders phone numbers. IT SPENDS MONEY and is never retried: every failure is a
// *SpendError, as for Add.
//
// The numbers the answer gives an order id for were placed and are returned, with a nil error,
// even when the answer also carries an error (or rows without an order id): that text is then
// each returned order's Warning, for the caller to show.
func (c *Client) AddSMS(ctx context.Context, r AddSMSRequest) ([]SMSOrder, error) {
	const action = "add_sms"
	switch {
	case strings.TrimSpace(r.ProjectID) == "":
		return nil, &SpendError{Action: action, Outcome: ErrNotSent, Err: invalidArg(action, "project id is required")}
	case r.Quantity < 0 || r.Quantity > MaxSMSQuantity:
		return nil, &SpendError{Action: action, Outcome: ErrNotSent, Err: invalidArg(action, "quantity must be between 1 and %d", MaxSMSQuantity)}
	}
	params := url.Values{}
	params.Set("project_id", strings.TrimSpace(r.ProjectID))
	if r.Quantity > 0 {
		params.Set("quantity", strconv.Itoa(r.Quantity))
	}
	setIf(params, "country", r.Country)
	setIf(params, "phone", r.Phone)
	var out []SMSOrder
	err := c.spend(ctx, action, params, func(b []byte) error {
		v, err := decodeSMSOrders(b)
		out = v
		return err
	})
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Warning = c.redact.clean(out[i].Warning, MaxWarningRunes)
	}
	return out, nil
}

// SMSCode returns the code received by an SMS order, or its waiting message.
func (c *Client) SMSCode(ctx context.Context, order int64) (*SMSCode, error) {
	const action = "sms_code"
	if order <= 0 {
		return nil, invalidArg(action, "order must be positive")
	}
	params := url.Values{}
	params.Set("order", strconv.FormatInt(order, 10))
	return readAs(ctx, c, action, params, decodeSMSCode)
}

// SMSStatus returns the state of an SMS order.
func (c *Client) SMSStatus(ctx context.Context, order int64) (*SMSStatus, error) {
	const action = "sms_status"
	if order <= 0 {
		return nil, invalidArg(action, "order must be positive")
	}
	params := url.Values{}
	params.Set("order", strconv.FormatInt(order, 10))
	return readAs(ctx, c, action, params, decodeSMSStatus)
}
