package client_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hstockplus/hstockplus/client"
	"github.com/hstockplus/hstockplus/client/sandbox"
)

// Integration tests against the sandbox: the key never shows in an error.

// assertKeyAbsent fails if any form of any key shows in err, printed any way, or in any error
// of its chain.
func assertKeyAbsent(t *testing.T, name string, err error, keys ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error", name)
	}
	var forms []string
	for _, k := range keys {
		forms = append(forms, k, url.QueryEscape(k), url.PathEscape(k))
	}
	texts := []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%v", err), fmt.Sprintf("%#v", err), fmt.Sprintf("%q", err)}
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		texts = append(texts, e.Error(), fmt.Sprintf("%+v", e))
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x)
			}
		}
	}
	walk(err)
	for _, s := range texts {
		for _, f := range forms {
			if strings.Contains(s, f) {
				t.Fatalf("%s: the key (%q) shows in %q", name, f, s)
			}
		}
	}
}

func TestIntegrationKeyRedaction(t *testing.T) {
	e := newEnv(t, sandbox.Options{Balance: "1.00"})
	ctx := itCtx(t)
	smm, proj := spendSetup(t, e)
	const wrongKey = "sbx-Wrong/Key+Distinct=7e21"
	errs := map[string]error{}
	for name, err := range documentedErrorCases(t, e, wrongKey) {
		errs["documented: "+name] = err
	}
	for name, err := range otherMessageCases(t, e) {
		errs["other: "+name] = err
	}

	// Every fault kind at probability 1, on reads and spends, without waiting for retries.
	once := e.newClient(t, client.WithRetry(1, 0, 0))
	for _, k := range faultKinds(1) {
		f := k.f
		if k.key == "slow" {
			f.SlowDelay = time.Hour // and the context ends first
		}
		e.srv.SetFaults(f)
		cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		if k.key == "slow" {
			cctx, cancel = context.WithTimeout(ctx, 50*time.Millisecond)
		}
		_, errs[k.key+": balance"] = once.Balance(cctx)
		_, errs[k.key+": services"] = once.Services(cctx, client.ServicesParams{Page: 1, Limit: 5})
		_, errs[k.key+": status"] = once.Status(cctx, 1)
		_, errs[k.key+": add"] = once.Add(cctx, client.AddRequest{Service: smm.Service, Quantity: 100, Link: "https://t.me/" + itKey})
		_, errs[k.key+": add_sms"] = once.AddSMS(cctx, client.AddSMSRequest{ProjectID: proj.ProjectID})
		cancel()
	}
	e.srv.SetFaults(sandbox.Faults{})

	// Refused before sending.
	_, errs["invalid argument: add"] = e.c.Add(ctx, client.AddRequest{Service: -1})
	_, errs["invalid argument: lang"] = e.c.Services(ctx, client.ServicesParams{Lang: itKey})
	_, errs["invalid argument: product id"] = e.c.Services(ctx, client.ServicesParams{ProductIDs: []string{itKey + ",x"}})
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	_, errs["canceled: balance"] = e.c.Balance(canceled)
	_, errs["canceled: add"] = e.c.Add(canceled, client.AddRequest{Service: smm.Service, Quantity: 100, Link: "x"})

	// Nobody listening.
	_, dead, _ := deadSandbox(t)
	_, errs["dead port: balance"] = dead.Balance(ctx)
	_, errs["dead port: add"] = dead.Add(ctx, client.AddRequest{Service: smm.Service, Quantity: 100, Link: "x"})
	_, errs["dead port: add_sms"] = dead.AddSMS(ctx, client.AddSMSRequest{ProjectID: proj.ProjectID})

	for name, err := range errs {
		keys := []string{itKey}
		if strings.HasPrefix(name, "documented: bad key") {
			keys = append(keys, wrongKey)
		}
		assertKeyAbsent(t, name, err, keys...)
	}
	for _, s := range []string{e.c.String(), fmt.Sprintf("%v %+v %#v", e.c, e.c, e.c)} {
		if strings.Contains(s, itKey) {
			t.Fatalf("the client prints its key: %s", s)
		}
	}
	if len(errs) < 60 {
		t.Fatalf("only %d errors checked", len(errs))
	}
}
