package sandbox

import (
	"bytes"
	"encoding/json"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

var (
	hex24    = regexp.MustCompile(`^[0-9a-f]{24}$`)
	money2o4 = regexp.MustCompile(`^\d+\.(\d{2}|\d{4})$`)
	money4re = regexp.MustCompile(`^\d+\.\d{4}$`)
	masked   = regexp.MustCompile(`^[A-Za-z]{2}\*\*\*[A-Za-z0-9]{2}$`)
)

func TestDefaultCatalogShape(t *testing.T) {
	s, _ := newServer(t, Options{})
	m := obj(t, s, "action", "services")
	rows := list(t, m, "services")
	if n := len(rows); n != 232 { // as the package documentation says
		t.Fatalf("default catalog has %d rows, want 232", n)
	}
	total := num(t, m["total"])
	if total != len(rows) || num(t, m["page"]) != total || num(t, m["limit"]) != total || num(t, m["total_pages"]) != 1 {
		t.Fatalf("limit 0 envelope: total %v page %v limit %v pages %v", m["total"], m["page"], m["limit"], m["total_pages"])
	}
	ids := map[string]bool{}
	kinds := map[string]int{}
	var custom, manual, outOfStock, twoPlaces, fourPlaces int
	for i, r := range rows {
		id := str(t, r["id"])
		if !hex24.MatchString(id) || ids[id] {
			t.Fatalf("row %d: bad or repeated id %q", i, id)
		}
		ids[id] = true
		if num(t, r["service"]) != i+1 {
			t.Fatalf("row %d: service %v", i, r["service"])
		}
		rate := str(t, r["rate"])
		if !money2o4.MatchString(rate) {
			t.Fatalf("row %d: rate %q", i, rate)
		}
		if len(rate)-strings.IndexByte(rate, '.') == 3 {
			twoPlaces++
		} else {
			fourPlaces++
		}
		for _, k := range []string{"name", "type", "category", "subcategory"} {
			if str(t, r[k]) == "" {
				t.Fatalf("row %d: empty %s", i, k)
			}
		}
		if num(t, r["min"]) < 1 || num(t, r["max"]) < num(t, r["min"]) {
			t.Fatalf("row %d: min %v max %v", i, r["min"], r["max"])
		}
		for _, k := range []string{"refill", "cancel", "autoDelivery"} {
			if _, ok := r[k].(bool); !ok {
				t.Fatalf("row %d: %s not a bool", i, k)
			}
		}
		et := str(t, r["entityType"])
		kinds[et]++
		switch et {
		case "product":
			if str(t, r["description"]) == "" {
				t.Fatalf("row %d: product without description", i)
			}
			if want := "http://sandbox.test/img/" + id + ".png"; str(t, r["imageUrl"]) != want {
				t.Fatalf("row %d: imageUrl %v, want %s", i, r["imageUrl"], want)
			}
			if !hex24.MatchString(str(t, r["shopId"])) {
				t.Fatalf("row %d: product without shop", i)
			}
		case "smm":
			if _, has := r["imageUrl"]; has {
				t.Fatalf("row %d: smm row with imageUrl", i)
			}
		default:
			t.Fatalf("row %d: entityType %q", i, et)
		}
		if r["type"] == "Custom Comments" {
			custom++
		}
		if r["autoDelivery"] == false {
			manual++
		}
		if num(t, r["stock"]) == 0 {
			outOfStock++
		}
	}
	if kinds["smm"] < 100 || kinds["product"] < 50 {
		t.Fatalf("entity types: %v", kinds)
	}
	if custom == 0 || manual == 0 || outOfStock == 0 || twoPlaces == 0 || fourPlaces == 0 {
		t.Fatalf("custom %d manual %d out of stock %d rates 2dp %d 4dp %d: want some of each",
			custom, manual, outOfStock, twoPlaces, fourPlaces)
	}

	// The example row of the provider's page exists with its documented shape.
	gm := list(t, obj(t, s, "action", "products", "category", "Accounts-Email", "subcategory", "Gmail"), "products")
	if len(gm) == 0 || gm[0]["name"] != "Gmail Account - USA" {
		t.Fatalf("Gmail products: %v", gm)
	}
}

func TestSameSeedSameCatalog(t *testing.T) {
	a, _ := newServer(t, Options{Seed: 7})
	b, _ := newServer(t, Options{Seed: 7})
	c, _ := newServer(t, Options{Seed: 8})
	get := func(s *Server) string {
		return raw(t, s, form("key", "demo", "action", "services")).Body.String()
	}
	if get(a) != get(b) {
		t.Fatal("same seed gave different catalogs")
	}
	if get(a) == get(c) {
		t.Fatal("different seeds gave the same catalog")
	}
}

func TestCategoriesAndLang(t *testing.T) {
	s, _ := newServer(t, Options{})
	cats := func(lang string) map[string][]string {
		out := map[string][]string{}
		for _, c := range list(t, obj(t, s, "action", "categories", "lang", lang), "categories") {
			var subs []string
			for _, x := range c["subcategories"].([]any) {
				subs = append(subs, x.(string))
			}
			out[str(t, c["category"])] = subs
		}
		return out
	}
	en := cats("")
	if subs := en["Instagram"]; len(subs) == 0 || subs[0] != "Followers" {
		t.Fatalf("Instagram subcategories: %v", subs)
	}
	for _, want := range []string{"Instagram", "TikTok", "YouTube", "Telegram", "X / Twitter", "Facebook", "Spotify", "Accounts-Email", "Proxies"} {
		if _, ok := en[want]; !ok {
			t.Fatalf("category %q missing: %v", want, en)
		}
	}
	if got := strings.Join(en["Accounts-Email"], ","); got != "Gmail,Outlook,Yahoo,Hotmail,ProtonMail" {
		t.Fatalf("Accounts-Email: %s", got)
	}
	checks := map[string]struct{ cat, sub string }{
		"ja": {"アカウント-メール", "フォロワー"},
		"jp": {"アカウント-メール", "フォロワー"},
		"ru": {"Аккаунты-Почта", "Подписчики"},
		"zh": {"账号-邮箱", "粉丝"},
		"JA": {"アカウント-メール", "フォロワー"},
		"es": {"Accounts-Email", "Followers"}, // supported, no translation: English
		"xx": {"Accounts-Email", "Followers"}, // unknown: ignored
		"en": {"Accounts-Email", "Followers"},
	}
	for lang, want := range checks {
		got := cats(lang)
		if _, ok := got[want.cat]; !ok {
			t.Errorf("lang %s: no category %q", lang, want.cat)
		}
		if got["Instagram"][0] != want.sub {
			t.Errorf("lang %s: Instagram subcategory %q, want %q", lang, got["Instagram"][0], want.sub)
		}
	}
}

func TestServicesPagination(t *testing.T) {
	s, _ := newServer(t, Options{})
	all := list(t, obj(t, s, "action", "services", "limit", "0"), "services")
	total := len(all)
	m := obj(t, s, "action", "services", "page", "2", "limit", "50")
	rows := list(t, m, "services")
	if len(rows) != 50 || num(t, m["total"]) != total || num(t, m["page"]) != 2 || num(t, m["limit"]) != 50 ||
		num(t, m["total_pages"]) != (total+49)/50 {
		t.Fatalf("page 2: %d rows, envelope %v/%v/%v/%v", len(rows), m["total"], m["page"], m["limit"], m["total_pages"])
	}
	if rows[0]["id"] != all[50]["id"] {
		t.Fatal("page 2 does not start at row 51")
	}
	last := (total + 49) / 50
	m = obj(t, s, "action", "services", "page", itoa(last), "limit", "50")
	if n := len(list(t, m, "services")); n != total-(last-1)*50 {
		t.Fatalf("last page has %d rows", n)
	}
	m = obj(t, s, "action", "services", "page", itoa(last+1), "limit", "50")
	if n := len(list(t, m, "services")); n != 0 || num(t, m["total"]) != total {
		t.Fatalf("past the end: %d rows, total %v", n, m["total"])
	}
	// page defaults to 1; rubbish is read as the default.
	m = obj(t, s, "action", "services", "limit", "10", "page", "x")
	if num(t, m["page"]) != 1 || list(t, m, "services")[0]["id"] != all[0]["id"] {
		t.Fatal("default page is not 1")
	}
	// Empty result with limit 0.
	m = obj(t, s, "action", "services", "category", "Nope")
	if num(t, m["total"]) != 0 || num(t, m["total_pages"]) != 0 || len(list(t, m, "services")) != 0 {
		t.Fatalf("empty: %v", m)
	}
}

func TestServicesFilters(t *testing.T) {
	s, _ := newServer(t, Options{})
	count := func(kv ...string) []map[string]any {
		return list(t, obj(t, s, append([]string{"action", "services"}, kv...)...), "services")
	}
	ig := count("category", "Instagram")
	if len(ig) == 0 {
		t.Fatal("no Instagram rows")
	}
	for _, r := range ig {
		if r["category"] != "Instagram" || r["entityType"] != "smm" {
			t.Fatalf("category filter let through %v", r)
		}
	}
	for _, r := range count("subcategory", "Followers") {
		if r["subcategory"] != "Followers" {
			t.Fatalf("subcategory filter let through %v", r)
		}
	}
	// Case-insensitive, English only, even with lang.
	if len(count("category", "instagram")) != len(ig) {
		t.Fatal("category filter is case-sensitive")
	}
	if n := len(count("category", "アカウント-メール")); n != 0 {
		t.Fatalf("translated category value matched %d rows", n)
	}
	ja := count("category", "Accounts-Email", "lang", "ja")
	if len(ja) == 0 || ja[0]["category"] != "アカウント-メール" || !strings.Contains(str(t, ja[0]["name"]), "アカウント") {
		t.Fatalf("lang=ja with English filter: %v", ja)
	}
	if zh := count("subcategory", "Followers", "lang", "zh"); zh[0]["subcategory"] != "粉丝" {
		t.Fatalf("zh subcategory %v", zh[0]["subcategory"])
	}
	if x := count("category", "X / Twitter", "lang", "ru"); len(x) == 0 || x[0]["category"] != "X (Twitter)" {
		t.Fatal("X / Twitter in Russian")
	}

	prods := count("entityType", "product")
	smm := count("entityType", "smm")
	if len(prods)+len(smm) != len(count()) {
		t.Fatal("entityType filters do not partition the catalog")
	}
	for _, r := range prods {
		if r["entityType"] != "product" {
			t.Fatal("entityType=product let an SMM row through")
		}
	}
	apiErr(t, s, "Invalid entityType: use product or smm", "action", "services", "entityType", "bogus")

	// shopId: only that shop's rows, products and SMM.
	shops := list(t, obj(t, s, "action", "shops", "limit", "100"), "shops")
	seenSMM := false
	for _, sh := range shops {
		id := str(t, sh["id"])
		rows := count("shopId", id)
		nProducts := 0
		for _, r := range rows {
			if r["shopId"] != id {
				t.Fatalf("shopId filter let through %v", r)
			}
			if r["entityType"] == "product" {
				nProducts++
			} else {
				seenSMM = true
			}
		}
		if nProducts != num(t, sh["productCount"]) {
			t.Fatalf("shop %s: productCount %v, filter finds %d products", id, sh["productCount"], nProducts)
		}
	}
	if !seenSMM {
		t.Fatal("no SMM service belongs to a shop")
	}
	if n := len(count("shopId", "000000000000000000000000")); n != 0 {
		t.Fatalf("unknown shop matched %d rows", n)
	}

	// Products action: only products, envelope "products", ignores entityType.
	pm := obj(t, s, "action", "products", "entityType", "smm")
	if _, has := pm["services"]; has {
		t.Fatal(`products answered a "services" key`)
	}
	if len(list(t, pm, "products")) != len(prods) {
		t.Fatal("products action does not list every product")
	}
}

func TestProductIDsForms(t *testing.T) {
	s, _ := newServer(t, Options{})
	prods := list(t, obj(t, s, "action", "products"), "products")
	p1, p2, p3 := prods[0], prods[3], prods[7]
	n1, n2 := itoa(num(t, p1["service"])), itoa(num(t, p2["service"]))
	id3 := str(t, p3["id"])
	smmNum := "1"
	want := map[string]bool{str(t, p1["id"]): true, str(t, p2["id"]): true, id3: true}

	check := func(name string, kv ...string) {
		t.Helper()
		for _, action := range []string{"services", "products"} {
			key := action
			rows := list(t, obj(t, s, append([]string{"action", action}, kv...)...), key)
			got := map[string]bool{}
			for _, r := range rows {
				got[str(t, r["id"])] = true
			}
			if len(got) != len(want) {
				t.Fatalf("%s/%s: got %v, want %v", name, action, got, want)
			}
			for id := range want {
				if !got[id] {
					t.Fatalf("%s/%s: missing %s", name, action, id)
				}
			}
		}
	}
	check("comma", "productIds", n1+", "+n2+","+id3+","+smmNum)
	check("json", "productIds", `[`+n1+`,"`+n2+`","`+strings.ToUpper(id3)+`",`+smmNum+`]`)
	check("repeated", "productIds", n1, "productIds", n2, "productIds", id3, "productIds", smmNum)
	check("brackets", "productIds[]", n1, "productIds[]", n2+","+id3)
	check("duplicates", "productIds", n1+","+n1+","+n2+","+id3)

	// SMM rows are left out even when asked for, and even with entityType=smm.
	if rows := list(t, obj(t, s, "action", "services", "productIds", smmNum), "services"); len(rows) != 0 {
		t.Fatalf("productIds of an SMM service returned %v", rows)
	}
	if rows := list(t, obj(t, s, "action", "services", "productIds", n1, "entityType", "smm"), "services"); len(rows) != 0 {
		t.Fatal("productIds with entityType=smm returned rows")
	}

	var many []string
	for i := 1; i <= 101; i++ {
		many = append(many, itoa(i))
	}
	apiErr(t, s, "Too many productIds: at most 100", "action", "services", "productIds", strings.Join(many, ","))
	var hundred []string
	for i := 101; i <= 200; i++ { // SMM rows then products
		hundred = append(hundred, itoa(i))
	}
	if rows := list(t, obj(t, s, "action", "products", "productIds", strings.Join(hundred, ",")), "products"); len(rows) == 0 {
		t.Fatal("100 ids refused")
	}
	apiErr(t, s, "Invalid productIds: malformed JSON array", "action", "products", "productIds", "[1,2")
	apiErr(t, s, "Invalid productIds: array items must be numbers or strings", "action", "products", "productIds", "[{}]")
}

func TestShops(t *testing.T) {
	s, _ := newServer(t, Options{})
	m := obj(t, s, "action", "shops")
	rows := list(t, m, "shops")
	if len(rows) != 20 || num(t, m["limit"]) != 20 || num(t, m["page"]) != 1 || num(t, m["total"]) != 30 || num(t, m["total_pages"]) != 2 {
		t.Fatalf("default shops page: %d rows, %v", len(rows), m)
	}
	m2 := obj(t, s, "action", "shops", "page", "2")
	if len(list(t, m2, "shops")) != 10 {
		t.Fatal("shops page 2")
	}
	all := list(t, obj(t, s, "action", "shops", "limit", "0"), "shops")
	if len(all) != 20 {
		t.Fatalf("limit 0 for shops means the default 20, got %d", len(all))
	}
	products := 0
	for _, sh := range list(t, obj(t, s, "action", "shops", "limit", "100"), "shops") {
		if !hex24.MatchString(str(t, sh["id"])) || !masked.MatchString(str(t, sh["name"])) {
			t.Fatalf("shop %v", sh)
		}
		r, err := sh["rating"].(json.Number).Float64()
		if err != nil || r < 1 || r > 5 {
			t.Fatalf("rating %v", sh["rating"])
		}
		if num(t, sh["reviewCount"]) < 1 {
			t.Fatalf("reviewCount %v", sh["reviewCount"])
		}
		products += num(t, sh["productCount"])
	}
	if want := len(list(t, obj(t, s, "action", "products"), "products")); products != want {
		t.Fatalf("product counts add up to %d, want %d", products, want)
	}
	if rows[0]["name"] != "Sh***42" {
		t.Fatalf("first shop name %v", rows[0]["name"])
	}
}

func TestInventory(t *testing.T) {
	s, _ := newServer(t, Options{})
	apiErr(t, s, errServiceID, "action", "inventory")
	apiErr(t, s, errServiceMissing, "action", "inventory", "service", "999999")
	apiErr(t, s, errServiceMissing, "action", "inventory", "service", "abc")

	smm := obj(t, s, "action", "inventory", "service", "1")
	if num(t, smm["service"]) != 1 || smm["entityType"] != "smm" || smm["available"] != true || smm["autoDelivery"] != true {
		t.Fatalf("smm inventory %v", smm)
	}
	if !money4re.MatchString(str(t, smm["rate"])) {
		t.Fatalf("inventory rate %v, want 4 places", smm["rate"])
	}
	for _, k := range []string{"min", "max", "subproducts"} {
		if _, has := smm[k]; has {
			t.Fatalf("smm inventory has %s", k)
		}
	}

	p := findRow(t, s, func(r *row) bool { return r.kind == entityProduct && r.subs[0].name == "1 Month" })
	inv := obj(t, s, "action", "inventory", "service", itoa(p.number), "lang", "ru")
	subs := list(t, inv, "subproducts")
	if len(subs) != 3 || subs[0]["name"] != "1 месяц" || subs[2]["name"] != "12 месяцев" {
		t.Fatalf("subproducts %v", subs)
	}
	sum := 0
	for _, sp := range subs {
		if !hex24.MatchString(str(t, sp["subproductId"])) || !money4re.MatchString(str(t, sp["rate"])) {
			t.Fatalf("subproduct %v", sp)
		}
		sum += num(t, sp["stock"])
	}
	if num(t, inv["stock"]) != sum || num(t, inv["min"]) != p.min || num(t, inv["max"]) != p.max || inv["entityType"] != "product" {
		t.Fatalf("product inventory %v", inv)
	}
	if dec(t, inv["rate"]).String() != dec(t, subs[0]["rate"]).String() {
		t.Fatal("product rate is not the primary subproduct's")
	}
	// service is the friendly number, not the Mongo id.
	apiErr(t, s, errServiceMissing, "action", "inventory", "service", p.id)
	// It matches the services row.
	listed := list(t, obj(t, s, "action", "products", "productIds", p.id), "products")[0]
	if num(t, listed["stock"]) != sum || dec(t, listed["rate"]).Cmp(dec(t, inv["rate"])) != 0 ||
		num(t, listed["min"]) != num(t, inv["min"]) || num(t, listed["max"]) != num(t, inv["max"]) {
		t.Fatalf("services row %v disagrees with inventory %v", listed, inv)
	}
}

func TestLargeCatalog(t *testing.T) {
	const n = 100_000
	s, _ := newServer(t, Options{Services: n, Seed: 42})
	if s.ServiceCount() != n {
		t.Fatalf("ServiceCount %d", s.ServiceCount())
	}
	body := raw(t, s, form("key", "demo", "action", "services")).Body.Bytes()
	if !bytes.HasPrefix(body, []byte(`{"services":[{"id":"`)) ||
		!bytes.HasSuffix(body, []byte(`}],"total":100000,"page":100000,"limit":100000,"total_pages":1}`)) {
		t.Fatalf("envelope: %s … %s", body[:40], body[len(body)-80:])
	}
	// Scan the ids (fast even under the race detector).
	ids := make(map[string]bool, n)
	marker := []byte(`{"id":"`)
	for rest := body; ; {
		i := bytes.Index(rest, marker)
		if i < 0 {
			break
		}
		id := string(rest[i+len(marker) : i+len(marker)+24])
		if ids[id] || !hex24.MatchString(id) {
			t.Fatalf("bad or repeated id %s", id)
		}
		ids[id] = true
		rest = rest[i+len(marker)+24:]
	}
	if len(ids) != n {
		t.Fatalf("%d rows", len(ids))
	}
	if !raceEnabled {
		var resp struct {
			Services []struct {
				ID      string `json:"id"`
				Service int    `json:"service"`
			} `json:"services"`
		}
		if err := json.Unmarshal(body, &resp); err != nil {
			t.Fatal(err)
		}
		for i, r := range resp.Services {
			if r.Service != i+1 || !ids[r.ID] {
				t.Fatalf("row %d: %+v", i, r)
			}
		}
	}
	cats := list(t, obj(t, s, "action", "categories"), "categories")
	subs := 0
	for _, c := range cats {
		subs += len(c["subcategories"].([]any))
	}
	products := num(t, obj(t, s, "action", "services", "entityType", "product", "limit", "1")["total"])
	if len(cats) < 15 || subs < 60 || products < n/5 || products > n/2 {
		t.Fatalf("%d categories, %d subcategories, %d products", len(cats), subs, products)
	}
	last := list(t, obj(t, s, "action", "services", "limit", "1000", "page", "100"), "services")
	if len(last) != 1000 || num(t, last[999]["service"]) != n {
		t.Fatal("last page")
	}
	// The first rows already mix categories and entity types.
	small, _ := newServer(t, Options{Services: 12})
	rows := list(t, obj(t, small, "action", "services"), "services")
	first := map[string]bool{}
	hasProduct := false
	for _, r := range rows {
		first[str(t, r["category"])] = true
		hasProduct = hasProduct || r["entityType"] == "product"
	}
	if len(rows) != 12 || len(first) < 4 || !hasProduct {
		t.Fatalf("12-row catalog: %d rows over %v", len(rows), first)
	}
	// Orders work on generated rows as well.
	p := findRow(t, s, func(r *row) bool { return r.kind == entityProduct && s.stock[r.subs[0].slot].Load() > 0 && r.sfx != "" })
	obj(t, s, "action", "add", "service", itoa(p.number), "quantity", "1")
}

func TestImages(t *testing.T) {
	s, _ := newServer(t, Options{BaseURL: "https://cdn.example.test/"})
	srv := httptest.NewServer(s)
	defer srv.Close()
	prods := list(t, obj(t, s, "action", "products"), "products")
	url := str(t, prods[0]["imageUrl"])
	if want := "https://cdn.example.test/img/" + str(t, prods[0]["id"]) + ".png"; url != want {
		t.Fatalf("imageUrl %s, want %s (BaseURL)", url, want)
	}
	seen := map[string]bool{}
	for _, p := range prods[:5] {
		resp, err := http.Get(srv.URL + "/img/" + str(t, p["id"]) + ".png")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("image: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		img, err := png.Decode(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if b := img.Bounds(); b.Dx() != ImageSize || b.Dy() != ImageSize {
			t.Fatalf("image size %v", b)
		}
		seen[string(body)] = true
	}
	if len(seen) < 2 {
		t.Fatal("every product has the same picture")
	}
	for _, path := range []string{"/img/nope.png", "/img/" + str(t, prods[0]["id"]) + ".jpg", "/elsewhere"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 404 || !strings.Contains(string(body), `"error"`) {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, body)
		}
	}
	// Cached copies are revalidated by ETag.
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/img/"+str(t, prods[0]["id"])+".png", nil)
	req.Header.Set("If-None-Match", `"`+str(t, prods[0]["id"])+`"`)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotModified {
		t.Fatalf("If-None-Match: %d", resp.StatusCode)
	}
}

func TestImageURLFromHost(t *testing.T) {
	s, _ := newServer(t, Options{})
	r := httptest.NewRequest(http.MethodPost, "/api/v2", strings.NewReader(form("key", "demo", "action", "products", "limit", "1").Encode()))
	r.Host = "demo.local:9999"
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("X-Forwarded-Proto", "https")
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	if !strings.Contains(w.Body.String(), `"imageUrl":"https://demo.local:9999/img/`) {
		t.Fatalf("imageUrl not built from Host: %s", truncate(w.Body.Bytes()))
	}
}

// discard is a ResponseWriter that keeps nothing.
type discard struct {
	h http.Header
	n int
}

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) WriteHeader(int)             {}
func (d *discard) Write(p []byte) (int, error) { d.n += len(p); return len(p), nil }

func BenchmarkServices100k(b *testing.B) {
	s, err := New(Options{Services: 100_000})
	if err != nil {
		b.Fatal(err)
	}
	body := form("key", "demo", "action", "services").Encode()
	w := &discard{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest(http.MethodPost, "/api/v2", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w.n = 0
		s.ServeHTTP(w, r)
	}
	b.SetBytes(int64(w.n))
}

func BenchmarkNew100k(b *testing.B) {
	for b.Loop() {
		if _, err := New(Options{Services: 100_000}); err != nil {
			b.Fatal(err)
		}
	}
}
