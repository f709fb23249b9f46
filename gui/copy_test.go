package gui

import (
	"bytes"
	"image/png"
	"testing"

	"fyne.io/fyne/v2/test"
)

func TestCopyButtonCopiesAndConfirms(t *testing.T) {
	a := test.NewTempApp(t)
	var secrets []string
	u := New(a, Deps{API: failingAPI{}, CopySecret: func(v string) error { secrets = append(secrets, v); return nil }})
	u.async = func(f func()) { f() }

	plain := u.newCopyButton("Copy", false, func() string { return "+15551234567" })
	test.Tap(plain)
	if got := u.app.Clipboard().Content(); got != "+15551234567" {
		t.Fatalf("clipboard = %q", got)
	}
	if plain.Text != "Copied" {
		t.Fatalf("button says %q", plain.Text)
	}
	secret := u.newCopyButton("Copy code", true, func() string { return "482913" })
	test.Tap(secret)
	if len(secrets) != 1 || secrets[0] != "482913" {
		t.Fatalf("secret copies = %v", secrets)
	}
	if got := u.app.Clipboard().Content(); got == "482913" {
		t.Fatal("a secret went around the clearing clipboard")
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
