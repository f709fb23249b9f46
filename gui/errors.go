package gui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"syscall"

	"github.com/hstockplus/hstockplus/account"
	"github.com/hstockplus/hstockplus/client"
	"github.com/hstockplus/hstockplus/internal/tr"
)

// describeError turns a client error into a sentence a customer understands. It never includes
// the API key: the client's errors are already redacted, and only their typed facts are used here.
func describeError(err error) string { return describeErrorAt(err, "") }

// describeErrorAt is describeError naming the server (host, e.g. "hstockplus.com") when it cannot
// be reached or answers with a server error; "" says HstockPlus.
func describeErrorAt(err error, host string) string {
	server := host
	if server == "" {
		server = "HstockPlus"
	}
	var (
		apiErr  *client.APIError
		rate    *client.RateLimitError
		trans   *client.TransportError
		spendEr *client.SpendError
	)
	switch {
	case err == nil:
		return ""
	case errors.Is(err, account.ErrNotJournaled):
		return tr.L("It could not be recorded on this computer before sending, so it was not sent.")
	case errors.Is(err, client.ErrInvalidKey):
		return tr.L("The API key was refused. Check it in Settings.")
	case errors.Is(err, client.ErrInsufficientBalance):
		return tr.L("Your balance is too low for this order.")
	case errors.Is(err, client.ErrServiceNotFound):
		return tr.L("This service no longer exists. Refresh the catalog.")
	case errors.Is(err, client.ErrOrderNotFound):
		return tr.L("HstockPlus does not know this order.")
	case errors.As(err, &spendEr) && errors.Is(err, client.ErrOutcomeUnknown):
		return tr.L("The answer was lost: the order may or may not have been placed. Check your balance and orders before trying again.")
	case errors.As(err, &rate):
		return fmt.Sprintf(tr.L("HstockPlus asks us to slow down; try again in %s."), rate.RetryAfter.Round(1e9))
	case errors.As(err, &apiErr):
		return fmt.Sprintf(tr.L("HstockPlus answered: %s"), short(apiErr.Message, maxLine))
	case errors.Is(err, context.DeadlineExceeded):
		return tr.L("HstockPlus did not answer in time. Check your connection and try again.")
	case errors.Is(err, context.Canceled):
		return tr.L("Cancelled.")
	case errors.As(err, &trans) && trans.HTTPStatus != 0:
		return fmt.Sprintf(tr.L("Server error (HTTP %d from %s). Try again later."), trans.HTTPStatus, server)
	case errors.As(err, &trans):
		return fmt.Sprintf(tr.L("Cannot reach %s: %s."), server, networkCause(err))
	default:
		return short(err.Error(), maxLine)
	}
}

// networkCause says in a few words why a connection failed.
func networkCause(err error) string {
	var dns *net.DNSError
	var op *net.OpError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return tr.L("the connection was refused")
	case errors.As(err, &dns):
		return tr.L("its name was not found")
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded):
		return tr.L("no answer in time")
	case errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return tr.L("the connection was cut")
	case errors.As(err, &op) && op.Op == "dial":
		return tr.L("no connection could be made")
	}
	return tr.L("no valid answer")
}

// hostOf is the host of an endpoint URL, "" when it has none.
func hostOf(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil {
		return ""
	}
	return u.Host
}
