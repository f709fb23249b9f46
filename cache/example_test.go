package cache_test

import (
	"errors"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/hstockplus/hstockplus/cache"
	"github.com/hstockplus/hstockplus/client"
)

// The start-up sequence of the app: one instance per data directory, the secrets, the database
// key, the store; then the journal around a spending call.
func Example() {
	dataDir, _ := os.MkdirTemp("", "hstockplus-example")
	defer os.RemoveAll(dataDir)

	release, err := cache.AcquireInstanceLock(dataDir)
	if errors.Is(err, cache.ErrLocked) {
		if cache.SignalRunningInstance(dataDir) == nil {
			fmt.Println("HstockPlus is already running; its window was brought forward.")
		} else {
			fmt.Println("HstockPlus is already running with this data directory.")
		}
		return
	}
	if err != nil {
		log.Fatal(err)
	}
	defer release()
	stop, err := cache.ListenActivation(dataDir, func() { /* fyne.Do(window.Show; RequestFocus) */ })
	if err == nil {
		defer stop()
	}

	secrets, err := cache.OpenSecrets(dataDir, cache.ModeFile) // main: ModeAuto unless HSTOCKPLUS_KEYRING=file
	if err != nil {
		log.Fatal(err)
	}
	// Without a keyring the file is sealed under the user's passphrase: chosen the first time
	// (Create), entered at each start after (Unlock).
	if f, ok := secrets.(*cache.FileSecrets); ok {
		if err := f.Create("the user's passphrase"); err != nil {
			log.Fatal(err)
		}
	}
	key, _, err := cache.EncryptionKey(secrets, cache.DatabaseExists(dataDir))
	if errors.Is(err, cache.ErrWrongKey) {
		// Offer the choice: find the key (other keyring, other user), or cache.MoveAside and
		// start afresh. Never delete.
		log.Fatal(err)
	}
	if err != nil {
		log.Fatal(err)
	}
	store, err := cache.Open(dataDir, cache.Options{EncryptionKey: key})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	// A spending call: journal first (synced), then send, then settle.
	sp, err := store.BeginAdd(client.AddRequest{Service: 1, Quantity: 100, Link: "https://instagram.com/p/x"},
		"Instagram Followers", client.MustDecimal("0.05"))
	if err != nil {
		log.Fatal(err) // not sent: nothing was spent
	}
	// … api.Add(ctx, req) answered {"order": 23501} …
	if _, err := store.MarkPlaced(sp.ID, 23501); err != nil {
		log.Fatal(err)
	}
	// The poller: status with the delivered accounts, stored before anyone is told.
	up, _ := store.RecordOrderStatus(23501, client.OrderStatus{Status: client.StatusCompleted,
		Charge: client.MustDecimal("0.05"), Accounts: []string{"user1:pass1"}})
	for _, ev := range up.Events {
		fmt.Println("notify:", ev.Kind, ev.Order, ev.Status, ev.Count)
		_ = store.MarkNotified(ev.ID)
	}
	fmt.Println(len(up.New), "new delivery:", up.New[0])
	open, _ := store.OpenOrders()
	fmt.Println(len(open), "open orders")
	_, _ = store.RecordBalance(client.Balance{Balance: client.MustDecimal("99.95"), Currency: "USD"}, time.Time{})
	// Output:
	// notify: order_status 23501 Completed 0
	// notify: delivery 23501  1
	// 1 new delivery: delivery{order 23501, account #1, [redacted]}
	// 0 open orders
}
