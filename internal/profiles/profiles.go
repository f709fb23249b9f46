// Package profiles keeps the app's profiles: each is an account on HstockPlus or on another SMM
// panel (a name, an endpoint, a catalog language), with a store of its own in a folder of the
// data directory and its secrets under its own names (see Scope). The list is a JSON file in the
// data directory, written atomically, readable by the user alone; it holds no secret.
package profiles

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// File is the list's file in the data directory.
const File = "profiles.json"

// IDs of the profiles that exist from the start: the account an earlier version kept in the data
// directory itself (adopted as it is), and the demo (in "demo", as before).
const (
	MainID = "main"
	DemoID = "demo"
)

// Profile is one account.
type Profile struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"` // "" for the demo: the window names it in its language
	// Endpoint is the API v2 address ("" for the demo: its sandbox runs in the app).
	Endpoint string `json:"endpoint,omitempty"`
	Lang     string `json:"lang,omitempty"` // the catalog language ("" follows the app's)
	Demo     bool   `json:"demo,omitempty"`
	// Dir is the store's folder, relative to the data directory ("" is the data directory
	// itself: the adopted first profile).
	Dir string `json:"dir,omitempty"`
	// Features are what the panel was found to offer or lack (account.Feature → offered).
	Features map[string]bool `json:"features,omitempty"`
}

// Scope names the profile's secrets (cache.Scoped): "" for the adopted first profile, whose API
// key and store key keep the names they always had.
func (p Profile) Scope() string {
	if p.ID == MainID {
		return ""
	}
	return p.ID
}

// StoreDir is the profile's store folder in dataDir.
func (p Profile) StoreDir(dataDir string) string {
	return filepath.Join(dataDir, filepath.FromSlash(p.Dir))
}

// Set is the list of profiles and the one last shown.
type Set struct {
	Profiles []Profile `json:"profiles"`
	Active   string    `json:"active"`
	Next     int       `json:"next"` // the number of the next profile added
}

// Errors of the list.
var (
	ErrNotFound = errors.New("profiles: no such profile")
	ErrLast     = errors.New("profiles: the last profile cannot be removed")
	ErrName     = errors.New("profiles: a profile needs a name of its own")
)

// Load reads the list of dataDir; found is false when there is none yet (see Adopt).
func Load(dataDir string) (s Set, found bool, err error) {
	b, err := os.ReadFile(filepath.Join(dataDir, File))
	if errors.Is(err, os.ErrNotExist) {
		return Set{}, false, nil
	}
	if err != nil {
		return Set{}, false, fmt.Errorf("profiles: %w", err)
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return Set{}, false, fmt.Errorf("profiles: %s: %w", File, err)
	}
	if len(s.Profiles) == 0 {
		return Set{}, false, nil
	}
	if _, ok := s.Get(s.Active); !ok {
		s.Active = s.Profiles[0].ID
	}
	return s, true, nil
}

// Adopt is the list made from what an earlier version left in the data directory: its account
// (when it had one: a saved API key or a store), kept where it is as the first profile, named
// name, and the demo.
func Adopt(hasAccount bool, name, endpoint, lang string) Set {
	s := Set{Next: 2, Active: DemoID}
	if hasAccount {
		s.Profiles = append(s.Profiles, Profile{ID: MainID, Name: name, Endpoint: endpoint, Lang: lang})
		s.Active = MainID
	}
	s.Profiles = append(s.Profiles, Profile{ID: DemoID, Demo: true, Dir: "demo"})
	return s
}

// Save writes the list into dataDir (atomically, mode 0600).
func (s Set) Save(dataDir string) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return fmt.Errorf("profiles: %w", err)
	}
	tmp, err := os.CreateTemp(dataDir, File+".*") // 0600
	if err != nil {
		return fmt.Errorf("profiles: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(append(b, '\n'))
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), filepath.Join(dataDir, File))
	}
	if err != nil {
		return fmt.Errorf("profiles: %w", err)
	}
	return nil
}

// Get is the profile id.
func (s Set) Get(id string) (Profile, bool) {
	for _, p := range s.Profiles {
		if p.ID == id {
			return p, true
		}
	}
	return Profile{}, false
}

// Find is the profile named name (or of that id), case-insensitively.
func (s Set) Find(name string) (Profile, bool) {
	name = strings.TrimSpace(name)
	for _, p := range s.Profiles {
		if strings.EqualFold(p.Name, name) || p.ID == name {
			return p, true
		}
	}
	return Profile{}, false
}

// Update replaces the profile of p's id.
func (s *Set) Update(p Profile) error {
	for i := range s.Profiles {
		if s.Profiles[i].ID == p.ID {
			s.Profiles[i] = p
			return nil
		}
	}
	return ErrNotFound
}

func (s Set) nameTaken(name, except string) bool {
	for _, p := range s.Profiles {
		if p.ID != except && strings.EqualFold(p.Name, name) {
			return true
		}
	}
	return false
}

// Add adds a profile with a folder of its own, and returns it.
func (s *Set) Add(name, endpoint, lang string) (Profile, error) {
	name = strings.TrimSpace(name)
	if name == "" || s.nameTaken(name, "") {
		return Profile{}, ErrName
	}
	if s.Next < 2 {
		s.Next = 2
	}
	id := "p" + strconv.Itoa(s.Next)
	for _, taken := s.Get(id); taken; _, taken = s.Get(id) {
		s.Next++
		id = "p" + strconv.Itoa(s.Next)
	}
	s.Next++
	p := Profile{ID: id, Name: name, Endpoint: endpoint, Lang: lang, Dir: "profiles/" + id}
	s.Profiles = append(s.Profiles, p)
	return p, nil
}

// Rename renames profile id.
func (s *Set) Rename(id, name string) error {
	name = strings.TrimSpace(name)
	if name == "" || s.nameTaken(name, id) {
		return ErrName
	}
	p, ok := s.Get(id)
	if !ok {
		return ErrNotFound
	}
	p.Name = name
	return s.Update(p)
}

// Remove takes profile id off the list (its data stays where it is: see KeepAside); the active
// profile becomes the first one left.
func (s *Set) Remove(id string) (Profile, error) {
	for i, p := range s.Profiles {
		if p.ID != id {
			continue
		}
		if len(s.Profiles) == 1 {
			return Profile{}, ErrLast
		}
		s.Profiles = append(s.Profiles[:i:i], s.Profiles[i+1:]...)
		if s.Active == id {
			s.Active = s.Profiles[0].ID
		}
		return p, nil
	}
	return Profile{}, ErrNotFound
}

// removedDir holds the data of removed profiles, in the data directory.
const removedDir = "profiles-removed"

// KeepAside moves a removed profile's store out of the way, into profiles-removed/ (nothing is
// deleted), and returns where it went ("" when there was nothing). The first profile's store is
// in the data directory itself: its database folder moves.
func KeepAside(dataDir string, p Profile, now time.Time) (string, error) {
	src := p.StoreDir(dataDir)
	if p.Dir == "" {
		src = filepath.Join(dataDir, "db")
	}
	if _, err := os.Lstat(src); errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err := os.MkdirAll(filepath.Join(dataDir, removedDir), 0o700); err != nil {
		return "", fmt.Errorf("profiles: %w", err)
	}
	dst := filepath.Join(dataDir, removedDir, p.ID+"-"+now.UTC().Format("20060102-150405"))
	for i := 2; ; i++ {
		if _, err := os.Lstat(dst); errors.Is(err, os.ErrNotExist) {
			break
		}
		dst = filepath.Join(dataDir, removedDir, fmt.Sprintf("%s-%s-%d", p.ID, now.UTC().Format("20060102-150405"), i))
	}
	if err := os.Rename(src, dst); err != nil {
		return "", fmt.Errorf("profiles: keeping the data aside: %w", err)
	}
	return dst, nil
}

// Delete removes a removed profile's store for good.
func Delete(dataDir string, p Profile) error {
	dir := p.StoreDir(dataDir)
	if p.Dir == "" {
		dir = filepath.Join(dataDir, "db")
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("profiles: %w", err)
	}
	return nil
}
