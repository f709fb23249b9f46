package account

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"

	"github.com/hstockplus/hstockplus/client"
)

// Feature is a part of the API beyond the subset every SMM panel speaks (services, add, status,
// balance). Another panel answers "Invalid action" to what it does not offer: the service layer
// remembers it, and the window hides that part.
type Feature string

// The features a panel may lack.
const (
	FeatureShops     Feature = "shops"     // shops, and a shop's products
	FeatureInventory Feature = "inventory" // live stock of a service
	FeatureSMS       Feature = "sms"       // SMS numbers
)

// Features are all of them.
var Features = []Feature{FeatureShops, FeatureInventory, FeatureSMS}

// ErrUnsupported: the panel does not offer this (it answered "Invalid action"); nothing to show,
// nothing to retry. It wraps the API's error.
var ErrUnsupported = errors.New("account: the panel does not offer this")

// features is what the service learnt of its panel: true offered, false not; absent unknown.
type features struct {
	mu      sync.Mutex
	known   map[Feature]bool
	onLearn func(map[Feature]bool)
}

// Supports reports whether the panel offers f: true until it answered "Invalid action".
func (s *Service) Supports(f Feature) bool {
	s.feat.mu.Lock()
	defer s.feat.mu.Unlock()
	ok, known := s.feat.known[f]
	return ok || !known
}

// KnownFeatures is what the service learnt of its panel so far.
func (s *Service) KnownFeatures() map[Feature]bool {
	s.feat.mu.Lock()
	defer s.feat.mu.Unlock()
	return maps.Clone(s.feat.known)
}

// unsupported fails at once when the panel is known not to offer f.
func (s *Service) unsupported(f Feature) error {
	if s.Supports(f) {
		return nil
	}
	return fmt.Errorf("%w (%s)", ErrUnsupported, f)
}

// learn notes what a call of feature f found: "Invalid action" means the panel lacks it (the
// error returned then matches ErrUnsupported), an answer that it has it. Other errors say
// nothing.
func (s *Service) learn(f Feature, err error) error {
	var has bool
	switch {
	case err == nil:
		has = true
	case errors.Is(err, client.ErrInvalidAction):
		err = fmt.Errorf("%w: %w", ErrUnsupported, err)
	default:
		return err
	}
	s.feat.mu.Lock()
	old, known := s.feat.known[f]
	var snap map[Feature]bool
	if !known || old != has {
		s.feat.known[f] = has
		snap = maps.Clone(s.feat.known)
	}
	on := s.feat.onLearn
	s.feat.mu.Unlock()
	if snap != nil {
		if !has {
			s.logf("panel: %s is not offered (Invalid action): hidden", f)
		}
		if on != nil {
			on(snap)
		}
	}
	return err
}

// ProbeFeatures asks the panel once about each feature not known yet that a cheap call can tell
// (the shops, the SMS countries), so that the window hides what the panel lacks before anybody
// clicks it. It reports whether anything was learnt.
func (s *Service) ProbeFeatures(ctx context.Context) bool {
	known := s.KnownFeatures()
	learnt := false
	if _, ok := known[FeatureShops]; !ok {
		_, err := s.api.Shops(ctx, 1, 1)
		s.observe(err)
		_ = s.learn(FeatureShops, err)
		_, learnt = s.KnownFeatures()[FeatureShops]
	}
	if _, ok := known[FeatureSMS]; !ok {
		_, err := s.api.SMSCountries(ctx)
		s.observe(err)
		_ = s.learn(FeatureSMS, err)
		if _, ok := s.KnownFeatures()[FeatureSMS]; ok {
			learnt = true
		}
	}
	return learnt
}
