// Package sandbox is a simulated HstockPlus Customer API v2 server, faithful to
// shared/api/SPEC.md, for the app's demo mode, tests and benchmarks.
//
//	s, err := sandbox.New(sandbox.Options{Speed: 10})
//	rn, err := sandbox.Listen("127.0.0.1:0", s) // rn.URL, rn.Key
//	defer rn.Close(ctx)
//
// Server is an http.Handler: POST /api/v2 with a form body (key, action and
// the action's parameters), GET /img/<id>.png for the product pictures it
// draws itself, and a JSON 404 for anything else. A GET of /api/v2 answers 405
// with a JSON error.
//
// # Errors
//
// Every API error is {"error": "<message>"} with HTTP status 200. The
// documented messages are used where they apply (Invalid API key, Invalid
// action, Service ID is required, Service not found, Order not found,
// Insufficient balance); the others are: Quantity is required, Quantity must
// be a whole number, Quantity must be between X and Y, Link is required, Not
// enough stock, Comments are required for this service (one per line),
// Quantity must equal the number of comments (N), Invalid entityType: use
// product or smm, Too many productIds: at most 100, Invalid productIds: …,
// Project ID is required, Project not found, Quantity must be between 1 and
// 10, Country not found, Project is not available in this country, Phone
// number not found, Phone number does not belong to the project's country,
// Quantity must be 1 when reusing a phone number.
//
// # Catalog
//
// The catalog is generated from Options.Seed (same seed, same catalog) and is
// immutable; only the stock changes, in atomics, so listings never wait for
// orders. The default catalog has 232 rows: SMM services for twelve platforms
// (Followers, Likes, Views, Comments with "Custom Comments" services,
// Subscribers, Shares…) and marketplace products (e-mail, social, messenger
// and gaming accounts, proxies, subscriptions) with subproducts, each with its
// own price and stock; some rows are sold out and some products are filled by
// hand (autoDelivery false). Options.Services = N makes exactly N rows from the
// same templates (a 100,000-row catalog builds in about 0.1 s). There are 30
// shops with masked names, 20 SMS countries and 15 SMS projects per country.
// Names of categories, subcategories, services, subproducts, countries and
// projects are translated into ja (alias jp), ru and zh; every other supported
// language answers English. Filters take the English names only.
//
// Rows carry an extra "subcategory" field, and "shopId" when the row belongs
// to a shop. With limit 0 (the default) services and products answer every row
// with page = limit = total, as the provider documents, and total_pages 1.
// Shops default to page 1 and limit 20 (at most 100; 0 means 20).
//
// For products the primary subproduct gives the row's rate, and an order is
// filled from the primary subproduct first, then from the next ones in order,
// each unit charged at its own subproduct's price. A product row's stock is the
// sum of its subproducts' stock; its min and max are fixed per product.
//
// # Money
//
// Money is exact (shopspring/decimal). An SMM charge is rate × quantity / 1000
// rounded half up to 4 places; a product charge is the exact sum of the unit
// prices. charge, price, and the rates in inventory are rendered with 4 places
// ("5.0000"); the rate in a services row and the balance are rendered with 2
// places when that is exact and with 4 otherwise ("0.50", "0.0360", "99.50",
// "99.9925").
//
// # Orders
//
// Nothing runs in the background: an order's state is computed from the clock
// (Options.Now) whenever it is read, with durations divided by Options.Speed.
// An automatic order is Pending for 2 s, then In progress for 5–10 s with
// remains shrinking (and, for products, accounts delivered one by one), then
// terminal; an order for a product filled by hand takes 15 s + 45–60 s. The
// 5th, 15th, 25th… order ends Canceled (after 4 s, or 17 s by hand) with a
// full refund; the 10th, 20th… ends Partial having delivered 30–80 % with the
// rest refunded. Refunds are credited exactly once, when the order ends,
// whether or not anybody looks at it. status then reports as "charge" what the
// order finally cost (0.0000 for Canceled). start_count is the target's count
// before delivery for SMM (0 while Pending) and the stock before the order for
// products. Stock is not given back on a refund.
//
// # SMS
//
// add_sms buys 1–10 numbers of the project's country (project ids are per
// country; a country parameter must match). A number is "active" for 2 s, then
// "waiting"; its code arrives after 5–15 s ("code_received"; sms_code answers
// "completed" with the code and "Your <sender> verification code is <code>"),
// except every 5th number bought, which never gets one. expires_at is 20
// minutes after the order; after it the status is "expired" (and sms_code
// answers {"status":"expired"} when no code came). phone reuses a number the
// customer bought before for any project of the same country: a new order, a
// new code after 5–15 s. Numbers are charged price × quantity, exactly, and
// never refunded.
//
// # State
//
// By default the account lives in memory and every New starts afresh. With
// Options.StateFile the customer's state (balance, orders, SMS numbers and
// owned phones, refunds still due, the order id counter, the stock orders
// took) is kept in that file: New loads it (a missing file is a fresh account
// with Options.Balance, written at once), and every request that changes the
// state rewrites the file atomically (temporary file, fsync, rename; mode
// 0600) before it is answered, so an order id, once answered, is never reused.
// The catalog is not stored: it is rebuilt from Seed and Services, and a file
// written for another seed or catalog, or corrupt, or of another version,
// makes New fail with an error wrapping ErrState, leaving the file alone;
// deleting the file resets the account. Times are stored as instants of the
// server's clock (Options.Now) with Speed applied when an order is placed, so
// time runs on while no server does, as for a real account: orders that were
// due to end meanwhile have ended at the next start, their refunds credited
// once. Close saves and detaches the server from the file; Running.Close
// saves. Stats and the fault generator are not persisted.
//
// # Faults
//
// Options.Faults and SetFaults inject transport failures with per-request
// probabilities drawn from a generator seeded by Options.Seed: connection
// resets, answers lost after the order was committed, nginx 502 pages, 429
// rate limits, slow answers and truncated JSON. Reset and DropAfterCommit need
// a real connection (httptest.NewServer or Listen): on a ResponseRecorder they
// panic with http.ErrAbortHandler. Stats counts requests per action and the
// faults applied.
package sandbox
