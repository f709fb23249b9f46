package cache

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// One instance per data directory. The first launch takes an exclusive lock on
// <dataDir>/instance.lock (flock on Unix, LockFileEx on Windows; the OS drops it when the process
// dies, however it dies) and listens on a loopback port written to <dataDir>/instance.addr with a
// random token. A second launch fails to take the lock (ErrLocked), asks the first to come
// forward (SignalRunningInstance) and exits with a clear message.

const (
	instanceLockFile = "instance.lock"
	instanceAddrFile = "instance.addr"
)

// InstanceFiles are the names of the files AcquireInstanceLock and ListenActivation keep in a data
// directory: they belong to the running process and are not copied with the data.
func InstanceFiles() []string { return []string{instanceLockFile, instanceAddrFile} }

// AcquireInstanceLock takes the single-instance lock of dataDir. It returns an error wrapping
// ErrLocked when another process holds it. release drops the lock (the lock file stays: deleting
// it would race with a starting instance).
func AcquireInstanceLock(dataDir string) (release func(), err error) {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dataDir, instanceLockFile), os.O_RDWR|os.O_CREATE, privateFileMode)
	if err != nil {
		return nil, fmt.Errorf("cache: instance lock: %w", err)
	}
	_ = tighten(f.Name(), false) // a lock file left by an older version may be 0644 (perms.go)
	if err := lockFile(f); err != nil {
		_ = f.Close()
		if errors.Is(err, errWouldBlock) {
			return nil, fmt.Errorf("%w (%s)", ErrLocked, dataDir)
		}
		return nil, fmt.Errorf("cache: instance lock: %w", err)
	}
	writeLockOwner(f)
	var once sync.Once
	return func() {
		once.Do(func() {
			_ = unlockFile(f)
			_ = f.Close()
		})
	}, nil
}

var errWouldBlock = errors.New("lock held by another process")

// ListenActivation is called by the instance that holds the lock: it listens for a second launch
// asking this one to come forward and calls onActivate (from another goroutine) each time. stop
// ends listening.
func ListenActivation(dataDir string, onActivate func()) (stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("cache: activation listener: %w", err)
	}
	var tok [16]byte
	if _, err := rand.Read(tok[:]); err != nil {
		_ = ln.Close()
		return nil, err
	}
	token := hex.EncodeToString(tok[:])
	addrPath := filepath.Join(dataDir, instanceAddrFile)
	line := ln.Addr().String() + " " + token + "\n"
	if err := writeFileAtomic(addrPath, []byte(line)); err != nil {
		_ = ln.Close()
		return nil, err
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_ = c.SetDeadline(time.Now().Add(2 * time.Second))
			msg, _ := bufio.NewReader(c).ReadString('\n')
			if constantTimeEqual(strings.TrimSpace(msg), "activate "+token) {
				_, _ = c.Write([]byte("ok\n"))
				_ = c.Close()
				if onActivate != nil {
					onActivate()
				}
				continue
			}
			_ = c.Close()
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			_ = ln.Close()
			wg.Wait()
			if b, err := os.ReadFile(addrPath); err == nil && string(b) == line {
				_ = os.Remove(addrPath)
			}
		})
	}, nil
}

// SignalRunningInstance asks the instance holding dataDir to bring its window forward. An error
// means it could not be reached (it may still be starting): the caller exits with a message.
func SignalRunningInstance(dataDir string) error {
	b, err := os.ReadFile(filepath.Join(dataDir, instanceAddrFile))
	if err != nil {
		return fmt.Errorf("cache: the running instance left no address: %w", err)
	}
	addr, token, ok := strings.Cut(strings.TrimSpace(string(b)), " ")
	if !ok {
		return errors.New("cache: the running instance's address file is malformed")
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil || (host != "127.0.0.1" && host != "::1") {
		return errors.New("cache: the running instance's address is not a loopback address")
	}
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return fmt.Errorf("cache: reaching the running instance: %w", err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Write([]byte("activate " + token + "\n")); err != nil {
		return fmt.Errorf("cache: reaching the running instance: %w", err)
	}
	reply, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || strings.TrimSpace(reply) != "ok" {
		return errors.New("cache: the running instance did not answer")
	}
	return nil
}
