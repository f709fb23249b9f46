package client_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hstockplus/hstockplus/client"
)

func Example() {
	c, err := client.New(
		client.WithAPIKey("YOUR_API_KEY"),
		client.WithLang("ja"),
		client.WithRetry(4, 250*time.Millisecond, 10*time.Second),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	rows, skipped, err := c.AllServices(ctx, client.ServicesParams{Category: "Instagram"}, 0, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	if skipped.Rows > 0 {
		fmt.Println(skipped) // "2 rows left out: row 7 (service 12): min: value is not an integer; …"
	}
	for _, s := range rows {
		if cost, ok := s.EstimateCost(1000); ok {
			fmt.Printf("%d %s: %s for 1000 (estimate)\n", s.Service, s.Name, cost)
		} else {
			fmt.Printf("%d %s: price unknown\n", s.Service, s.Name)
		}
	}
}

// Placing an order: it is sent once, and a failure says whether the order may exist.
func ExampleClient_Add() {
	c, _ := client.New(client.WithAPIKey("YOUR_API_KEY"))
	res, err := c.Add(context.Background(), client.AddRequest{Service: 1, Quantity: 1000, Link: "https://instagram.com/username"})
	switch {
	case err == nil:
		fmt.Println("order", res.Order)
	case errors.Is(err, client.ErrInsufficientBalance):
		fmt.Println("top up first")
	case errors.Is(err, client.ErrOutcomeUnknown):
		fmt.Println("the order may have been placed: check the balance before ordering again")
	case errors.Is(err, client.ErrNotSent):
		fmt.Println("not placed; safe to try again:", err)
	}
}

func ExampleDecimal() {
	rate := client.MustDecimal("0.50")
	fmt.Println(rate)
	cost, _ := client.Service{Rate: rate, EntityType: client.EntitySMM}.EstimateCost(100)
	fmt.Println(cost)
	fmt.Println(client.NewDecimal(rate.Add(client.MustDecimal("0.25").Decimal)))
	// Output:
	// 0.50
	// 0.05
	// 0.75
}
