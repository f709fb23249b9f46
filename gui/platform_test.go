package gui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/hstockplus/hstockplus/client"
)

func TestPlatformMismatch(t *testing.T) {
	cases := []struct {
		category, name, link string
		mismatch             bool
	}{
		{"Instagram", "Instagram Likes - Real HQ", "https://www.instagram.com/p/abc", false},
		{"Instagram", "Instagram Likes - Real HQ", "https://www.tiktok.com/@x/video/1", true},
		{"X / Twitter", "X Followers", "https://x.com/someone", false},
		{"X / Twitter", "X Followers", "https://youtu.be/abc", true},
		{"YouTube", "Views", "https://m.youtube.com/watch?v=1", false},
		{"Accounts-Email", "Gmail Account", "me@example.com", false},    // no platform: no warning
		{"Telegram", "Channel members", "https://example.com/x", false}, // unknown host: no guess
	}
	for _, c := range cases {
		if _, _, got := platformMismatch(c.category, c.name, c.link); got != c.mismatch {
			t.Errorf("%s %q: mismatch %v, want %v", c.category, c.link, got, c.mismatch)
		}
	}
}

// A link for another platform is warned about before the order is confirmed.
func TestOrderWarnsOfALinkForAnotherPlatform(t *testing.T) {
	u, _, _ := orderUI(t, "100.00")
	s := selectService(t, u, func(s client.Service) bool {
		return strings.Contains(s.Category, "Instagram") && !s.IsProduct() && !s.IsCustomComments() && s.Stock > 0 && s.Min <= 1000 && s.Max >= 1000
	})
	d := u.catalog.detail
	test.Type(d.link, "https://www.tiktok.com/@someone/video/123")
	d.qty.SetText("1000")
	test.Tap(d.orderBtn)
	if txt := overlayText(u.win); !strings.Contains(txt, "The service is for Instagram, but the link is on TikTok") {
		t.Fatalf("confirmation for %s = %q", s.Name, txt)
	}
}
