package sandbox

import "fmt"

// This file holds the vocabulary the catalog is generated from. Prices are in
// ten-thousandths of the currency unit (10000 = 1.00) so that generation stays
// in exact integer arithmetic.

// entity is a row's entityType.
type entity uint8

const (
	entitySMM entity = iota
	entityProduct
)

func (e entity) String() string {
	if e == entityProduct {
		return "product"
	}
	return "smm"
}

// credKind is the shape of the credential strings a product order delivers.
type credKind uint8

const (
	credLogin credKind = iota // username:password
	credEmail                 // name@domain:password
	credProxy                 // host:port:user:password
	credKey                   // XXXXX-XXXXX-XXXXX-XXXXX
)

// subTemplate is a product variant (subproduct).
type subTemplate struct {
	name     string
	pricePct int64 // unit price, percent of the product's base price
	stockPct int64 // stock, percent of the product's base stock
}

// template is one catalog row before the seed is applied.
type template struct {
	kind                 entity
	category             string
	subcategory          string
	head, mid, tail      string // name parts, English; each is looked up in dict
	typ                  string // "Default" or "Custom Comments"
	price                int64  // smm: per 1000; product: primary subproduct unit price
	min, max             int
	refill, cancel, auto bool
	stock                int64 // smm: capacity; product: base stock of a subproduct
	subs                 []subTemplate
	description          string
	cred                 credKind
	domain               string // e-mail domain for credEmail
}

type smmVariant struct {
	name           string
	pct            int64
	refill, cancel bool
	custom         bool // type "Custom Comments"
}

var (
	vCheapest = smmVariant{name: "Cheapest", pct: 60, cancel: true}
	vMixed    = smmVariant{name: "Mixed Quality", pct: 80, cancel: true}
	vRealHQ   = smmVariant{name: "Real HQ", pct: 150}
	vPremium  = smmVariant{name: "Premium [30 Days Refill]", pct: 200, refill: true, cancel: true}
	vNonDrop  = smmVariant{name: "Non-Drop [Lifetime Refill]", pct: 260, refill: true}
	vInstant  = smmVariant{name: "Instant Start", pct: 120, cancel: true}
	vTargeted = smmVariant{name: "Targeted USA", pct: 300}
	vCustom   = smmVariant{name: "Custom Comments", pct: 100, custom: true}
	vCustomRU = smmVariant{name: "Custom Comments [Real Users]", pct: 180, custom: true, refill: true}
	vRandom   = smmVariant{name: "Random Positive", pct: 70, cancel: true}
	vEmoji    = smmVariant{name: "Emoji", pct: 50, cancel: true}

	audienceVariants   = []smmVariant{vCheapest, vMixed, vRealHQ, vPremium, vNonDrop}
	engagementVariants = []smmVariant{vCheapest, vRealHQ, vInstant, vTargeted}
	viewVariants       = []smmVariant{vCheapest, vInstant, vRealHQ}
	shortVariants      = []smmVariant{vCheapest, vRealHQ}
	commentVariants    = []smmVariant{vCustom, vCustomRU, vRandom, vEmoji}
)

type smmSub struct {
	price    int64 // per 1000, before platform and variant factors
	min, max int
	variants []smmVariant
}

// smmSubs are the SMM subcategories.
var smmSubs = map[string]smmSub{
	"Followers":         {18000, 10, 100000, audienceVariants},
	"Subscribers":       {95000, 50, 50000, audienceVariants[:4]},
	"Members":           {24000, 100, 100000, audienceVariants},
	"Page Likes":        {22000, 50, 100000, audienceVariants[:4]},
	"Monthly Listeners": {35000, 500, 500000, shortVariants},
	"Likes":             {4500, 10, 200000, engagementVariants},
	"Reactions":         {3000, 10, 100000, shortVariants},
	"Saves":             {3500, 10, 100000, shortVariants},
	"Shares":            {9000, 10, 100000, shortVariants},
	"Retweets":          {16000, 10, 50000, shortVariants},
	"Views":             {600, 100, 10000000, viewVariants},
	"Story Views":       {2500, 100, 500000, shortVariants},
	"Post Views":        {800, 100, 1000000, viewVariants},
	"Plays":             {7000, 1000, 10000000, viewVariants},
	"Watch Hours":       {280000, 100, 10000, shortVariants},
	"Live Viewers":      {120000, 10, 5000, shortVariants},
	"Comments":          {80000, 5, 1000, commentVariants},
}

type smmPlatform struct {
	name string
	pct  int64
	subs []string
}

var smmPlatforms = []smmPlatform{
	{"Instagram", 100, []string{"Followers", "Likes", "Views", "Comments", "Story Views", "Saves", "Shares"}},
	{"TikTok", 90, []string{"Followers", "Likes", "Views", "Comments", "Shares", "Saves"}},
	{"YouTube", 160, []string{"Subscribers", "Views", "Likes", "Comments", "Watch Hours"}},
	{"Telegram", 80, []string{"Members", "Post Views", "Reactions"}},
	{"X / Twitter", 140, []string{"Followers", "Likes", "Retweets", "Views", "Comments"}},
	{"Facebook", 110, []string{"Page Likes", "Followers", "Likes", "Views", "Comments"}},
	{"Spotify", 100, []string{"Plays", "Followers", "Monthly Listeners"}},
	{"Twitch", 150, []string{"Followers", "Live Viewers"}},
	{"Discord", 120, []string{"Members"}},
	{"Threads", 110, []string{"Followers", "Likes"}},
	{"SoundCloud", 60, []string{"Plays", "Followers", "Likes"}},
	{"LinkedIn", 250, []string{"Followers", "Likes"}},
}

var (
	subsAge     = []subTemplate{{"Fresh", 100, 100}, {"Aged 1 Year", 300, 30}, {"Aged 3+ Years", 800, 8}}
	subsSocial  = []subTemplate{{"Standard", 100, 100}, {"With 2FA", 130, 60}, {"With Email Access", 160, 40}}
	subsMessage = []subTemplate{{"Fresh", 100, 100}, {"Aged 6 Months", 200, 35}}
	subsGaming  = []subTemplate{{"Standard", 100, 100}, {"With Email Access", 150, 50}}
	subsTraffic = []subTemplate{{"1 GB", 100, 100}, {"5 GB", 450, 60}, {"10 GB", 850, 40}}
	subsPeriod  = []subTemplate{{"1 Day", 100, 100}, {"7 Days", 600, 70}, {"30 Days", 2000, 50}}
	subsMonths  = []subTemplate{{"1 Month", 100, 100}, {"3 Months", 280, 50}, {"12 Months", 1000, 20}}
)

// templates builds the default catalog's rows, SMM first, grouped by category
// as a panel lists them.
func templates() []template {
	var out []template
	for _, p := range smmPlatforms {
		for _, subName := range p.subs {
			sub := smmSubs[subName]
			for _, v := range sub.variants {
				t := template{
					kind: entitySMM, category: p.name, subcategory: subName,
					head: p.name, mid: subName, tail: v.name, typ: "Default",
					price: sub.price * p.pct / 100 * v.pct / 100,
					min:   sub.min, max: sub.max,
					refill: v.refill, cancel: v.cancel, auto: true,
					stock: int64(sub.max),
				}
				if v.custom {
					t.typ = "Custom Comments"
				}
				out = append(out, t)
			}
		}
	}

	type region struct{ name, adj string }
	regions := []region{{"USA", "US"}, {"UK", "UK"}, {"Germany", "German"}, {"Mixed Countries", "mixed-country"}}
	for _, m := range []struct {
		brand, domain string
		price         int64
	}{
		{"Gmail", "gmail.com", 4500}, {"Outlook", "outlook.com", 2500}, {"Yahoo", "yahoo.com", 3500},
		{"Hotmail", "hotmail.com", 2500}, {"ProtonMail", "proton.me", 9000},
	} {
		for i, r := range regions {
			out = append(out, template{
				kind: entityProduct, category: "Accounts-Email", subcategory: m.brand,
				head: m.brand, mid: "Account", tail: r.name, typ: "Default",
				price: m.price * []int64{100, 110, 120, 70}[i] / 100, min: 1, max: 1000,
				auto: true, stock: 1500, subs: subsAge, cred: credEmail, domain: m.domain,
				description: fmt.Sprintf("%s account registered from %s IP addresses, phone verified, recovery e-mail set. "+
					"Delivered as login:password; change the password and recovery details after the first login.", m.brand, r.adj),
			})
		}
	}

	for _, p := range []struct {
		name  string
		price int64
	}{{"Instagram", 12000}, {"Facebook", 15000}, {"TikTok", 9000}, {"X / Twitter", 11000}, {"Reddit", 18000}} {
		for _, v := range []struct {
			tail, text string
			pct        int64
			manual     bool
		}{
			{"Phone Verified", "phone verified (PVA), profile photo and bio set", 100, false},
			{"Aged", "registered more than a year ago, with a filled profile and a few posts", 250, false},
			{"With Followers (1K+)", "with 1,000+ followers; the seller transfers it by hand", 1200, true},
		} {
			out = append(out, template{
				kind: entityProduct, category: "Accounts-Social", subcategory: p.name,
				head: p.name, mid: "Account", tail: v.tail, typ: "Default",
				price: p.price * v.pct / 100, min: 1, max: 100, auto: !v.manual,
				stock: 200 * 100 / v.pct, subs: subsSocial, cred: credLogin,
				description: fmt.Sprintf("%s account, %s. Delivered as username:password; log in from a clean IP "+
					"and keep the activity natural during the first days.", p.name, v.text),
			})
		}
	}

	for _, p := range []struct {
		name  string
		price int64
	}{{"Telegram", 25000}, {"WhatsApp", 30000}, {"Discord", 6000}} {
		for i, r := range []region{{"USA", "US"}, {"Mixed Countries", "mixed-country"}} {
			out = append(out, template{
				kind: entityProduct, category: "Accounts-Messengers", subcategory: p.name,
				head: p.name, mid: "Account", tail: r.name, typ: "Default",
				price: p.price * []int64{100, 60}[i] / 100, min: 1, max: 50, auto: true,
				stock: 120, subs: subsMessage, cred: credLogin,
				description: fmt.Sprintf("%s account registered on a %s number, ready to log in. "+
					"Delivered as login:password with the two-step password set by the seller.", p.name, r.adj),
			})
		}
	}

	for _, g := range []struct {
		name  string
		price int64
	}{{"Steam", 10000}, {"Epic Games", 8000}, {"Battle.net", 15000}, {"Riot Games", 12000}} {
		for _, v := range []struct {
			tail, text string
			pct        int64
			manual     bool
		}{
			{"Region Free", "region free, no games, clean history", 100, false},
			{"Aged (Level 10+)", "level 10 or more with play history; the seller hands it over by hand", 400, true},
		} {
			out = append(out, template{
				kind: entityProduct, category: "Accounts-Gaming", subcategory: g.name,
				head: g.name, mid: "Account", tail: v.tail, typ: "Default",
				price: g.price * v.pct / 100, min: 1, max: 50, auto: !v.manual,
				stock: 80, subs: subsGaming, cred: credLogin,
				description: fmt.Sprintf("%s account, %s. Delivered as login:password.", g.name, v.text),
			})
		}
	}

	for _, p := range []struct {
		kind, text string
		price      int64
		subs       []subTemplate
	}{
		{"Residential", "Rotating residential proxy traffic (%s pool), HTTP and SOCKS5, sticky sessions up to 30 minutes.", 30000, subsTraffic},
		{"Datacenter", "Dedicated datacenter IPv4 proxy (%s), HTTP and SOCKS5, unlimited traffic.", 1500, subsPeriod},
		{"Mobile 4G", "Mobile 4G proxy on %s carriers, IP rotation by link or timer.", 40000, subsPeriod},
		{"ISP Static", "Static ISP proxy (%s) on a residential network, unlimited traffic.", 4000, subsPeriod},
	} {
		for i, r := range []region{{"USA", "US"}, {"UK", "UK"}, {"Germany", "German"}, {"Worldwide", "worldwide"}} {
			out = append(out, template{
				kind: entityProduct, category: "Proxies", subcategory: p.kind,
				head: p.kind, mid: "Proxy", tail: r.name, typ: "Default",
				price: p.price * []int64{100, 110, 110, 80}[i] / 100, min: 1, max: 100, auto: true,
				stock: 500, subs: p.subs, cred: credProxy,
				description: fmt.Sprintf(p.text, r.adj) + " Delivered as host:port:user:password.",
			})
		}
	}

	for _, s := range []struct {
		brand, sub string
		price      int64
		private    bool
	}{
		{"ChatGPT Plus", "AI Tools", 200000, true}, {"Canva Pro", "Design", 30000, false},
		{"Spotify Premium", "Music", 40000, true}, {"YouTube Premium", "Video", 45000, true},
		{"Microsoft 365", "Productivity", 60000, false}, {"Adobe Creative Cloud", "Design", 150000, true},
		{"NordVPN", "VPN", 35000, false}, {"Duolingo Super", "Education", 25000, false},
	} {
		t := template{
			kind: entityProduct, category: "Subscriptions", subcategory: s.sub,
			head: s.brand, mid: "Subscription", typ: "Default",
			price: s.price, min: 1, max: 10, stock: 40, subs: subsMonths,
		}
		if s.private {
			t.tail, t.auto, t.cred = "Private Account", false, credEmail
			t.domain = "gmail.com"
			t.description = s.brand + " on a private account the seller creates for you; the order is filled by hand. " +
				"Delivered as login:password."
		} else {
			t.tail, t.auto, t.cred = "Activation Code", true, credKey
			t.description = s.brand + " activation code; redeem it on your own account before it expires. " +
				"Delivered as a code."
		}
		out = append(out, t)
	}
	return out
}

// shopNames are the shops' real names; the API shows them masked.
var shopNames = []string{
	"ShopMaster42", "DigiMarket77", "AccountKing", "ProxyHub24", "MailFactory",
	"SocialBoost9", "NovaStore", "PixelTrade", "BlueHarbor", "QuickAccs",
	"VerifiedDepot", "SkyLineGoods", "TrustVault", "GreenLeaf88", "NordicDeals",
	"MetroAccs", "AlphaSupply", "CloudNine", "RapidKeys", "StellarShop",
	"UrbanMarket", "PrimeSellers", "EchoBazaar", "ZenithStore", "MaplePlaza",
	"OrbitMart", "HarborLine", "SilverFox21", "IronGate", "LunaOutlet",
}

// maskName masks a shop name for privacy: "ShopMaster42" -> "Sh***42".
func maskName(s string) string {
	r := []rune(s)
	if len(r) <= 4 {
		return string(r[:1]) + "***"
	}
	return string(r[:2]) + "***" + string(r[len(r)-2:])
}

// smsCountry is an SMS country with a plausible mobile numbering plan.
type smsCountry struct {
	code, name string
	dial       string   // country calling code
	prefixes   []string // leading national digits of a mobile number
	rest       int      // random digits after the prefix
	pricePct   int64    // price factor, percent
}

var smsCountries = []smsCountry{
	{"us", "United States", "1", []string{"201", "212", "213", "305", "312", "415", "503", "617", "702", "713", "786", "917"}, 7, 100},
	{"gb", "United Kingdom", "44", []string{"74", "75", "77", "78", "79"}, 8, 120},
	{"de", "Germany", "49", []string{"151", "152", "157", "160", "170", "171", "176"}, 8, 140},
	{"fr", "France", "33", []string{"6", "7"}, 8, 130},
	{"in", "India", "91", []string{"6", "7", "8", "9"}, 9, 40},
	{"br", "Brazil", "55", []string{"119", "219", "319", "419", "519", "619", "719", "819"}, 8, 50},
	{"ca", "Canada", "1", []string{"416", "604", "514", "403", "613", "647"}, 7, 110},
	{"es", "Spain", "34", []string{"6", "7"}, 8, 110},
	{"it", "Italy", "39", []string{"32", "33", "34", "35", "36", "38"}, 8, 110},
	{"nl", "Netherlands", "31", []string{"6"}, 8, 130},
	{"pl", "Poland", "48", []string{"5", "6", "7", "8"}, 8, 80},
	{"id", "Indonesia", "62", []string{"812", "813", "821", "852", "857"}, 8, 35},
	{"ph", "Philippines", "63", []string{"905", "915", "917", "926", "995"}, 7, 45},
	{"vn", "Vietnam", "84", []string{"3", "5", "7", "8", "9"}, 8, 40},
	{"th", "Thailand", "66", []string{"6", "8", "9"}, 8, 50},
	{"mx", "Mexico", "52", []string{"55", "33", "81"}, 8, 60},
	{"tr", "Turkey", "90", []string{"50", "53", "54", "55"}, 8, 55},
	{"jp", "Japan", "81", []string{"70", "80", "90"}, 8, 180},
	{"kz", "Kazakhstan", "7", []string{"70", "74", "77"}, 8, 60},
	{"ng", "Nigeria", "234", []string{"70", "80", "81", "90"}, 8, 45},
}

// smsProjectTemplate is a service that sends verification codes.
type smsProjectTemplate struct {
	name   string
	sender string // name in the SMS text; "" for a generic text
	price  int64  // base price in the United States
}

var smsProjectTemplates = []smsProjectTemplate{
	{"OpenAI / ChatGPT", "OpenAI", 5000},
	{"Google / Gmail / YouTube", "Google", 3500},
	{"Telegram", "Telegram", 8000},
	{"WhatsApp", "WhatsApp", 9000},
	{"Facebook", "Facebook", 2500},
	{"Instagram", "Instagram", 3000},
	{"TikTok", "TikTok", 2000},
	{"X / Twitter", "X", 1500},
	{"Discord", "Discord", 2500},
	{"Microsoft / Outlook", "Microsoft", 2000},
	{"Amazon", "Amazon", 3000},
	{"Apple", "Apple", 4000},
	{"Uber", "Uber", 2000},
	{"Tinder", "Tinder", 3500},
	{"Any Other Service", "", 1500},
}

// Name pools for generated credentials.
var (
	firstNames = []string{
		"emma", "liam", "olivia", "noah", "ava", "elijah", "sophia", "james", "mia", "lucas",
		"amelia", "mason", "harper", "ethan", "ella", "logan", "chloe", "jacob", "grace", "daniel",
	}
	lastNames = []string{
		"smith", "johnson", "brown", "miller", "davis", "wilson", "moore", "taylor", "clark", "lewis",
		"walker", "hall", "young", "king", "wright", "scott", "green", "baker", "adams", "nelson",
	}
)
