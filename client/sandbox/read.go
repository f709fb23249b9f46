package sandbox

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// MaxProductIDs is the most ids a productIds filter may carry.
const MaxProductIDs = 100

// Shop listing page sizes.
const (
	defaultShopLimit = 20
	maxShopLimit     = 100
)

// atoiOr reads an integer form value, def when absent or not a number.
func atoiOr(s string, def int) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return def
	}
	return n
}

// page is a computed pagination window.
type page struct {
	start, end                int
	page, limit, total, pages int
}

// paginate cuts total rows into pages of limit rows. With limit 0 every row
// comes back and, as the provider documents, page and limit both equal the
// total (total_pages is 1, or 0 for an empty result). A page past the end is
// empty.
func paginate(p, limit, total int) page {
	if p < 1 {
		p = 1
	}
	if limit <= 0 {
		pg := page{end: total, page: total, limit: total, total: total}
		if total > 0 {
			pg.pages = 1
		}
		return pg
	}
	pg := page{page: p, limit: limit, total: total, pages: (total + limit - 1) / limit}
	if p > pg.pages {
		pg.start, pg.end = total, total
		return pg
	}
	pg.start = (p - 1) * limit
	pg.end = min(pg.start+limit, total)
	return pg
}

func (s *Server) actCategories(form url.Values) (int, []byte) {
	l := parseLang(form.Get("lang"))
	type cat struct {
		Category      string   `json:"category"`
		Subcategories []string `json:"subcategories"`
	}
	out := make([]cat, len(s.cat.categories))
	for i, c := range s.cat.categories {
		subs := make([]string, len(c.subs))
		for j, sub := range c.subs {
			subs[j] = tr(sub, l)
		}
		out[i] = cat{tr(c.name, l), subs}
	}
	return ok(struct {
		Categories []cat `json:"categories"`
	}{out})
}

func (s *Server) actShops(form url.Values) (int, []byte) {
	limit := atoiOr(form.Get("limit"), defaultShopLimit)
	if limit <= 0 {
		limit = defaultShopLimit
	}
	limit = min(limit, maxShopLimit)
	pg := paginate(atoiOr(form.Get("page"), 1), limit, len(s.cat.shops))
	type shopRow struct {
		ID           string      `json:"id"`
		Name         string      `json:"name"`
		ProductCount int         `json:"productCount"`
		Rating       json.Number `json:"rating"`
		ReviewCount  int         `json:"reviewCount"`
	}
	rows := make([]shopRow, 0, pg.end-pg.start)
	for _, sh := range s.cat.shops[pg.start:pg.end] {
		rows = append(rows, shopRow{
			ID:           sh.id,
			Name:         sh.name,
			ProductCount: sh.products,
			Rating:       json.Number(strconv.Itoa(sh.ratingTenths/10) + "." + strconv.Itoa(sh.ratingTenths%10)),
			ReviewCount:  sh.reviews,
		})
	}
	return ok(struct {
		Shops      []shopRow `json:"shops"`
		Total      int       `json:"total"`
		Page       int       `json:"page"`
		Limit      int       `json:"limit"`
		TotalPages int       `json:"total_pages"`
	}{rows, pg.total, pg.page, pg.limit, pg.pages})
}

// parseProductIDs reads the productIds filter: comma-separated values, a JSON
// array (of numbers or strings), or repeated fields (productIds or
// productIds[]), in any mix. Duplicates are counted once.
func parseProductIDs(form url.Values) ([]string, string) {
	var raw []string
	raw = append(raw, form["productIds"]...)
	raw = append(raw, form["productIds[]"]...)
	var out []string
	seen := map[string]bool{}
	add := func(t string) {
		t = strings.ToLower(strings.TrimSpace(t))
		if t != "" && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	for _, v := range raw {
		v = strings.TrimSpace(v)
		if strings.HasPrefix(v, "[") {
			var arr []json.RawMessage
			if err := json.Unmarshal([]byte(v), &arr); err != nil {
				return nil, "Invalid productIds: malformed JSON array"
			}
			for _, e := range arr {
				var str string
				if err := json.Unmarshal(e, &str); err == nil {
					add(str)
					continue
				}
				var num json.Number
				if err := json.Unmarshal(e, &num); err == nil {
					add(num.String())
					continue
				}
				return nil, "Invalid productIds: array items must be numbers or strings"
			}
			continue
		}
		for _, t := range strings.Split(v, ",") {
			add(t)
		}
	}
	if len(out) > MaxProductIDs {
		return nil, "Too many productIds: at most " + strconv.Itoa(MaxProductIDs)
	}
	return out, ""
}

// imageBase is the absolute URL prefix of the server's own /img/ path.
func (s *Server) imageBase(r *http.Request) string {
	if s.baseURL != "" {
		return s.baseURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := r.Header.Get("X-Forwarded-Proto"); p == "http" || p == "https" {
		scheme = p
	}
	host := r.Host
	if host == "" {
		host = "localhost"
	}
	return scheme + "://" + host
}

// actList answers services (productsOnly false) and products. It reads the
// immutable catalog and the stock atomics only: no lock is held.
func (s *Server) actList(r *http.Request, form url.Values, productsOnly bool) (int, []byte) {
	c := s.cat
	category := strings.TrimSpace(form.Get("category"))
	subcategory := strings.TrimSpace(form.Get("subcategory"))
	shopID := strings.ToLower(strings.TrimSpace(form.Get("shopId")))

	kindFilter := -1
	if productsOnly {
		kindFilter = int(entityProduct)
	} else {
		switch strings.ToLower(strings.TrimSpace(form.Get("entityType"))) {
		case "":
		case "smm":
			kindFilter = int(entitySMM)
		case "product":
			kindFilter = int(entityProduct)
		default:
			return fail("Invalid entityType: use product or smm")
		}
	}

	ids, msg := parseProductIDs(form)
	if msg != "" {
		return fail(msg)
	}
	var idSet map[int32]bool
	if len(ids) > 0 {
		idSet = make(map[int32]bool, len(ids))
		for _, t := range ids {
			if rw := c.lookup(t); rw != nil && rw.kind == entityProduct {
				idSet[int32(rw.number-1)] = true
			}
		}
		if kindFilter == int(entitySMM) {
			idSet = map[int32]bool{} // productIds leaves SMM rows out
		}
		kindFilter = int(entityProduct)
	}

	shopIdx := int32(-1)
	if shopID != "" {
		i, found := c.shopByID[shopID]
		if !found {
			i = -2 // matches no row
		}
		shopIdx = i
	}

	var idx []int32
	if idSet != nil {
		idx = make([]int32, 0, len(idSet))
	} else {
		idx = make([]int32, 0, len(c.rows))
	}
	for i := range c.rows {
		rw := &c.rows[i]
		if idSet != nil && !idSet[int32(i)] {
			continue
		}
		if kindFilter >= 0 && int(rw.kind) != kindFilter {
			continue
		}
		if category != "" && !strings.EqualFold(rw.category, category) {
			continue
		}
		if subcategory != "" && !strings.EqualFold(rw.subcategory, subcategory) {
			continue
		}
		if shopIdx != -1 && rw.shop != shopIdx {
			continue
		}
		idx = append(idx, int32(i))
	}

	pg := paginate(atoiOr(form.Get("page"), 1), atoiOr(form.Get("limit"), 0), len(idx))
	lc := listCtx{
		lang:   parseLang(form.Get("lang")),
		imgEsc: escapeFragment(s.imageBase(r)),
		stock:  s.slotStock,
		rate:   s.rowRate,
	}
	key := "services"
	if productsOnly {
		key = "products"
	}
	buf := make([]byte, 0, (pg.end-pg.start)*420+96)
	return http.StatusOK, c.appendListing(buf, key, idx[pg.start:pg.end], pg.total, pg.page, pg.limit, pg.pages, &lc)
}

// slotStock is a slot's visible stock (none while its variant is off sale).
func (s *Server) slotStock(slot int32) int64 {
	if s.subHidden(slot) {
		return 0
	}
	return s.stock[slot].Load()
}

func (s *Server) actInventory(form url.Values) (int, []byte) {
	svc := strings.TrimSpace(form.Get("service"))
	if svc == "" {
		return fail(errServiceID)
	}
	n, err := strconv.Atoi(svc)
	if err != nil {
		return fail(errServiceMissing)
	}
	rw := s.cat.row(n)
	if rw == nil {
		return fail(errServiceMissing)
	}
	l := parseLang(form.Get("lang"))
	type invSub struct {
		SubproductID string `json:"subproductId"`
		Name         string `json:"name"`
		Stock        int64  `json:"stock"`
		Rate         string `json:"rate"`
	}
	type invResp struct {
		Service      int      `json:"service"`
		Stock        int64    `json:"stock"`
		Available    bool     `json:"available"`
		Rate         string   `json:"rate"`
		Min          *int     `json:"min,omitempty"`
		Max          *int     `json:"max,omitempty"`
		EntityType   string   `json:"entityType"`
		AutoDelivery bool     `json:"autoDelivery"`
		Subproducts  []invSub `json:"subproducts,omitempty"`
	}
	stock := rowStock(rw, s.slotStock)
	resp := invResp{
		Service:      rw.number,
		Stock:        stock,
		Available:    stock > 0 && stock >= int64(rw.min),
		Rate:         unitsString(s.rowRate(rw), false),
		EntityType:   rw.kind.String(),
		AutoDelivery: rw.auto,
	}
	if rw.kind == entityProduct {
		mn, mx := rw.min, rw.max
		resp.Min, resp.Max = &mn, &mx
		for i, sp := range rw.subs {
			if s.subHidden(sp.slot) {
				continue
			}
			resp.Subproducts = append(resp.Subproducts, invSub{
				SubproductID: sp.id,
				Name:         tr(sp.name, l),
				Stock:        s.slotStock(sp.slot),
				Rate:         unitsString(s.subPrice(rw, i), false),
			})
		}
	}
	return ok(resp)
}

func (s *Server) actBalance() (int, []byte) {
	bal := s.BalanceString()
	return ok(struct {
		Balance  string `json:"balance"`
		Currency string `json:"currency"`
	}{bal, s.currency})
}
