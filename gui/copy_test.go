package gui

import (
	"bytes"
	"errors"
	"image/png"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/hstockplus/hstockplus/account/accounttest"
)

// fakeClipboard is the clipboard service's stand-in: it records copies, or fails them.
type fakeClipboard struct {
	plain, secrets []string
	fail           error
}

func (c *fakeClipboard) Copy(v string) error {
	if c.fail != nil {
		return c.fail
	}
	c.plain = append(c.plain, v)
	return nil
}

func (c *fakeClipboard) CopySecret(v string) error {
	if c.fail != nil {
		return c.fail
	}
	c.secrets = append(c.secrets, v)
	return nil
}

func TestCopyButtonCopiesAndConfirms(t *testing.T) {
	env := accounttest.New(t, failingAPI{})
	cb := &fakeClipboard{}
	d := testDeps(t, env.Svc, false)
	d.Clipboard = cb
	u := New(test.NewTempApp(t), d)
	u.async = func(f func()) { f() }

	plain := u.newCopyButton("Copy", false, func() string { return "+15551234567" })
	test.Tap(plain)
	if len(cb.plain) != 1 || cb.plain[0] != "+15551234567" || len(cb.secrets) != 0 {
		t.Fatalf("copies: plain %v, secrets %v", cb.plain, cb.secrets)
	}
	if plain.Text != "Copied" {
		t.Fatalf("button says %q", plain.Text)
	}
	secret := u.newCopyButton("Copy code", true, func() string { return "482913" })
	test.Tap(secret)
	if len(cb.secrets) != 1 || cb.secrets[0] != "482913" {
		t.Fatalf("secret copies = %v", cb.secrets)
	}
	if got := u.app.Clipboard().Content(); got == "482913" {
		t.Fatal("a secret went around the clearing clipboard")
	}
}

func TestCopyFailedNeverSaysCopied(t *testing.T) {
	env := accounttest.New(t, failingAPI{})
	cb := &fakeClipboard{fail: errors.New("no clipboard")}
	d := testDeps(t, env.Svc, false)
	d.Clipboard = cb
	var later []func()
	d.AfterFunc = func(_ time.Duration, f func()) func() bool {
		later = append(later, f)
		return func() bool { return true }
	}
	u := New(test.NewTempApp(t), d)
	u.async = func(f func()) { f() }
	b := u.newCopyButton("Copy code", true, func() string { return "482913" })
	test.Tap(b)
	if b.Text == "Copied" || b.Text != "Copy failed" {
		t.Fatalf("a failed copy says %q", b.Text)
	}
	// The label comes back after the delay (the timer's function runs on the UI goroutine).
	if len(later) != 1 {
		t.Fatalf("%d timers", len(later))
	}
	later[0]()
	if b.Text != "Copy code" {
		t.Fatalf("after the delay the button says %q", b.Text)
	}
}

func TestQRImageEncodesValue(t *testing.T) {
	img, err := qrImage("user1:pass1", 200)
	if err != nil {
		t.Fatal(err)
	}
	decoded, err := png.Decode(bytes.NewReader(img.Resource.Content()))
	if err != nil || decoded.Bounds().Dx() != 200 {
		t.Fatalf("QR png: %v %v", err, decoded.Bounds())
	}
}
