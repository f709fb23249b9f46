package sandbox

import (
	"strconv"
	"testing"
)

func TestOverrides(t *testing.T) {
	s, _ := newServer(t, Options{})
	smm := findRow(t, s, func(r *row) bool { return r.kind == entitySMM })
	p := findRow(t, s, func(r *row) bool { return r.kind == entityProduct && len(r.subs) >= 2 })
	sn, pn := strconv.Itoa(smm.number), strconv.Itoa(p.number)

	if err := s.SetStock(smm.number, -1, 0); err != nil {
		t.Fatal(err)
	}
	if inv := obj(t, s, "action", "inventory", "service", sn); num(t, inv["stock"]) != 0 || inv["available"] != false {
		t.Fatalf("stock 0: %v", inv)
	}
	if err := s.SetStock(smm.number, -1, 5); err != nil {
		t.Fatal(err)
	}
	if err := s.SetRate(smm.number, "0.1234"); err != nil {
		t.Fatal(err)
	}
	inv := obj(t, s, "action", "inventory", "service", sn)
	if num(t, inv["stock"]) != 5 || inv["rate"] != "0.1234" {
		t.Fatalf("stock 5, rate 0.1234: %v", inv)
	}
	all := list(t, obj(t, s, "action", "services"), "services")
	if r := all[smm.number-1]; r["rate"] != "0.1234" || num(t, r["stock"]) != 5 {
		t.Fatalf("listed: %v", r)
	}

	// A variant off sale is not listed, nor counted; back on sale it appears.
	if err := s.SetVariantHidden(p.number, 1, true); err != nil {
		t.Fatal(err)
	}
	subs := list(t, obj(t, s, "action", "inventory", "service", pn), "subproducts")
	if len(subs) != len(p.subs)-1 {
		t.Fatalf("hidden: %d variants of %d", len(subs), len(p.subs))
	}
	if err := s.SetVariantHidden(p.number, 1, false); err != nil {
		t.Fatal(err)
	}
	if subs := list(t, obj(t, s, "action", "inventory", "service", pn), "subproducts"); len(subs) != len(p.subs) {
		t.Fatalf("shown: %d variants of %d", len(subs), len(p.subs))
	}
	if err := s.SetStock(smm.number, 0, 1); err == nil {
		t.Error("a variant of an SMM service was accepted")
	}
	if err := s.SetRate(smm.number, "-1"); err == nil {
		t.Error("a negative rate was accepted")
	}
}
