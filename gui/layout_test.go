package gui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/hstockplus/hstockplus/client"
)

func TestCatalogRowGivesTheNameWhatThePriceDoesNotNeed(t *testing.T) {
	test.NewTempApp(t)
	row := newServiceRow().(*fyne.Container)
	setServiceRow(row, client.Service{Service: 1, Name: "Instagram Followers - Cheapest but with a long name", Rate: client.MustDecimal("1.07"), Stock: 900}, false, nil)
	row.Resize(fyne.NewSize(370, row.MinSize().Height))
	text, figures := row.Objects[1], row.Objects[2]
	if figures.Size().Width >= 170 || figures.Size().Width < figures.MinSize().Width {
		t.Fatalf("figures column %v wide, needs %v (at most 170)", figures.Size().Width, figures.MinSize().Width)
	}
	if got, want := text.Size().Width, 370-40-figures.Size().Width; got != want {
		t.Fatalf("name column %v wide, want the rest %v", got, want)
	}
	price := figures.(*fyne.Container).Objects[0].(*widget.Label)
	if price.Text == "" || price.Truncation != fyne.TextTruncateOff {
		t.Fatalf("price %q truncated %v: a price is never cut", price.Text, price.Truncation)
	}
}
