package cache

import (
	"testing"
	"time"

	"github.com/hstockplus/hstockplus/client"
)

func TestBalanceHistory(t *testing.T) {
	s, advance := clockStore(t)
	t0 := s.now()
	steps := []string{"100.00", "100.00", "99.50", "99.5000", "120.00"}
	stored := 0
	for _, b := range steps {
		ok, err := s.RecordBalance(client.Balance{Balance: client.MustDecimal(b), Currency: "USD"}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			stored++
		}
		advance(time.Minute)
	}
	if stored != 3 {
		t.Fatalf("%d points stored, want 3", stored)
	}
	h, err := s.BalanceHistory(time.Time{}, time.Time{})
	if err != nil || len(h) != 3 || h[1].Balance.String() != "99.50" || h[2].Currency != "USD" {
		t.Fatalf("%+v %v", h, err)
	}
	h, _ = s.BalanceHistory(t0.Add(time.Minute), t0.Add(4*time.Minute))
	if len(h) != 1 || h[0].Balance.String() != "99.50" {
		t.Fatalf("range %+v", h)
	}
	last, err := s.LastBalance()
	if err != nil || last.Balance.String() != "120.00" {
		t.Fatalf("%+v %v", last, err)
	}
	if ok, _ := s.RecordBalance(client.Balance{Balance: client.MustDecimal("120.00"), Currency: "EUR"}, time.Time{}); !ok {
		t.Fatal("a currency change was not stored")
	}
}
