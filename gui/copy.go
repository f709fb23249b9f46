package gui

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/hstockplus/hstockplus/internal/tr"
)

// copiedFor is how long a copy button says "Copied" before it reads as before.
const copiedFor = 1500 * time.Millisecond

// copyText puts value on the clipboard, off the UI goroutine, and then calls done on the UI
// goroutine with the result (done may be nil). Secrets (codes, credentials) are cleared from the
// clipboard after the configured delay if it still holds them. Without a clipboard service the
// window's own clipboard takes it. UI goroutine only.
func (u *UI) copyText(value string, secret bool, done func(error)) {
	cb := u.deps.Clipboard
	if cb == nil {
		u.app.Clipboard().SetContent(value)
		if done != nil {
			done(nil)
		}
		return
	}
	u.async(func() {
		var err error
		if secret {
			err = cb.CopySecret(value)
		} else {
			err = cb.Copy(value)
		}
		if err != nil {
			u.deps.Logf("clipboard: %v", err)
		}
		if done != nil {
			fyne.Do(func() { done(err) })
		}
	})
}

// later runs f on the UI goroutine after d, unless the session ended meanwhile.
func (u *UI) later(d time.Duration, f func()) {
	ctx := u.deps.Context
	u.deps.AfterFunc(d, func() {
		if ctx.Err() == nil {
			fyne.Do(f)
		}
	})
}

// newCopyButton is a one-click copy of value() that says "Copied" on the button for a moment
// once the copy worked, and "Copy failed" when it did not. secret marks codes and credentials
// (cleared from the clipboard later). UI goroutine only.
func (u *UI) newCopyButton(label string, secret bool, value func() string) *widget.Button {
	var b *widget.Button
	b = widget.NewButtonWithIcon(label, theme.ContentCopyIcon(), func() {
		v := value()
		if v == "" {
			return
		}
		u.copyText(v, secret, func(err error) {
			if err != nil {
				b.SetText(tr.L("Copy failed"))
				b.SetIcon(theme.ErrorIcon())
			} else {
				b.SetText(tr.L("Copied"))
				b.SetIcon(theme.ConfirmIcon())
			}
			u.later(copiedFor, func() {
				b.SetText(label)
				b.SetIcon(theme.ContentCopyIcon())
			})
		})
	})
	return b
}

// qrImage renders value as a QR code image of side pixels.
func qrImage(value string, side int) (*canvas.Image, error) {
	png, err := qrcode.Encode(value, qrcode.Medium, side)
	if err != nil {
		return nil, err
	}
	img := canvas.NewImageFromResource(fyne.NewStaticResource("qr.png", png))
	img.FillMode = canvas.ImageFillContain
	img.ScaleMode = canvas.ImageScalePixels
	img.SetMinSize(fyne.NewSize(float32(side), float32(side)))
	return img, nil
}

// showQR shows value as a QR code to scan with a phone. The value itself is not printed under
// it (it may be a password); the title says what it is. UI goroutine only.
func (u *UI) showQR(title, value string) {
	img, err := qrImage(value, 280)
	if err != nil {
		showError(err, u.win)
		return
	}
	note := widget.NewLabelWithStyle(tr.L("Scan with your phone's camera."), fyne.TextAlignCenter, fyne.TextStyle{Italic: true})
	showCustom(title, tr.L("Close"), container.NewVBox(container.NewCenter(img), note), u.win)
}

// newQRButton opens the QR dialog for value(). UI goroutine only.
func (u *UI) newQRButton(title string, value func() string) *widget.Button {
	return widget.NewButtonWithIcon(tr.L("QR"), theme.VisibilityIcon(), func() {
		if v := value(); v != "" {
			u.showQR(title, v)
		}
	})
}
