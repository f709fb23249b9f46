package client

import (
	"encoding/json"
	"math"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Every model decodes tolerantly (see UnmarshalJSON on each): numbers may arrive as strings and
// strings as numbers, booleans as "true"/1/"1", fields the older servers do not send take the
// documented default. Keys are matched exactly (see jsonscan.go): a key spelled in another case
// ("RATE", "Status") is ignored, never taken for the right one. The JSON tags are the API's
// spelling, so a model marshalled by this package (for a cache, say) decodes back to the same
// value.

// Entity types of a catalogue row.
const (
	EntitySMM     = "smm"
	EntityProduct = "product"
)

// Category is one catalogue category and its subcategories, in canonical English unless a lang
// was asked for. Filters always take the English names.
type Category struct {
	Category      string   `json:"category"`
	Subcategories []string `json:"subcategories"`
}

// UnmarshalJSON accepts {"category": …, "subcategories": […]} (also "name") or a bare string.
func (c *Category) UnmarshalJSON(b []byte) error {
	if k := jsonKind(b); k == '"' || (k >= '0' && k <= '9') || k == '-' {
		var s flexString
		if err := s.UnmarshalJSON(b); err != nil {
			return err
		}
		*c = Category{Category: string(s)}
		return nil
	}
	var w struct {
		Category      flexString
		Name          flexString
		Subcategories flexStrings
	}
	err := decodeFields(b, func(k, v []byte) error {
		switch string(k) {
		case "category":
			return fieldErr(k, w.Category.UnmarshalJSON(v))
		case "name":
			return fieldErr(k, w.Name.UnmarshalJSON(v))
		case "subcategories":
			return fieldErr(k, w.Subcategories.UnmarshalJSON(v))
		}
		return nil
	})
	if err != nil {
		return err
	}
	*c = Category{Category: firstString(w.Category, w.Name), Subcategories: []string(w.Subcategories)}
	return nil
}

// Service is one row of the catalogue: an SMM service or a marketplace product.
type Service struct {
	// ID is the entity's MongoDB ObjectId; empty on older servers.
	ID string `json:"id,omitempty"`
	// Service is the friendly number used to order and to query inventory.
	Service     int64  `json:"service"`
	Name        string `json:"name"`
	Type        string `json:"type"` // "Default", "Custom Comments", …
	Category    string `json:"category"`
	Subcategory string `json:"subcategory,omitempty"`
	// Rate is per 1000 units for SMM rows and per unit for products; see EstimateCost.
	Rate Decimal `json:"rate"`
	// RateUnknown is set when the answer gave no rate (the field absent, null or ""): Rate is then
	// zero and is not a price. See PriceKnown. (It marshals as "rate": null.)
	RateUnknown bool  `json:"-"`
	Min         int64 `json:"min"`
	Max         int64 `json:"max"`
	Stock       int64 `json:"stock"`
	Refill      bool  `json:"refill"`
	Cancel      bool  `json:"cancel"`
	// EntityType is "smm", "product", or "" on older servers (which have SMM rows only).
	EntityType string `json:"entityType,omitempty"`
	// AutoDelivery is false when a supplier fills orders by hand. Absent means true.
	AutoDelivery bool   `json:"autoDelivery"`
	Description  string `json:"description,omitempty"`
	ImageURL     string `json:"imageUrl,omitempty"`
}

// IsProduct reports whether the row is a marketplace product (priced per unit).
func (s Service) IsProduct() bool {
	return strings.EqualFold(strings.TrimSpace(s.EntityType), EntityProduct)
}

// IsCustomComments reports whether orders of this service carry one comment per line.
func (s Service) IsCustomComments() bool {
	return strings.EqualFold(strings.TrimSpace(s.Type), "Custom Comments")
}

// PriceKnown reports whether the row has a rate (see RateUnknown).
func (s Service) PriceKnown() bool { return !s.RateUnknown }

// EstimateCost is the exact price of quantity units before ordering: rate × quantity / 1000 for
// SMM rows, rate × quantity for products. It keeps at least the rate's scale ("0.50" × 100 / 1000
// = "0.05") and as many more digits as exactness needs ("0.50" × 1 / 1000 = "0.0005"). It is an
// estimate: the charge that Status reports is the truth.
//
// ok is false when the row's price is unknown (RateUnknown): cost is then zero, which is not a
// price and must not be shown or compared with a balance as one.
func (s Service) EstimateCost(quantity int64) (cost Decimal, ok bool) {
	if s.RateUnknown {
		return Decimal{}, false
	}
	c := s.Rate.Decimal.Mul(decimal.NewFromInt(quantity))
	if !s.IsProduct() {
		c = c.Shift(-3)
	}
	return withMinScale(c, s.Rate.Scale()), true
}

// MarshalJSON writes the row with the API's field names; an unknown rate is written as null, so
// that it decodes back as unknown.
func (s Service) MarshalJSON() ([]byte, error) {
	type plain Service
	var rate any = s.Rate
	if s.RateUnknown {
		rate = nil
	}
	return json.Marshal(struct {
		plain
		Rate any `json:"rate"`
	}{plain(s), rate})
}

type wireService struct {
	ID           flexString
	MongoID      flexString
	Service      flexInt
	Name         flexString
	Type         flexString
	Category     flexString
	Subcategory  flexString
	Rate         flexDecimal
	Min          flexInt
	Max          flexInt
	Stock        flexInt
	Refill       flexBool
	Cancel       flexBool
	EntityType   flexString
	EntityType2  flexString
	AutoDelivery flexBool
	AutoDeliv2   flexBool
	Description  flexString
	ImageURL     flexString
	ImageURL2    flexString
	// texts makes the rows' texts (nil: each its own copy).
	texts *rowTexts
}

// field decodes one member of a row; keys are matched exactly.
func (w *wireService) field(k, v []byte) error {
	var err error
	switch string(k) {
	case "id":
		err = w.ID.decode(v, w.texts, false)
	case "_id":
		err = w.MongoID.decode(v, w.texts, false)
	case "service":
		err = w.Service.UnmarshalJSON(v)
	case "name":
		err = w.Name.decode(v, w.texts, false)
	case "type":
		err = w.Type.decode(v, w.texts, true)
	case "category":
		err = w.Category.decode(v, w.texts, true)
	case "subcategory":
		err = w.Subcategory.decode(v, w.texts, true)
	case "rate":
		err = w.Rate.decode(v, w.texts)
	case "min":
		err = w.Min.UnmarshalJSON(v)
	case "max":
		err = w.Max.UnmarshalJSON(v)
	case "stock":
		err = w.Stock.UnmarshalJSON(v)
	case "refill":
		err = w.Refill.UnmarshalJSON(v)
	case "cancel":
		err = w.Cancel.UnmarshalJSON(v)
	case "entityType":
		err = w.EntityType.decode(v, w.texts, true)
	case "entity_type":
		err = w.EntityType2.decode(v, w.texts, true)
	case "autoDelivery":
		err = w.AutoDelivery.UnmarshalJSON(v)
	case "auto_delivery":
		err = w.AutoDeliv2.UnmarshalJSON(v)
	case "description":
		err = w.Description.decode(v, w.texts, true)
	case "imageUrl":
		err = w.ImageURL.decode(v, w.texts, true)
	case "image_url":
		err = w.ImageURL2.decode(v, w.texts, true)
	}
	return fieldErr(k, err)
}

// UnmarshalJSON decodes both documents' row shapes tolerantly.
func (s *Service) UnmarshalJSON(b []byte) error {
	var w wireService
	if err := decodeFields(b, w.field); err != nil {
		return err
	}
	*s = w.service()
	return nil
}

// service converts a decoded row.
func (w *wireService) service() Service {
	auto := w.AutoDelivery
	if !auto.Set {
		auto = w.AutoDeliv2
	}
	return Service{
		ID:           firstString(w.ID, w.MongoID),
		Service:      w.Service.V,
		Name:         string(w.Name),
		Type:         string(w.Type),
		Category:     string(w.Category),
		Subcategory:  string(w.Subcategory),
		Rate:         w.Rate.V,
		RateUnknown:  !w.Rate.Set,
		Min:          w.Min.V,
		Max:          w.Max.V,
		Stock:        w.Stock.V,
		Refill:       w.Refill.V,
		Cancel:       w.Cancel.V,
		EntityType:   firstString(w.EntityType, w.EntityType2),
		AutoDelivery: auto.boolOr(true),
		Description:  string(w.Description),
		ImageURL:     firstString(w.ImageURL, w.ImageURL2),
	}
}

// Page is the pagination of a list answer. With limit 0 (everything) the server sets Page and
// Limit to the total.
type Page struct {
	Total      int `json:"total"`
	Page       int `json:"page"`
	Limit      int `json:"limit"`
	TotalPages int `json:"total_pages"`
}

// ServicesPage is one answer of services or products.
type ServicesPage struct {
	Services []Service `json:"services"`
	Page
	// Skipped counts the rows of the answer that could not be decoded and were left out.
	Skipped SkipReport `json:"skipped,omitzero"`
}

// ServicesParams filters services and products. Zero values are not sent.
type ServicesParams struct {
	Page        int    // 1-based; used when Limit > 0
	Limit       int    // rows per page; 0 = all rows in one answer
	Category    string // canonical English name
	Subcategory string // canonical English name
	ShopID      string
	EntityType  string   // EntitySMM or EntityProduct; ignored by Products
	ProductIDs  []string // service numbers and/or MongoDB ids, at most 100; SMM rows are left out
	Lang        string   // overrides the client's language when set
}

// Shop is one active marketplace shop. Names are masked by the server.
type Shop struct {
	ID           string  `json:"id"`
	Name         string  `json:"name"`
	ProductCount int     `json:"productCount"`
	Rating       float64 `json:"rating"`
	ReviewCount  int     `json:"reviewCount"`
}

// UnmarshalJSON accepts the spellings seen for the same facts: id/_id/shopId/shop_id,
// productCount/product_count/products (a number or a list), reviewCount/review_count/reviews.
func (s *Shop) UnmarshalJSON(b []byte) error {
	var w struct {
		ID, MongoID, ShopID, ShopID2, Name flexString
		ProductCount, ProductCount2        flexInt
		Products                           flexCount
		Rating                             flexFloat
		ReviewCount, ReviewCount2          flexInt
		Reviews                            flexCount
	}
	err := decodeFields(b, func(k, v []byte) error {
		var u json.Unmarshaler
		switch string(k) {
		case "id":
			u = &w.ID
		case "_id":
			u = &w.MongoID
		case "shopId":
			u = &w.ShopID
		case "shop_id":
			u = &w.ShopID2
		case "name":
			u = &w.Name
		case "productCount":
			u = &w.ProductCount
		case "product_count":
			u = &w.ProductCount2
		case "products":
			u = &w.Products
		case "rating":
			u = &w.Rating
		case "reviewCount":
			u = &w.ReviewCount
		case "review_count":
			u = &w.ReviewCount2
		case "reviews":
			u = &w.Reviews
		default:
			return nil
		}
		return fieldErr(k, u.UnmarshalJSON(v))
	})
	if err != nil {
		return err
	}
	*s = Shop{
		ID:           firstString(w.ID, w.MongoID, w.ShopID, w.ShopID2),
		Name:         string(w.Name),
		ProductCount: clampInt(firstInt(w.ProductCount, w.ProductCount2, w.Products.flexInt).V),
		Rating:       float64(w.Rating),
		ReviewCount:  clampInt(firstInt(w.ReviewCount, w.ReviewCount2, w.Reviews.flexInt).V),
	}
	return nil
}

// ShopsPage is one answer of shops.
type ShopsPage struct {
	Shops []Shop `json:"shops"`
	Page
	// Skipped counts the rows of the answer that could not be decoded and were left out.
	Skipped SkipReport `json:"skipped,omitzero"`
}

// Subproduct is one active variant of a product, with its visible stock.
type Subproduct struct {
	SubproductID string `json:"subproductId"`
	Name         string `json:"name"`
	Stock        int64  `json:"stock"`
	// Rate is the variant's unit price when the answer gives one: the field is not documented
	// and usually absent. HasRate tells (see PriceKnown); without it Rate is zero and not a price.
	Rate    Decimal `json:"rate,omitzero"`
	HasRate bool    `json:"-"`
}

// PriceKnown reports whether the variant came with a price (HasRate).
func (s Subproduct) PriceKnown() bool { return s.HasRate }

// MarshalJSON writes the rate only when it is known, so that the variant decodes back the same.
func (s Subproduct) MarshalJSON() ([]byte, error) {
	type plain Subproduct
	var rate *Decimal
	if s.HasRate {
		rate = &s.Rate
	}
	return json.Marshal(struct {
		plain
		Rate *Decimal `json:"rate,omitempty"`
	}{plain(s), rate})
}

// UnmarshalJSON accepts subproductId/subproduct_id/id/_id and rate/price.
func (s *Subproduct) UnmarshalJSON(b []byte) error {
	var w struct {
		SubproductID, SubproductID2, ID, MongoID, Name flexString
		Stock                                          flexInt
		Rate, Price                                    flexDecimal
	}
	err := decodeFields(b, func(k, v []byte) error {
		var u json.Unmarshaler
		switch string(k) {
		case "subproductId":
			u = &w.SubproductID
		case "subproduct_id":
			u = &w.SubproductID2
		case "id":
			u = &w.ID
		case "_id":
			u = &w.MongoID
		case "name":
			u = &w.Name
		case "stock":
			u = &w.Stock
		case "rate":
			u = &w.Rate
		case "price":
			u = &w.Price
		default:
			return nil
		}
		return fieldErr(k, u.UnmarshalJSON(v))
	})
	if err != nil {
		return err
	}
	// rate first; price when rate is absent, or zero (as before both were tracked).
	rate := w.Rate
	if !rate.Set || rate.V.IsZero() && w.Price.Set {
		rate = w.Price
	}
	*s = Subproduct{
		SubproductID: firstString(w.SubproductID, w.SubproductID2, w.ID, w.MongoID),
		Name:         string(w.Name),
		Stock:        w.Stock.V,
		Rate:         rate.V,
		HasRate:      rate.Set,
	}
	return nil
}

// Inventory is the current stock and availability of one service. Older servers send only
// Service, Stock and Available.
type Inventory struct {
	Service   int64 `json:"service"`
	Stock     int64 `json:"stock"`
	Available bool  `json:"available"` // absent => Stock > 0
	// Rate is the price the server states here (per 1000 for SMM, per unit for products); older
	// servers do not send it and it is then zero. The catalogue row's rate (Service.Rate, with
	// Service.RateUnknown) is the one to price an order with. RateKnown tells whether the answer
	// had one (without it Rate is zero and not a price).
	Rate         Decimal      `json:"rate"`
	RateKnown    bool         `json:"-"`
	Min          int64        `json:"min"`
	Max          int64        `json:"max"`
	EntityType   string       `json:"entityType,omitempty"`
	AutoDelivery bool         `json:"autoDelivery"` // absent => true
	Subproducts  []Subproduct `json:"subproducts,omitempty"`
}

// UnmarshalJSON decodes the SMM, product and older shapes.
func (inv *Inventory) UnmarshalJSON(b []byte) error {
	var w struct {
		Service, Stock, Min, Max flexInt
		Available                flexBool
		Rate                     flexDecimal
		EntityType, EntityType2  flexString
		AutoDelivery, AutoDeliv2 flexBool
		Subproducts              []Subproduct
	}
	err := decodeFields(b, func(k, v []byte) error {
		var u json.Unmarshaler
		switch string(k) {
		case "service":
			u = &w.Service
		case "stock":
			u = &w.Stock
		case "available":
			u = &w.Available
		case "rate":
			u = &w.Rate
		case "min":
			u = &w.Min
		case "max":
			u = &w.Max
		case "entityType":
			u = &w.EntityType
		case "entity_type":
			u = &w.EntityType2
		case "autoDelivery":
			u = &w.AutoDelivery
		case "auto_delivery":
			u = &w.AutoDeliv2
		case "subproducts":
			var err error
			w.Subproducts, err = decodeList[Subproduct](v)
			return fieldErr(k, err)
		default:
			return nil
		}
		return fieldErr(k, u.UnmarshalJSON(v))
	})
	if err != nil {
		return err
	}
	auto := w.AutoDelivery
	if !auto.Set {
		auto = w.AutoDeliv2
	}
	*inv = Inventory{
		Service:      w.Service.V,
		Stock:        w.Stock.V,
		Available:    w.Available.boolOr(w.Stock.V > 0),
		Rate:         w.Rate.V,
		RateKnown:    w.Rate.Set,
		Min:          w.Min.V,
		Max:          w.Max.V,
		EntityType:   firstString(w.EntityType, w.EntityType2),
		AutoDelivery: auto.boolOr(true),
		Subproducts:  w.Subproducts,
	}
	return nil
}

// IsProduct reports whether the inventory is that of a marketplace product.
func (inv Inventory) IsProduct() bool {
	return strings.EqualFold(strings.TrimSpace(inv.EntityType), EntityProduct)
}

// Balance is the account's balance.
type Balance struct {
	Balance  Decimal `json:"balance"`
	Currency string  `json:"currency"`
}

// UnmarshalJSON decodes the balance tolerantly.
func (bal *Balance) UnmarshalJSON(b []byte) error {
	var w struct {
		Balance  Decimal
		Currency flexString
	}
	err := decodeFields(b, func(k, v []byte) error {
		switch string(k) {
		case "balance":
			return fieldErr(k, w.Balance.UnmarshalJSON(v))
		case "currency":
			return fieldErr(k, w.Currency.UnmarshalJSON(v))
		}
		return nil
	})
	if err != nil {
		return err
	}
	*bal = Balance{Balance: w.Balance, Currency: string(w.Currency)}
	return nil
}

// AddRequest is one order. It spends money.
type AddRequest struct {
	Service  int64
	Quantity int64
	// Link is the content URL for SMM services (required there); for products an optional
	// delivery e-mail or reference (empty: the account's e-mail).
	Link string
	// Comments is for "Custom Comments" services: one comment per line. Sent only if non-empty.
	Comments string
}

// AddResult is the answer to an order: the order was placed.
type AddResult struct {
	Order int64 `json:"order"`
	// Warning is the text the server sent along with the order id, if any: an answer such as
	// {"order": 23501, "error": "Order created, e-mail notification failed"} placed the order and
	// says something about it. Sanitised and at most MaxWarningRunes long; show it to the user.
	Warning string `json:"warning,omitempty"`
}

// MaxWarningRunes bounds AddResult.Warning and SMSOrder.Warning.
const MaxWarningRunes = 300

// UnmarshalJSON accepts the order id as a number or a numeric string.
func (r *AddResult) UnmarshalJSON(b []byte) error {
	var order flexInt
	var warning flexString
	err := decodeFields(b, func(k, v []byte) error {
		switch string(k) {
		case "order":
			return fieldErr(k, order.UnmarshalJSON(v))
		case "warning":
			return fieldErr(k, warning.UnmarshalJSON(v))
		}
		return nil
	})
	if err != nil {
		return err
	}
	*r = AddResult{Order: order.V, Warning: string(warning)}
	return nil
}

// Status is an order status, verbatim as the server sent it.
type Status string

// Documented statuses, plus spellings other panels use.
const (
	StatusPending    Status = "Pending"
	StatusInProgress Status = "In progress"
	StatusProcessing Status = "Processing"
	StatusCompleted  Status = "Completed"
	StatusPartial    Status = "Partial"
	StatusCanceled   Status = "Canceled"
	StatusCancelled  Status = "Cancelled"
)

// Terminal reports whether the order will not change any more: Completed, Partial, Canceled (or
// Cancelled), compared case-insensitively. Unknown statuses are not terminal.
func (s Status) Terminal() bool {
	t := strings.TrimSpace(string(s))
	for _, v := range []Status{StatusCompleted, StatusPartial, StatusCanceled, StatusCancelled} {
		if strings.EqualFold(t, string(v)) {
			return true
		}
	}
	return false
}

// String returns the status as sent.
func (s Status) String() string { return string(s) }

// OrderStatus is the state of one order.
type OrderStatus struct {
	Status       Status  `json:"status"`
	Charge       Decimal `json:"charge"`
	StartCount   int64   `json:"start_count"`
	Remains      int64   `json:"remains"`
	Currency     string  `json:"currency"`
	AutoDelivery bool    `json:"autoDelivery"` // absent => true
	EntityType   string  `json:"entityType,omitempty"`
	// Accounts are the delivered credentials of a product order, one string per account; on a
	// partial delivery only those delivered so far.
	Accounts []string `json:"accounts,omitempty"`
}

// UnmarshalJSON decodes both documents' shapes tolerantly.
func (o *OrderStatus) UnmarshalJSON(b []byte) error {
	var w struct {
		Status, Currency, EntityType, EntityType2 flexString
		Charge                                    Decimal
		StartCount, StartCount2, Remains          flexInt
		AutoDelivery, AutoDeliv2                  flexBool
		Accounts                                  flexStrings
	}
	err := decodeFields(b, func(k, v []byte) error {
		var u json.Unmarshaler
		switch string(k) {
		case "status":
			u = &w.Status
		case "charge":
			u = &w.Charge
		case "start_count":
			u = &w.StartCount
		case "startCount":
			u = &w.StartCount2
		case "remains":
			u = &w.Remains
		case "currency":
			u = &w.Currency
		case "autoDelivery":
			u = &w.AutoDelivery
		case "auto_delivery":
			u = &w.AutoDeliv2
		case "entityType":
			u = &w.EntityType
		case "entity_type":
			u = &w.EntityType2
		case "accounts":
			u = &w.Accounts
		default:
			return nil
		}
		return fieldErr(k, u.UnmarshalJSON(v))
	})
	if err != nil {
		return err
	}
	auto := w.AutoDelivery
	if !auto.Set {
		auto = w.AutoDeliv2
	}
	*o = OrderStatus{
		Status:       Status(w.Status),
		Charge:       w.Charge,
		StartCount:   firstInt(w.StartCount, w.StartCount2).V,
		Remains:      w.Remains.V,
		Currency:     string(w.Currency),
		AutoDelivery: auto.boolOr(true),
		EntityType:   firstString(w.EntityType, w.EntityType2),
		Accounts:     []string(w.Accounts),
	}
	return nil
}

// SMSCountry is a country that SMS numbers can come from.
type SMSCountry struct {
	Code string `json:"country_code"`
	Name string `json:"country_name"`
}

// UnmarshalJSON accepts country_code/code/country_id/id and country_name/name/country_title/title.
func (c *SMSCountry) UnmarshalJSON(b []byte) error {
	var w struct {
		Code, Code2, Code3, Code4, Name, Name2, Title, Title2 flexString
	}
	err := decodeFields(b, func(k, v []byte) error {
		var u *flexString
		switch string(k) {
		case "country_code":
			u = &w.Code
		case "code":
			u = &w.Code2
		case "country_id":
			u = &w.Code3
		case "id":
			u = &w.Code4
		case "country_name":
			u = &w.Name
		case "name":
			u = &w.Name2
		case "country_title":
			u = &w.Title
		case "title":
			u = &w.Title2
		default:
			return nil
		}
		return fieldErr(k, u.UnmarshalJSON(v))
	})
	if err != nil {
		return err
	}
	*c = SMSCountry{
		Code: firstString(w.Code, w.Code2, w.Code3, w.Code4),
		Name: firstString(w.Name, w.Name2, w.Title, w.Title2),
	}
	return nil
}

// SMSProject is a service (a site or app) that numbers can receive codes for, with its price.
type SMSProject struct {
	ProjectID string  `json:"project_id"`
	Name      string  `json:"name"`
	Price     Decimal `json:"price"`
	// PriceUnknown is set when the answer gave no price (absent, null or ""): Price is then zero
	// and is not a price. See PriceKnown. (It marshals as "price": null.)
	PriceUnknown bool   `json:"-"`
	CountryID    string `json:"country_id"`
	CountryTitle string `json:"country_title"`
}

// PriceKnown reports whether the project has a price (see PriceUnknown).
func (p SMSProject) PriceKnown() bool { return !p.PriceUnknown }

// MarshalJSON writes an unknown price as null, so that it decodes back as unknown.
func (p SMSProject) MarshalJSON() ([]byte, error) {
	type plain SMSProject
	var price any = p.Price
	if p.PriceUnknown {
		price = nil
	}
	return json.Marshal(struct {
		plain
		Price any `json:"price"`
	}{plain(p), price})
}

// UnmarshalJSON decodes a project tolerantly (project_id also as projectId/id/_id).
func (p *SMSProject) UnmarshalJSON(b []byte) error {
	var w struct {
		ProjectID, ProjectID2, ID, MongoID, Name          flexString
		CountryID, CountryID2, CountryTitle, CountryTitl2 flexString
		Price                                             flexDecimal
	}
	err := decodeFields(b, func(k, v []byte) error {
		var u json.Unmarshaler
		switch string(k) {
		case "project_id":
			u = &w.ProjectID
		case "projectId":
			u = &w.ProjectID2
		case "id":
			u = &w.ID
		case "_id":
			u = &w.MongoID
		case "name":
			u = &w.Name
		case "price":
			u = &w.Price
		case "country_id":
			u = &w.CountryID
		case "countryId":
			u = &w.CountryID2
		case "country_title":
			u = &w.CountryTitle
		case "countryTitle":
			u = &w.CountryTitl2
		default:
			return nil
		}
		return fieldErr(k, u.UnmarshalJSON(v))
	})
	if err != nil {
		return err
	}
	*p = SMSProject{
		ProjectID:    firstString(w.ProjectID, w.ProjectID2, w.ID, w.MongoID),
		Name:         string(w.Name),
		Price:        w.Price.V,
		PriceUnknown: !w.Price.Set,
		CountryID:    firstString(w.CountryID, w.CountryID2),
		CountryTitle: firstString(w.CountryTitle, w.CountryTitl2),
	}
	return nil
}

// AddSMSRequest orders phone numbers for one project. It spends money.
type AddSMSRequest struct {
	ProjectID string
	Quantity  int    // 1..10; 0 leaves it to the server (1)
	Country   string // e.g. "us"; optional
	Phone     string // a number to reuse; optional
}

// SMSOrder is one number ordered by AddSMS: it was placed.
type SMSOrder struct {
	Order   int64  `json:"order"`
	Phone   string `json:"phone"`
	Country string `json:"country"`
	Status  string `json:"status"`
	// Warning is the text the server sent along with the order ids, if any (the answer's
	// "error", or a note that some numbers came back without an order id), the same on every
	// order of one AddSMS. Sanitised, at most MaxWarningRunes long; show it to the user.
	Warning string `json:"warning,omitempty"`
}

// UnmarshalJSON decodes an SMS order tolerantly.
func (o *SMSOrder) UnmarshalJSON(b []byte) error {
	var w struct {
		Order                           flexInt
		Phone, Country, Status, Warning flexString
	}
	err := decodeFields(b, func(k, v []byte) error {
		var u json.Unmarshaler
		switch string(k) {
		case "order":
			u = &w.Order
		case "phone":
			u = &w.Phone
		case "country":
			u = &w.Country
		case "status":
			u = &w.Status
		case "warning":
			u = &w.Warning
		default:
			return nil
		}
		return fieldErr(k, u.UnmarshalJSON(v))
	})
	if err != nil {
		return err
	}
	*o = SMSOrder{Order: w.Order.V, Phone: string(w.Phone), Country: string(w.Country), Status: string(w.Status), Warning: string(w.Warning)}
	return nil
}

// SMSCode is the answer of sms_code: a code once received, else a waiting message.
type SMSCode struct {
	Status     string `json:"status"`
	Code       string `json:"code,omitempty"`
	SMSContent string `json:"sms_content,omitempty"`
	Message    string `json:"message,omitempty"`
}

// Received reports whether a code has arrived.
func (c SMSCode) Received() bool { return strings.TrimSpace(c.Code) != "" }

// UnmarshalJSON decodes the code tolerantly (a numeric code arrives as its digits).
func (c *SMSCode) UnmarshalJSON(b []byte) error {
	var w struct {
		Status, Code, SMSContent, SMSContent2, Message flexString
	}
	err := decodeFields(b, func(k, v []byte) error {
		var u *flexString
		switch string(k) {
		case "status":
			u = &w.Status
		case "code":
			u = &w.Code
		case "sms_content":
			u = &w.SMSContent
		case "smsContent":
			u = &w.SMSContent2
		case "message":
			u = &w.Message
		default:
			return nil
		}
		return fieldErr(k, u.UnmarshalJSON(v))
	})
	if err != nil {
		return err
	}
	*c = SMSCode{
		Status:     string(w.Status),
		Code:       string(w.Code),
		SMSContent: firstString(w.SMSContent, w.SMSContent2),
		Message:    string(w.Message),
	}
	return nil
}

// SMSStatus is the state of one SMS number order.
type SMSStatus struct {
	Status   string  `json:"status"`
	Phone    string  `json:"phone"`
	Code     string  `json:"code,omitempty"`
	Charge   Decimal `json:"charge"`
	Currency string  `json:"currency"`
	// ExpiresAt is when the number stops receiving; zero when absent or unparseable.
	ExpiresAt time.Time `json:"expires_at,omitzero"`
}

// Expired reports whether the number has expired at now. Without an expiry it never has.
func (s SMSStatus) Expired(now time.Time) bool {
	return !s.ExpiresAt.IsZero() && !now.Before(s.ExpiresAt)
}

// UnmarshalJSON decodes the status tolerantly; expires_at may be RFC 3339 or Unix seconds.
func (s *SMSStatus) UnmarshalJSON(b []byte) error {
	var w struct {
		Status, Phone, Code, Currency flexString
		Charge                        Decimal
		ExpiresAt, ExpiresAt2         flexTime
	}
	err := decodeFields(b, func(k, v []byte) error {
		var u json.Unmarshaler
		switch string(k) {
		case "status":
			u = &w.Status
		case "phone":
			u = &w.Phone
		case "code":
			u = &w.Code
		case "charge":
			u = &w.Charge
		case "currency":
			u = &w.Currency
		case "expires_at":
			u = &w.ExpiresAt
		case "expiresAt":
			u = &w.ExpiresAt2
		default:
			return nil
		}
		return fieldErr(k, u.UnmarshalJSON(v))
	})
	if err != nil {
		return err
	}
	exp := time.Time(w.ExpiresAt)
	if exp.IsZero() {
		exp = time.Time(w.ExpiresAt2)
	}
	*s = SMSStatus{
		Status:    string(w.Status),
		Phone:     string(w.Phone),
		Code:      string(w.Code),
		Charge:    w.Charge,
		Currency:  string(w.Currency),
		ExpiresAt: exp,
	}
	return nil
}

// clampInt converts to int, saturating where int is narrower than int64.
func clampInt(v int64) int {
	if v > math.MaxInt {
		return math.MaxInt
	}
	if v < math.MinInt {
		return math.MinInt
	}
	return int(v)
}
