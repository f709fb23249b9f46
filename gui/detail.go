package gui

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hstockplus/hstockplus/account"
	"github.com/hstockplus/hstockplus/client"
	"github.com/hstockplus/hstockplus/internal/tr"
)

// serviceDetail is the pane beside a service list: every field, the description, the product
// image, live inventory, and the order form. The Catalog and Shops tabs each have one.
type serviceDetail struct {
	ui   *UI
	api  catalogService
	root *fyne.Container
	svc  client.Service
	has  bool
	seq  int // bumped on every show; late answers for an older selection are dropped

	empty    *widget.Label
	body     *fyne.Container
	title    *widget.Label
	meta     *widget.Label
	price    *widget.Label
	facts    *widget.Label
	desc     *widget.Label
	image    *canvas.Image
	imageBox *fyne.Container
	inv      *widget.Label
	watch    *watchBox

	link, qty, comments *widget.Entry
	linkNote            *widget.Label
	estimate            *widget.Label
	formErr             *widget.Label
	orderBtn            *widget.Button
	placing             bool // an order from this form is being sent
	linkTouched         bool // the link was typed in, or Order pressed: a missing link is said
	topUp               *widget.Button
}

const imageSide = 96

func newServiceDetail(u *UI) *serviceDetail {
	d := &serviceDetail{ui: u, api: u.deps.Account}
	d.watch = newWatchBox(u, u.deps.Account)
	d.empty = widget.NewLabelWithStyle(tr.L("Select a service to see its details and order it."), fyne.TextAlignCenter, fyne.TextStyle{Italic: true})
	d.empty.Wrapping = fyne.TextWrapWord
	d.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	d.title.Wrapping = fyne.TextWrapWord
	d.title.SizeName = theme.SizeNameSubHeadingText
	d.meta = newWrapLabel()
	d.meta.SizeName = theme.SizeNameCaptionText
	d.price = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	d.facts = newWrapLabel()
	d.desc = newWrapLabel()
	d.inv = newWrapLabel()
	d.image = canvas.NewImageFromResource(theme.FileImageIcon())
	d.image.FillMode = canvas.ImageFillContain
	d.image.SetMinSize(fyne.NewSize(imageSide, imageSide))
	d.imageBox = container.NewHBox(d.image)

	d.link = widget.NewEntry()
	d.linkNote = newWrapLabel()
	d.linkNote.Importance = widget.LowImportance
	d.qty = widget.NewEntry()
	d.comments = widget.NewMultiLineEntry()
	d.comments.SetPlaceHolder(tr.L("One comment per line"))
	d.comments.SetMinRowsVisible(4)
	d.estimate = newWrapLabel()
	d.formErr = newWrapLabel()
	d.formErr.Importance = widget.DangerImportance
	d.formErr.Hide()
	d.topUp = widget.NewButtonWithIcon(tr.L("Top up on HstockPlus…"), theme.ComputerIcon(), d.openTopUp)
	d.topUp.Importance = widget.LowImportance
	d.topUp.Hide()
	d.orderBtn = widget.NewButtonWithIcon(tr.L("Order…"), theme.ConfirmIcon(), d.submit)
	d.orderBtn.Importance = widget.HighImportance
	for _, e := range []*widget.Entry{d.link, d.qty, d.comments} {
		e.OnChanged = func(string) { d.updateEstimate() }
	}
	d.link.OnChanged = func(string) {
		d.linkTouched = true
		d.updateEstimate()
	}

	// The order form is pinned under the scrolling facts, so its button is always in reach.
	fields := widget.NewForm(widget.NewFormItem(tr.L("Link"), d.link), widget.NewFormItem(tr.L("Quantity"), d.qty))
	form := container.NewVBox(
		widget.NewSeparator(),
		widget.NewLabelWithStyle(tr.L("Place an order"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		fields, d.linkNote, d.comments,
		// The messages take a fixed room: the fields and the button do not move as they change.
		container.New(&fixedHeight{lines: 3}, container.NewStack(d.estimate, d.formErr)),
		container.NewBorder(nil, nil, nil, d.topUp, d.orderBtn),
	)
	info := container.NewVBox(d.title, d.meta, container.NewBorder(nil, nil, d.imageBox, nil, container.NewVBox(d.price, d.facts)), d.watch.root, d.desc, d.inv)
	d.body = container.NewBorder(nil, container.NewPadded(form), nil, nil, container.NewVScroll(container.NewPadded(info)))
	d.body.Hide()
	d.root = container.NewStack(container.NewVBox(d.empty), d.body)
	return d
}

func newWrapLabel() *widget.Label {
	l := widget.NewLabel("")
	l.Wrapping = fyne.TextWrapWord
	return l
}

// show fills the pane with s and starts the live inventory and image loads. UI goroutine only.
func (d *serviceDetail) show(s client.Service) {
	d.seq++
	seq := d.seq
	same := d.has && d.svc.Service == s.Service
	d.svc, d.has = s, true
	d.empty.Hide()
	d.body.Show()

	d.title.SetText(short(s.Name, maxName))
	meta := []string{"#" + strconv.FormatInt(s.Service, 10)}
	if s.ID != "" {
		meta = append(meta, "id "+s.ID)
	}
	meta = append(meta, short(categoryPath(s), maxLine), short(s.Type, maxShort))
	d.meta.SetText(strings.Join(nonEmpty(meta), " · "))
	d.price.SetText(priceText(s))
	d.facts.SetText(strings.Join(nonEmpty([]string{
		fmt.Sprintf(tr.L("Min %s – max %s"), groupDigits(s.Min), groupDigits(s.Max)),
		stockText(s.Stock),
		kindText(s),
		strings.Join(badges(s), " · "),
	}), "\n"))
	d.desc.SetText(block(s.Description, maxText))
	d.desc.Hidden = s.Description == ""
	d.inv.SetText(tr.L("Checking live stock…"))
	d.watch.show(s)

	if s.IsProduct() {
		d.link.SetPlaceHolder(tr.L("Delivery e-mail or reference (optional)"))
		d.linkNote.SetText(tr.L("Leave empty to use your account's e-mail."))
		d.linkNote.Show()
		d.imageBox.Show()
		d.image.Resource = theme.FileImageIcon()
		d.image.Refresh()
	} else {
		d.link.SetPlaceHolder(tr.L("https://… link to the profile or post (required)"))
		d.linkNote.Hide()
		d.imageBox.Hide()
	}
	d.comments.Hidden = !s.IsCustomComments()
	if !same {
		d.link.SetText("")
		d.comments.SetText("")
		d.qty.SetText(strconv.FormatInt(max(s.Min, 1), 10))
		d.linkTouched = false
	}
	d.updateEstimate()
	d.body.Refresh()

	d.ui.background(func(ctx context.Context) { d.loadInventory(ctx, seq, s) })
	if s.IsProduct() && s.ImageURL != "" {
		d.ui.background(func(ctx context.Context) { d.loadImage(ctx, seq, s.ImageURL) })
	}
}

func (d *serviceDetail) loadInventory(ctx context.Context, seq int, s client.Service) {
	inv, err := d.api.Inventory(ctx, s.Service)
	fyne.Do(func() {
		if seq != d.seq {
			return
		}
		if errors.Is(err, account.ErrUnsupported) {
			d.inv.SetText("") // this panel has no live stock
			return
		}
		if err != nil {
			d.inv.SetText(fmt.Sprintf(tr.L("Live stock unavailable: %s"), describeError(err)))
			return
		}
		lines := []string{fmt.Sprintf(tr.L("Live: %s, %s"), stockText(inv.Stock), availText(inv.Available))}
		for _, sp := range inv.Subproducts {
			line := fmt.Sprintf("  • %s — %s", short(sp.Name, maxName), stockText(sp.Stock))
			if sp.PriceKnown() {
				line += fmt.Sprintf(tr.L(" — %s each"), sp.Rate)
			}
			lines = append(lines, line)
		}
		if len(inv.Subproducts) > 1 {
			lines = append(lines, tr.L("If the first variant cannot fill the order, another may be used at its own price."))
		}
		d.inv.SetText(strings.Join(lines, "\n"))
	})
}

// loadImage shows the product image: from the store's cache, else downloaded (and cached by the
// service layer).
func (d *serviceDetail) loadImage(ctx context.Context, seq int, imageURL string) {
	data, err := d.api.Image(ctx, imageURL)
	if err != nil {
		return // the placeholder stays: offline, or not an image
	}
	res := fyne.NewStaticResource("product-image", data)
	fyne.Do(func() {
		if seq != d.seq {
			return
		}
		d.image.Resource = res
		d.image.Refresh()
	})
}

// clear shows the hint instead of a service. UI goroutine only.
func (d *serviceDetail) clear() {
	d.seq++ // answers for the service shown are dropped
	d.has = false
	d.body.Hide()
	d.empty.Show()
}

// updateEstimate recomputes the estimated cost beside the balance. UI goroutine only.
func (d *serviceDetail) updateEstimate() {
	if !d.has {
		return
	}
	s := d.svc
	if s.IsCustomComments() {
		if n := countLines(d.comments.Text); n > 0 {
			d.qty.Text = strconv.Itoa(n)
			d.qty.Refresh()
		}
	}
	d.topUp.Hide()
	req, err := validateOrder(s, d.link.Text, d.qty.Text, d.comments.Text)
	var noLink linkRequiredError
	if err != nil && errors.As(err, &noLink) && !d.linkTouched {
		// Not said before the link was touched or Order pressed (submit says it then).
		d.setFormError("")
		d.estimate.SetText(tr.L("Enter the link, then the estimate shows here."))
		if !d.placing {
			d.orderBtn.Enable()
		}
		return
	}
	if err != nil {
		d.setFormError(err.Error())
		d.orderBtn.Disable()
		return
	}
	d.setFormError("")
	cost, known := s.EstimateCost(req.Quantity)
	text := fmt.Sprintf(tr.L("Estimated cost: %s %s"), money(cost), d.ui.currency())
	if !known {
		text = tr.L("Price unknown: HstockPlus did not give one, so there is no estimate.")
	}
	if bal, ok := d.ui.knownBalance(); ok {
		text += fmt.Sprintf(tr.L(" · balance %s %s"), money(bal.Balance), bal.Currency)
		if known && cost.Cmp(bal.Balance.Decimal) > 0 {
			// Short: HstockPlus would refuse. Say by how much, and where to top up.
			d.setFormError(fmt.Sprintf(tr.L("Your balance is too low: %s %s more is needed (the order costs about %s %s, the balance is %s %s)."),
				money(cost.Sub(bal.Balance.Decimal)), bal.Currency, money(cost), bal.Currency, money(bal.Balance), bal.Currency))
			d.orderBtn.Disable()
			if d.topUpURL() != nil {
				d.topUp.Show()
			}
			return
		}
	}
	d.estimate.SetText(text)
	if !d.placing {
		d.orderBtn.Enable()
	}
}

// setFormError shows text in place of the estimate ("" shows the estimate). UI goroutine only.
func (d *serviceDetail) setFormError(text string) {
	d.formErr.SetText(text)
	if text == "" {
		d.formErr.Hide()
		d.estimate.Show()
		return
	}
	d.formErr.Show()
	d.estimate.Hide()
}

// topUpURL is the account's site, where the balance is topped up (the API has no deposit call):
// the endpoint's scheme and host. Nil in the demo, and for an endpoint on this machine.
func (d *serviceDetail) topUpURL() *url.URL {
	if d.ui.deps.Demo {
		return nil
	}
	u, err := url.Parse(d.ui.deps.Account.Endpoint())
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil
	}
	if h := u.Hostname(); h == "localhost" || strings.HasPrefix(h, "127.") || h == "::1" {
		return nil
	}
	return &url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/"}
}

// openTopUp opens the account's site in the browser. UI goroutine only.
func (d *serviceDetail) openTopUp() {
	if u := d.topUpURL(); u != nil {
		if err := d.ui.app.OpenURL(u); err != nil {
			d.ui.deps.Logf("top up: %v", err)
		}
	}
}

// submit validates the form and asks for confirmation. UI goroutine only.
func (d *serviceDetail) submit() {
	d.linkTouched = true
	req, err := validateOrder(d.svc, d.link.Text, d.qty.Text, d.comments.Text)
	if err != nil {
		d.setFormError(err.Error())
		d.orderBtn.Disable()
		return
	}
	d.ui.confirmOrder(d.svc, req, d.setPlacing)
}

// setPlacing shows on the Order button that an order is being sent: it cannot be pressed again
// until the answer (or its loss) is known. UI goroutine only.
func (d *serviceDetail) setPlacing(on bool) {
	d.placing = on
	if on {
		d.orderBtn.SetText(tr.L("Placing…"))
		d.orderBtn.Disable()
		return
	}
	d.orderBtn.SetText(tr.L("Order…"))
	d.updateEstimate()
}

// validateOrder checks the form against the service's rules and builds the request.
func validateOrder(s client.Service, link, qtyText, comments string) (client.AddRequest, error) {
	req := client.AddRequest{Service: s.Service, Link: strings.TrimSpace(link)}
	if s.Stock <= 0 {
		return req, errors.New(tr.L("Out of stock: it cannot be ordered now."))
	}
	if s.IsCustomComments() {
		lines := nonEmpty(strings.Split(strings.ReplaceAll(comments, "\r\n", "\n"), "\n"))
		if len(lines) == 0 {
			return req, errors.New(tr.L("Write the comments, one per line."))
		}
		req.Comments = strings.Join(lines, "\n")
		qtyText = strconv.Itoa(len(lines))
	}
	q, err := strconv.ParseInt(strings.ReplaceAll(strings.TrimSpace(qtyText), ",", ""), 10, 64)
	if err != nil || q <= 0 {
		return req, errors.New(tr.L("The quantity must be a whole number."))
	}
	switch {
	case s.Min > 0 && q < s.Min:
		return req, fmt.Errorf(tr.L("Below the minimum: at least %s."), groupDigits(s.Min))
	case s.Max > 0 && q > s.Max:
		return req, fmt.Errorf(tr.L("Above the maximum: at most %s."), groupDigits(s.Max))
	case q > s.Stock:
		return req, fmt.Errorf(tr.L("Only %s in stock."), groupDigits(s.Stock))
	}
	req.Quantity = q
	if !s.IsProduct() {
		if req.Link == "" {
			return req, linkRequiredError{}
		}
		if !strings.Contains(req.Link, "://") {
			req.Link = "https://" + req.Link
		}
		u, err := url.Parse(req.Link)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || !strings.Contains(u.Host, ".") || strings.ContainsAny(req.Link, " \t\n") {
			return req, errors.New(tr.L("The link must be a web address, like https://instagram.com/name."))
		}
	}
	return req, nil
}

// linkRequiredError: an SMM order without its link.
type linkRequiredError struct{}

func (linkRequiredError) Error() string {
	return tr.L("A link is required: the profile or post to deliver to.")
}

func countLines(s string) int {
	return len(nonEmpty(strings.Split(s, "\n")))
}

func nonEmpty(xs []string) []string {
	out := xs[:0:0]
	for _, x := range xs {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

func categoryPath(s client.Service) string {
	if s.Subcategory != "" {
		return s.Category + " › " + s.Subcategory
	}
	return s.Category
}

func stockText(n int64) string {
	if n <= 0 {
		return tr.L("out of stock")
	}
	return fmt.Sprintf(tr.L("%s in stock"), groupDigits(n))
}

func availText(ok bool) string {
	if ok {
		return tr.L("available")
	}
	return tr.L("not available")
}

func kindText(s client.Service) string {
	if s.IsProduct() {
		return tr.L("Product: delivered as account credentials")
	}
	return tr.L("SMM service: price per 1000")
}

// badges are the short flags of a service, as shown in lists and the detail pane.
func badges(s client.Service) []string {
	var b []string
	if s.Refill {
		b = append(b, tr.L("Refill"))
	}
	if s.Cancel {
		b = append(b, tr.L("Cancellable"))
	}
	if !s.AutoDelivery {
		b = append(b, tr.L("Manual delivery"))
	}
	if s.Stock <= 0 {
		b = append(b, tr.L("Out of stock"))
	}
	return b
}
