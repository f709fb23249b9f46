package gui

import (
	"net/url"
	"strings"
)

// The platforms SMM services are sold for, with the hosts of their links: a link for another
// platform than the service's (a TikTok video for Instagram likes) is almost always a mistake,
// and an order for it is paid and never delivered.
var platforms = []struct {
	name  string   // as the catalog names it (category or service name)
	hosts []string // the link hosts (and their subdomains)
}{
	{"Instagram", []string{"instagram.com", "instagr.am"}},
	{"TikTok", []string{"tiktok.com"}},
	{"YouTube", []string{"youtube.com", "youtu.be"}},
	{"Telegram", []string{"t.me", "telegram.me", "telegram.org"}},
	{"Twitter", []string{"twitter.com", "x.com"}},
	{"Facebook", []string{"facebook.com", "fb.com", "fb.watch"}},
	{"Spotify", []string{"spotify.com"}},
	{"Twitch", []string{"twitch.tv"}},
	{"Discord", []string{"discord.gg", "discord.com"}},
	{"Threads", []string{"threads.net", "threads.com"}},
	{"SoundCloud", []string{"soundcloud.com"}},
	{"LinkedIn", []string{"linkedin.com", "lnkd.in"}},
}

// platformOf is the platform a service is for, from its category then its name ("" when none).
func platformOf(category, name string) string {
	for _, text := range []string{category, name} {
		t := strings.ToLower(text)
		for _, p := range platforms {
			if strings.Contains(t, strings.ToLower(p.name)) || (p.name == "Twitter" && (t == "x" || strings.HasPrefix(t, "x /") || strings.HasPrefix(t, "x ·"))) {
				return p.name
			}
		}
	}
	return ""
}

// linkPlatform is the platform a link is on ("" when unknown).
func linkPlatform(link string) string {
	u, err := url.Parse(link)
	if err != nil {
		return ""
	}
	host := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	for _, p := range platforms {
		for _, h := range p.hosts {
			if host == h || strings.HasSuffix(host, "."+h) {
				return p.name
			}
		}
	}
	return ""
}

// platformMismatch reports the service's platform and the link's when they are both known and
// differ.
func platformMismatch(category, name, link string) (service, linked string, mismatch bool) {
	service, linked = platformOf(category, name), linkPlatform(link)
	return service, linked, service != "" && linked != "" && service != linked
}
