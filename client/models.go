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
// documented default. The JSON tags are the API's spelling, so a model marshalled by this package
// (for a cache, say) decodes back to the same value.

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
		Category      flexString  `json:"category"`
		Name          flexString  `json:"name"`
		Subcategories flexStrings `json:"subcategories"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
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
	Rate   Decimal `json:"rate"`
	Min    int64   `json:"min"`
	Max    int64   `json:"max"`
	Stock  int64   `json:"stock"`
	Refill bool    `json:"refill"`
	Cancel bool    `json:"cancel"`
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

// EstimateCost is the exact price of quantity units before ordering: rate × quantity / 1000 for
// SMM rows, rate × quantity for products. It keeps at least the rate's scale ("0.50" × 100 / 1000
// = "0.05") and as many more digits as exactness needs ("0.50" × 1 / 1000 = "0.0005"). It is an
// estimate: the charge that Status reports is the truth.
func (s Service) EstimateCost(quantity int64) Decimal {
	cost := s.Rate.Decimal.Mul(decimal.NewFromInt(quantity))
	if !s.IsProduct() {
		cost = cost.Shift(-3)
	}
	return withMinScale(cost, s.Rate.Scale())
}

type wireService struct {
	ID           flexString `json:"id"`
	MongoID      flexString `json:"_id"`
	Service      flexInt    `json:"service"`
	Name         flexString `json:"name"`
	Type         flexString `json:"type"`
	Category     flexString `json:"category"`
	Subcategory  flexString `json:"subcategory"`
	Rate         Decimal    `json:"rate"`
	Min          flexInt    `json:"min"`
	Max          flexInt    `json:"max"`
	Stock        flexInt    `json:"stock"`
	Refill       flexBool   `json:"refill"`
	Cancel       flexBool   `json:"cancel"`
	EntityType   flexString `json:"entityType"`
	EntityType2  flexString `json:"entity_type"`
	AutoDelivery flexBool   `json:"autoDelivery"`
	AutoDeliv2   flexBool   `json:"auto_delivery"`
	Description  flexString `json:"description"`
	ImageURL     flexString `json:"imageUrl"`
	ImageURL2    flexString `json:"image_url"`
}

// UnmarshalJSON decodes both documents' row shapes tolerantly.
func (s *Service) UnmarshalJSON(b []byte) error {
	var w wireService
	if err := json.Unmarshal(b, &w); err != nil {
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
		Rate:         w.Rate,
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
		ID            flexString `json:"id"`
		MongoID       flexString `json:"_id"`
		ShopID        flexString `json:"shopId"`
		ShopID2       flexString `json:"shop_id"`
		Name          flexString `json:"name"`
		ProductCount  flexInt    `json:"productCount"`
		ProductCount2 flexInt    `json:"product_count"`
		Products      flexCount  `json:"products"`
		Rating        flexFloat  `json:"rating"`
		ReviewCount   flexInt    `json:"reviewCount"`
		ReviewCount2  flexInt    `json:"review_count"`
		Reviews       flexCount  `json:"reviews"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
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
}

// Subproduct is one active variant of a product, with its visible stock.
type Subproduct struct {
	SubproductID string  `json:"subproductId"`
	Name         string  `json:"name"`
	Stock        int64   `json:"stock"`
	Rate         Decimal `json:"rate,omitzero"` // not documented; zero when absent
}

// UnmarshalJSON accepts subproductId/subproduct_id/id/_id and rate/price.
func (s *Subproduct) UnmarshalJSON(b []byte) error {
	var w struct {
		SubproductID  flexString `json:"subproductId"`
		SubproductID2 flexString `json:"subproduct_id"`
		ID            flexString `json:"id"`
		MongoID       flexString `json:"_id"`
		Name          flexString `json:"name"`
		Stock         flexInt    `json:"stock"`
		Rate          Decimal    `json:"rate"`
		Price         Decimal    `json:"price"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	rate := w.Rate
	if rate.IsZero() {
		rate = w.Price
	}
	*s = Subproduct{
		SubproductID: firstString(w.SubproductID, w.SubproductID2, w.ID, w.MongoID),
		Name:         string(w.Name),
		Stock:        w.Stock.V,
		Rate:         rate,
	}
	return nil
}

// Inventory is the current stock and availability of one service. Older servers send only
// Service, Stock and Available.
type Inventory struct {
	Service      int64        `json:"service"`
	Stock        int64        `json:"stock"`
	Available    bool         `json:"available"` // absent => Stock > 0
	Rate         Decimal      `json:"rate"`
	Min          int64        `json:"min"`
	Max          int64        `json:"max"`
	EntityType   string       `json:"entityType,omitempty"`
	AutoDelivery bool         `json:"autoDelivery"` // absent => true
	Subproducts  []Subproduct `json:"subproducts,omitempty"`
}

// UnmarshalJSON decodes the SMM, product and older shapes.
func (inv *Inventory) UnmarshalJSON(b []byte) error {
	var w struct {
		Service      flexInt      `json:"service"`
		Stock        flexInt      `json:"stock"`
		Available    flexBool     `json:"available"`
		Rate         Decimal      `json:"rate"`
		Min          flexInt      `json:"min"`
		Max          flexInt      `json:"max"`
		EntityType   flexString   `json:"entityType"`
		EntityType2  flexString   `json:"entity_type"`
		AutoDelivery flexBool     `json:"autoDelivery"`
		AutoDeliv2   flexBool     `json:"auto_delivery"`
		Subproducts  []Subproduct `json:"subproducts"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
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
		Rate:         w.Rate,
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
		Balance  Decimal    `json:"balance"`
		Currency flexString `json:"currency"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
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

// AddResult is the answer to an order.
type AddResult struct {
	Order int64 `json:"order"`
}

// UnmarshalJSON accepts the order id as a number or a numeric string.
func (r *AddResult) UnmarshalJSON(b []byte) error {
	var w struct {
		Order flexInt `json:"order"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*r = AddResult{Order: w.Order.V}
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
		Status       flexString  `json:"status"`
		Charge       Decimal     `json:"charge"`
		StartCount   flexInt     `json:"start_count"`
		StartCount2  flexInt     `json:"startCount"`
		Remains      flexInt     `json:"remains"`
		Currency     flexString  `json:"currency"`
		AutoDelivery flexBool    `json:"autoDelivery"`
		AutoDeliv2   flexBool    `json:"auto_delivery"`
		EntityType   flexString  `json:"entityType"`
		EntityType2  flexString  `json:"entity_type"`
		Accounts     flexStrings `json:"accounts"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
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
		Code   flexString `json:"country_code"`
		Code2  flexString `json:"code"`
		Code3  flexString `json:"country_id"`
		Code4  flexString `json:"id"`
		Name   flexString `json:"country_name"`
		Name2  flexString `json:"name"`
		Title  flexString `json:"country_title"`
		Title2 flexString `json:"title"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
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
	ProjectID    string  `json:"project_id"`
	Name         string  `json:"name"`
	Price        Decimal `json:"price"`
	CountryID    string  `json:"country_id"`
	CountryTitle string  `json:"country_title"`
}

// UnmarshalJSON decodes a project tolerantly (project_id also as projectId/id/_id).
func (p *SMSProject) UnmarshalJSON(b []byte) error {
	var w struct {
		ProjectID    flexString `json:"project_id"`
		ProjectID2   flexString `json:"projectId"`
		ID           flexString `json:"id"`
		MongoID      flexString `json:"_id"`
		Name         flexString `json:"name"`
		Price        Decimal    `json:"price"`
		CountryID    flexString `json:"country_id"`
		CountryID2   flexString `json:"countryId"`
		CountryTitle flexString `json:"country_title"`
		CountryTitl2 flexString `json:"countryTitle"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*p = SMSProject{
		ProjectID:    firstString(w.ProjectID, w.ProjectID2, w.ID, w.MongoID),
		Name:         string(w.Name),
		Price:        w.Price,
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

// SMSOrder is one number ordered by AddSMS.
type SMSOrder struct {
	Order   int64  `json:"order"`
	Phone   string `json:"phone"`
	Country string `json:"country"`
	Status  string `json:"status"`
}

// UnmarshalJSON decodes an SMS order tolerantly.
func (o *SMSOrder) UnmarshalJSON(b []byte) error {
	var w struct {
		Order   flexInt    `json:"order"`
		Phone   flexString `json:"phone"`
		Country flexString `json:"country"`
		Status  flexString `json:"status"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*o = SMSOrder{Order: w.Order.V, Phone: string(w.Phone), Country: string(w.Country), Status: string(w.Status)}
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
		Status      flexString `json:"status"`
		Code        flexString `json:"code"`
		SMSContent  flexString `json:"sms_content"`
		SMSContent2 flexString `json:"smsContent"`
		Message     flexString `json:"message"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
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
		Status     flexString `json:"status"`
		Phone      flexString `json:"phone"`
		Code       flexString `json:"code"`
		Charge     Decimal    `json:"charge"`
		Currency   flexString `json:"currency"`
		ExpiresAt  flexTime   `json:"expires_at"`
		ExpiresAt2 flexTime   `json:"expiresAt"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
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
