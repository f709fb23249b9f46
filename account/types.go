package account

import (
	"github.com/hstockplus/hstockplus/cache"
	"github.com/hstockplus/hstockplus/client"
)

// The store's records, as this layer hands them out to be read: the window and the tray show
// them and never write them (only this package does, through the store).
type (
	Order        = cache.Order
	Spend        = cache.Spend
	SpendState   = cache.SpendState
	SpendAction  = cache.SpendAction
	SMSNumber    = cache.SMSNumber
	Delivery     = cache.Delivery
	DeliveryKind = cache.DeliveryKind
	StatusChange = cache.StatusChange
	BalancePoint = cache.BalancePoint
	ServiceDiff  = cache.Diff[client.Service]
	Change       = cache.Change[client.Service]
)

// Journal states and actions, delivery kinds.
const (
	SpendSending     = cache.SpendSending
	SpendPlaced      = cache.SpendPlaced
	SpendFailed      = cache.SpendFailed
	SpendUnconfirmed = cache.SpendUnconfirmed

	ActionAdd    = cache.ActionAdd
	ActionAddSMS = cache.ActionAddSMS

	DeliveryAccount = cache.DeliveryAccount
	DeliverySMSCode = cache.DeliverySMSCode
)

// DefaultSMSLifetime is how long a number is assumed to receive codes when the server gave no
// expiry.
const DefaultSMSLifetime = cache.DefaultSMSLifetime

// NotPlacedReason is the journal error of an entry the user marked as not placed.
const NotPlacedReason = "marked not placed by the user"
