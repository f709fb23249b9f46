package gui

// The Orders tab's row model: what a row is, where it stands, and how the rows are ordered.

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2/widget"

	"github.com/hstockplus/hstockplus/account"
	"github.com/hstockplus/hstockplus/client"
	"github.com/hstockplus/hstockplus/internal/tr"
)

// The status filters, in the order of the Select.
const (
	filterAll = iota
	filterActive
	filterCompleted
	filterPartial
	filterCanceled
	filterUnconfirmed
)

func statusFilters() []string {
	return []string{tr.L("All"), tr.L("Active"), tr.L("Completed"), tr.L("Partial"), tr.L("Canceled"), tr.L("Unconfirmed")}
}

// rowKind is where a row stands, for its badge and the status filter.
type rowKind int

const (
	kindSending     rowKind = iota // journaled, being sent right now
	kindUnconfirmed                // sent, no answer: it may or may not have been placed
	kindNotPlaced                  // unconfirmed, then marked not placed by the user
	kindPlaced                     // placed, no status yet
	kindActive                     // Pending, In progress, Processing or another non-final status
	kindCompleted
	kindPartial
	kindCanceled
)

// rowKey identifies a row across reloads: the order id, else the journal entry.
type rowKey struct {
	order int64
	spend uint64
}

// orderRow is one line of the list: a known order (with its journal entry when that is not
// settled as placed), or a journal entry with no order id.
type orderRow struct {
	order *account.Order
	spend *account.Spend
}

func (r orderRow) key() rowKey {
	if r.order != nil {
		return rowKey{order: r.order.ID}
	}
	return rowKey{spend: r.spend.ID}
}

func (r orderRow) kind() rowKind {
	if r.order != nil && r.order.Status != "" {
		// A status answer proves the order exists, whatever the journal says.
		return statusKind(r.order.Status)
	}
	if r.spend != nil && (r.order == nil || r.order.Unconfirmed) {
		switch r.spend.State {
		case account.SpendSending:
			return kindSending
		case account.SpendUnconfirmed:
			return kindUnconfirmed
		case account.SpendFailed:
			return kindNotPlaced
		}
	}
	if r.order != nil && r.order.Unconfirmed {
		return kindUnconfirmed
	}
	return kindPlaced
}

func statusKind(s client.Status) rowKind {
	switch strings.ToLower(strings.TrimSpace(string(s))) {
	case "completed":
		return kindCompleted
	case "partial":
		return kindPartial
	case "canceled", "cancelled":
		return kindCanceled
	}
	return kindActive
}

// badge is the text and importance of a row's status badge.
func (r orderRow) badge() (string, widget.Importance) {
	switch k := r.kind(); k {
	case kindSending:
		return tr.L("Sending…"), widget.MediumImportance
	case kindUnconfirmed:
		return tr.L("Unconfirmed"), widget.WarningImportance
	case kindNotPlaced:
		return tr.L("Not placed"), widget.LowImportance
	case kindPlaced:
		return tr.L("Placed"), widget.MediumImportance
	default:
		st := short(string(r.order.Status), maxShort)
		switch k {
		case kindCompleted:
			return st, widget.SuccessImportance
		case kindPartial:
			return st, widget.WarningImportance
		case kindCanceled:
			return st, widget.DangerImportance
		}
		return st, widget.HighImportance
	}
}

func (r orderRow) matches(filter int, text string) bool {
	k := r.kind()
	switch filter {
	case filterActive:
		if k != kindActive && k != kindPlaced {
			return false
		}
	case filterCompleted:
		if k != kindCompleted {
			return false
		}
	case filterPartial:
		if k != kindPartial {
			return false
		}
	case filterCanceled:
		if k != kindCanceled {
			return false
		}
	case filterUnconfirmed:
		if k != kindUnconfirmed && k != kindSending {
			return false
		}
	}
	text = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(text), "#")))
	if text == "" {
		return true
	}
	var hay []string
	if r.order != nil {
		hay = append(hay, strconv.FormatInt(r.order.ID, 10), r.order.Label, r.order.Link)
	}
	if r.spend != nil {
		hay = append(hay, r.spend.Label, r.spend.Add.Link)
	}
	for _, h := range hay {
		if strings.Contains(strings.ToLower(h), text) {
			return true
		}
	}
	return false
}

// label, quantity, link and placed are what the row knows, from the order or its journal entry.
func (r orderRow) label() string {
	if r.order != nil && r.order.Label != "" {
		return short(r.order.Label, maxName)
	}
	if r.spend != nil && r.spend.Label != "" {
		return short(r.spend.Label, maxName)
	}
	if r.order != nil && r.order.Service != 0 {
		return fmt.Sprintf(tr.L("Service #%d"), r.order.Service)
	}
	if r.spend != nil {
		return fmt.Sprintf(tr.L("Service #%d"), r.spend.Add.Service)
	}
	return tr.L("Order")
}

func (r orderRow) quantity() int64 {
	if r.order != nil {
		return r.order.Quantity
	}
	return r.spend.Add.Quantity
}

func (r orderRow) link() string {
	if r.order != nil {
		return short(r.order.Link, maxLine)
	}
	return short(r.spend.Add.Link, maxLine)
}

func (r orderRow) placed() time.Time {
	if r.order != nil {
		return r.order.PlacedAt
	}
	return r.spend.CreatedAt
}

func (r orderRow) estimate() client.Decimal {
	if r.order != nil {
		return r.order.Estimate
	}
	return r.spend.Estimate
}

// chargeText is the charge the server reported, or ≈ the estimate before the first status.
func (r orderRow) chargeText(currency string) string {
	if r.order != nil && r.order.Status != "" {
		cur := short(r.order.Currency, maxCurrency)
		if cur == "" {
			cur = currency
		}
		return fmt.Sprintf("%s %s", money(r.order.Charge), cur)
	}
	if e := r.estimate(); !e.IsZero() {
		return fmt.Sprintf(tr.L("≈ %s %s"), money(e), currency)
	}
	return ""
}

// orderRows is what the Orders tab lists: unconfirmed (or sending) entries without an order id
// first, newest first; then orders and entries the user marked not placed, newest first. An
// unconfirmed order carries its journal entry. Entries the server refused are not listed
// (nothing was bought, and the user was told at once).
func orderRows(orders map[int64]account.Order, spends map[uint64]account.Spend) []orderRow {
	var head, rest []orderRow
	for id := range spends {
		sp := spends[id]
		if sp.Action != account.ActionAdd || len(sp.Orders) > 0 {
			continue
		}
		switch {
		case sp.State == account.SpendSending || sp.State == account.SpendUnconfirmed:
			head = append(head, orderRow{spend: &sp})
		case sp.State == account.SpendFailed && sp.Error == account.NotPlacedReason:
			rest = append(rest, orderRow{spend: &sp})
		}
	}
	for id := range orders {
		o := orders[id]
		r := orderRow{order: &o}
		if o.Unconfirmed && o.SpendID != 0 {
			if sp, ok := spends[o.SpendID]; ok {
				r.spend = &sp
			}
		}
		rest = append(rest, r)
	}
	newestFirst := func(a, b orderRow) int {
		if c := b.placed().Compare(a.placed()); c != 0 {
			return c
		}
		return cmpKey(b.key(), a.key())
	}
	slices.SortFunc(head, newestFirst)
	slices.SortFunc(rest, newestFirst)
	return append(head, rest...)
}

func cmpKey(a, b rowKey) int {
	if a.order != b.order {
		return cmp.Compare(a.order, b.order)
	}
	return cmp.Compare(a.spend, b.spend)
}
