package cache

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// Product images, cached by URL under a size cap (Options.ImageCacheBytes) with least-recently-used
// eviction. The index (size and last use of every image) is kept in memory once the first image
// call has loaded it; last-use times reach the disk when images are stored or evicted and on
// Close, so a crash only loses some recency.

type imageMeta struct {
	URL         string    `json:"url"`
	Size        int64     `json:"size"`
	ContentType string    `json:"type,omitempty"`
	Stored      time.Time `json:"stored"`
	Accessed    time.Time `json:"accessed"`
}

type imageIndex struct {
	entries map[[32]byte]*imageMeta
	dirty   map[[32]byte]bool
	total   int64
}

func imageHash(url string) [32]byte { return sha256.Sum256([]byte(url)) }

func imageKey(pfx byte, h [32]byte) []byte { return append([]byte{pfx}, h[:]...) }

// loadImages fills the index; the caller holds imgMu.
func (s *Store) loadImages() error {
	if s.images != nil {
		return nil
	}
	idx := &imageIndex{entries: map[[32]byte]*imageMeta{}, dirty: map[[32]byte]bool{}}
	err := s.db.View(func(txn *badger.Txn) error {
		o := badger.DefaultIteratorOptions
		o.Prefix = []byte{pfxImageMeta}
		it := txn.NewIterator(o)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			k := it.Item().Key()
			if len(k) != 33 {
				continue
			}
			var h [32]byte
			copy(h[:], k[1:])
			m := &imageMeta{}
			if err := it.Item().Value(func(b []byte) error { return jsonUnmarshal(b, m) }); err != nil {
				return err
			}
			idx.entries[h] = m
			idx.total += m.Size
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.images = idx
	return nil
}

// PutImage stores the image at url (replacing an older copy) and evicts the least recently used
// images beyond the cap. An image bigger than a quarter of the cap is refused with ErrTooLarge.
func (s *Store) PutImage(url string, data []byte, contentType string) error {
	if int64(len(data)) > s.opts.ImageCacheBytes/4 {
		return fmt.Errorf("%w: %d bytes", ErrTooLarge, len(data))
	}
	if err := s.enter(); err != nil {
		return err
	}
	defer s.life.RUnlock()
	s.imgMu.Lock()
	defer s.imgMu.Unlock()
	if err := s.loadImages(); err != nil {
		return err
	}
	idx := s.images
	h := imageHash(url)
	now := s.now()
	m := &imageMeta{URL: url, Size: int64(len(data)), ContentType: contentType, Stored: now, Accessed: now}
	total := idx.total + m.Size
	if old := idx.entries[h]; old != nil {
		total -= old.Size
	}
	// Choose the victims: least recently used first, never the new image.
	var victims [][32]byte
	if total > s.opts.ImageCacheBytes {
		type cand struct {
			h [32]byte
			m *imageMeta
		}
		var cs []cand
		for k, v := range idx.entries {
			if k != h {
				cs = append(cs, cand{k, v})
			}
		}
		slices.SortFunc(cs, func(a, b cand) int { return a.m.Accessed.Compare(b.m.Accessed) })
		for _, c := range cs {
			if total <= s.opts.ImageCacheBytes {
				break
			}
			victims = append(victims, c.h)
			total -= c.m.Size
		}
	}
	err := s.db.Update(func(txn *badger.Txn) error {
		if err := txn.Set(imageKey(pfxImage, h), data); err != nil {
			return err
		}
		if err := setJSON(txn, imageKey(pfxImageMeta, h), m); err != nil {
			return err
		}
		for _, v := range victims {
			if err := txn.Delete(imageKey(pfxImage, v)); err != nil {
				return err
			}
			if err := txn.Delete(imageKey(pfxImageMeta, v)); err != nil {
				return err
			}
		}
		for d := range idx.dirty {
			if e := idx.entries[d]; e != nil && d != h && !contains(victims, d) {
				if err := setJSON(txn, imageKey(pfxImageMeta, d), e); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if errors.Is(err, badger.ErrTxnTooBig) {
		// Too many dirty access times to carry along: drop them (only recency is lost) and retry.
		clear(idx.dirty)
		err = s.db.Update(func(txn *badger.Txn) error {
			if err := txn.Set(imageKey(pfxImage, h), data); err != nil {
				return err
			}
			if err := setJSON(txn, imageKey(pfxImageMeta, h), m); err != nil {
				return err
			}
			for _, v := range victims {
				if err := txn.Delete(imageKey(pfxImage, v)); err != nil {
					return err
				}
				if err := txn.Delete(imageKey(pfxImageMeta, v)); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err != nil {
		return err
	}
	clear(idx.dirty)
	for _, v := range victims {
		delete(idx.entries, v)
	}
	idx.entries[h] = m
	idx.total = total
	return nil
}

// Image returns the cached image of url, or ErrNotFound.
func (s *Store) Image(url string) (data []byte, contentType string, err error) {
	if err := s.enter(); err != nil {
		return nil, "", err
	}
	defer s.life.RUnlock()
	s.imgMu.Lock()
	defer s.imgMu.Unlock()
	if err := s.loadImages(); err != nil {
		return nil, "", err
	}
	h := imageHash(url)
	m := s.images.entries[h]
	if m == nil || m.URL != url {
		return nil, "", ErrNotFound
	}
	err = s.db.View(func(txn *badger.Txn) error {
		it, err := txn.Get(imageKey(pfxImage, h))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		data, err = it.ValueCopy(nil)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	m.Accessed = s.now()
	s.images.dirty[h] = true
	return data, m.ContentType, nil
}

// ImageCacheUsage returns the bytes and the number of images cached.
func (s *Store) ImageCacheUsage() (bytes int64, count int, err error) {
	if err := s.enter(); err != nil {
		return 0, 0, err
	}
	defer s.life.RUnlock()
	s.imgMu.Lock()
	defer s.imgMu.Unlock()
	if err := s.loadImages(); err != nil {
		return 0, 0, err
	}
	return s.images.total, len(s.images.entries), nil
}

// flushImageAccess writes the pending last-use times (on Close). The caller holds life.
func (s *Store) flushImageAccess() {
	s.imgMu.Lock()
	defer s.imgMu.Unlock()
	if s.images == nil || len(s.images.dirty) == 0 {
		return
	}
	wb := s.db.NewWriteBatch()
	for d := range s.images.dirty {
		if e := s.images.entries[d]; e != nil {
			b, err := json.Marshal(e)
			if err == nil {
				_ = wb.Set(imageKey(pfxImageMeta, d), b)
			}
		}
	}
	if err := wb.Flush(); err != nil {
		s.logf("cache: saving image access times: %v", err)
	}
	clear(s.images.dirty)
}

func contains(list [][32]byte, h [32]byte) bool {
	for _, v := range list {
		if v == h {
			return true
		}
	}
	return false
}
