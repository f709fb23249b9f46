package account

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/hstockplus/hstockplus/cache"
	"github.com/hstockplus/hstockplus/client"
)

// Catalog is a catalog as saved or downloaded: its rows, when they were fetched, and what changed
// since the snapshot before (nil when there is no baseline or it could not be read).
type Catalog struct {
	Rows    []client.Service
	Fetched time.Time
	Diff    *ServiceDiff
	// Skipped: rows of the answer that could not be read (left out, and logged).
	Skipped client.SkipReport
}

// ErrNoSavedCopy: nothing of that kind was ever saved.
var ErrNoSavedCopy = cache.ErrNoSnapshot

// SavedCatalog is the catalog saved by the last refresh, in the API's language: what the window
// shows at once, before (or without) any network call. ErrNoSavedCopy when there is none.
func (s *Service) SavedCatalog() (Catalog, error) {
	rows, info, err := s.store.Services(s.Lang())
	if err != nil {
		return Catalog{}, err
	}
	compactRows(rows)
	return Catalog{Rows: rows, Fetched: info.FetchedAt}, nil
}

// CatalogChanges is what changed between the saved catalog and the one before it (nil: no
// earlier one). SavedCatalog and RefreshCatalog leave it out: it reads both copies again, and the
// window shows the rows first. After a download with skipped rows it means nothing (they would
// read as removed).
func (s *Service) CatalogChanges() *ServiceDiff { return s.serviceDiff() }

// RefreshCatalog downloads the whole catalog, saves it for offline use, and returns it. What
// changed since the last one is CatalogChanges (not worked out here: it reads both saved copies,
// which would add to the download's peak). A failed save is logged: the download is returned.
func (s *Service) RefreshCatalog(ctx context.Context) (Catalog, error) {
	now := s.clock.Now()
	rows, skipped, err := s.api.AllServices(ctx, client.ServicesParams{}, 0, nil)
	s.observe(err)
	if err != nil {
		return Catalog{}, err
	}
	if skipped.Rows > 0 {
		s.logf("catalog: %s", skipped)
	}
	// The client's rows are compact already (their texts shared or packed as they were decoded).
	s.seeCatalog(rows)
	if _, err := s.store.SaveServices(s.Lang(), now, rows); err != nil {
		s.logf("catalog: not saved for offline use: %v", err)
		return Catalog{Rows: rows, Fetched: now, Skipped: skipped}, nil
	}
	return Catalog{Rows: rows, Fetched: now, Skipped: skipped}, nil
}

func (s *Service) serviceDiff() *ServiceDiff {
	d, err := s.store.DiffServices(s.Lang())
	if err != nil {
		return nil
	}
	return &d
}

// Shop list paging: at most maxShopPages pages of shopsPageSize.
const (
	shopsPageSize = 100
	maxShopPages  = 100 // 10,000 shops
)

// Shops reads every shop and saves them; when HstockPlus cannot be reached it returns the saved
// list with when it was saved, and the error. With neither, the error alone.
func (s *Service) Shops(ctx context.Context) (shops []client.Shop, saved time.Time, err error) {
	if err := s.unsupported(FeatureShops); err != nil {
		return nil, time.Time{}, err
	}
	shops, err = s.fetchAllShops(ctx)
	if err = s.learn(FeatureShops, err); errors.Is(err, ErrUnsupported) {
		return nil, time.Time{}, err
	}
	if err == nil {
		if _, serr := s.store.SaveShops(s.clock.Now(), shops); serr != nil {
			s.logf("shops: not saved for offline use: %v", serr)
		}
		return shops, time.Time{}, nil
	}
	if rows, info, serr := s.store.Shops(); serr == nil {
		return rows, info.FetchedAt, err
	}
	return nil, time.Time{}, err
}

// fetchAllShops reads every page of the shop list (a bounded number of pages).
func (s *Service) fetchAllShops(ctx context.Context) ([]client.Shop, error) {
	var all []client.Shop
	for page := 1; page <= maxShopPages; page++ {
		p, err := s.api.Shops(ctx, page, shopsPageSize)
		s.observe(err)
		if err != nil {
			return nil, err
		}
		if p == nil {
			return nil, ErrEmptyAnswer
		}
		all = append(all, p.Shops...)
		if len(p.Shops) == 0 || len(all) >= p.Total || page >= p.TotalPages {
			break
		}
	}
	return all, nil
}

// ShopProducts lists what one shop sells.
func (s *Service) ShopProducts(ctx context.Context, shopID string) ([]client.Service, error) {
	if err := s.unsupported(FeatureShops); err != nil {
		return nil, err
	}
	page, err := s.api.Services(ctx, client.ServicesParams{ShopID: shopID})
	s.observe(err)
	if err != nil {
		return nil, err
	}
	if page == nil {
		return nil, ErrEmptyAnswer
	}
	return page.Services, nil
}

// Inventory is the live stock of a service or product.
func (s *Service) Inventory(ctx context.Context, service int64) (*client.Inventory, error) {
	if err := s.unsupported(FeatureInventory); err != nil {
		return nil, err
	}
	inv, err := s.api.Inventory(ctx, service)
	s.observe(err)
	err = s.learn(FeatureInventory, err)
	if err == nil && inv == nil {
		err = ErrEmptyAnswer
	}
	if err == nil {
		s.seeInventory(inv)
	}
	return inv, err
}

// Image is a product image: from the store's cache, else downloaded and cached.
func (s *Service) Image(ctx context.Context, url string) ([]byte, error) {
	if data, _, err := s.store.Image(url); err == nil && data != nil {
		return data, nil
	}
	b, ct, err := s.api.FetchImage(ctx, url)
	if err != nil {
		return nil, err
	}
	if err := s.store.PutImage(url, b, ct); err != nil && !errors.Is(err, cache.ErrTooLarge) {
		s.logf("image cache: %v", err)
	}
	return b, nil
}

// SMSCountries lists the countries numbers can be rented in.
func (s *Service) SMSCountries(ctx context.Context) ([]client.SMSCountry, error) {
	if err := s.unsupported(FeatureSMS); err != nil {
		return nil, err
	}
	cs, err := s.api.SMSCountries(ctx)
	s.observe(err)
	return cs, s.learn(FeatureSMS, err)
}

// SMSProjects lists the services (projects) numbers can be rented for in a country, with their
// prices.
func (s *Service) SMSProjects(ctx context.Context, country string) ([]client.SMSProject, error) {
	if err := s.unsupported(FeatureSMS); err != nil {
		return nil, err
	}
	ps, err := s.api.SMSProjects(ctx, country)
	s.observe(err)
	return ps, s.learn(FeatureSMS, err)
}

// compactRows makes a saved catalog read back hold its text once (the client does the same for
// a download as it decodes): the texts many rows repeat (category,
// subcategory, type, kind, description, image address) are shared, and each row's own texts
// (id, name) are copied into one block. The strings the rows were decoded from — a whole saved
// chunk, or an answer's many small strings — are then free to go: about 8 MB less held at
// 100,000 rows. The values are unchanged.
func compactRows(rows []client.Service) {
	shared := map[string]string{}
	share := func(s string) string {
		if s == "" {
			return ""
		}
		if v, ok := shared[s]; ok {
			return v
		}
		v := strings.Clone(s)
		shared[v] = v
		return v
	}
	// Rows come grouped (a category's rows together): a text the row before had is taken from it
	// without a map lookup.
	var last [6]string
	sharedAt := func(k int, s string) string {
		if s == last[k] && s != "" {
			return last[k]
		}
		last[k] = share(s)
		return last[k]
	}
	size := 0
	for i := range rows {
		size += len(rows[i].ID) + len(rows[i].Name)
	}
	var b strings.Builder
	b.Grow(size)
	for i := range rows {
		b.WriteString(rows[i].ID)
		b.WriteString(rows[i].Name)
	}
	block := b.String()
	at := 0
	for i := range rows {
		r := &rows[i]
		n, m := len(r.ID), len(r.Name)
		r.ID, r.Name = block[at:at+n], block[at+n:at+n+m]
		at += n + m
		r.Type, r.Category, r.Subcategory = sharedAt(0, r.Type), sharedAt(1, r.Category), sharedAt(2, r.Subcategory)
		r.EntityType, r.Description, r.ImageURL = sharedAt(3, r.EntityType), sharedAt(4, r.Description), sharedAt(5, r.ImageURL)
	}
}
