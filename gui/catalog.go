package gui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hstockplus/hstockplus/account"
	"github.com/hstockplus/hstockplus/client"
	"github.com/hstockplus/hstockplus/internal/memcap"
	"github.com/hstockplus/hstockplus/internal/tr"
)

// catalogTab is the whole catalog: a category tree, search, filters and sort over a virtualised
// list, and a detail pane to order from. Everything here runs on the UI goroutine but load.
type catalogTab struct {
	ui   *UI
	svc  catalogService
	item *container.TabItem

	index   *catalogIndex // as loaded
	synced  time.Time     // when index was fetched from HstockPlus
	visible []int32       // rows of index after the search and filters, in display order
	filter  catalogFilter // the current filter but for Text, which is the search box's
	favs    map[int64]bool

	search              *widget.Entry
	kind, sortBy        *guardedSelect
	desc                *widget.Button
	inStock, auto       *widget.Check
	refill, favOnly     *widget.Check
	watchOnly           *widget.Check
	watched             map[int64]bool
	minPrice, maxPrice  *widget.Entry
	tree                *widget.Tree
	list                *widget.List
	count               *widget.Label
	changes             *widget.Button
	progress            *widget.ProgressBarInfinite
	refresh             *widget.Button
	msg                 *messageBox
	detail              *serviceDetail
	diff                *account.ServiceDiff
	wider               *widget.Button    // "N more in all categories"
	everywhere          []int32           // the search's matches in every category (showWider)
	skipped             client.SkipReport // rows of the last download that could not be read
	treeRoot, treeItems map[string][]string
}

const favouritesPref = "catalog.favourites"

func newCatalogTab(u *UI) *catalogTab {
	t := &catalogTab{ui: u, svc: u.deps.Account, count: widget.NewLabel(""), progress: widget.NewProgressBarInfinite(), msg: newMessageBox(), favs: map[int64]bool{}}
	for _, n := range u.app.Preferences().IntList(favouritesPref) {
		t.favs[int64(n)] = true
	}
	t.filter.Favourites = t.favs
	t.watched = map[int64]bool{}
	t.filter.Watched = t.watched
	t.progress.Hide()
	t.detail = newServiceDetail(u)
	t.detail.watch.changed = t.setWatched

	t.search = widget.NewEntry()
	t.search.SetPlaceHolder(tr.L("Search the catalog…"))
	t.search.OnChanged = func(string) { t.applyFilter() }
	t.kind = newSelect([]string{tr.L("Everything"), tr.L("SMM services"), tr.L("Products")}, func(s string) {
		switch t.kind.SelectedIndex() {
		case 1:
			t.filter.Kind = client.EntitySMM
		case 2:
			t.filter.Kind = client.EntityProduct
		default:
			t.filter.Kind = ""
		}
		if t.tree != nil {
			t.tree.Refresh() // the category counts follow the type
		}
		t.applyFilter()
	})
	t.kind.SetSelectedIndex(0)
	sorts := []string{tr.L("Number"), tr.L("Name"), tr.L("Price"), tr.L("Stock")} // in sortField order
	t.sortBy = newSelect(sorts, func(string) {
		t.filter.Sort = sortField(max(0, t.sortBy.SelectedIndex()))
		t.applyFilter()
	})
	t.sortBy.SetSelectedIndex(0)
	t.desc = widget.NewButtonWithIcon("", theme.MenuDropUpIcon(), func() {
		t.filter.Desc = !t.filter.Desc
		if t.filter.Desc {
			t.desc.SetIcon(theme.MenuDropDownIcon())
		} else {
			t.desc.SetIcon(theme.MenuDropUpIcon())
		}
		t.applyFilter()
	})
	check := func(label string, set func(bool)) *widget.Check {
		return widget.NewCheck(label, func(on bool) { set(on); t.applyFilter() })
	}
	t.inStock = check(tr.L("In stock"), func(on bool) { t.filter.InStock = on })
	t.auto = check(tr.L("Auto-delivery"), func(on bool) { t.filter.AutoOnly = on })
	t.refill = check(tr.L("Refill"), func(on bool) { t.filter.RefillOnly = on })
	t.favOnly = check(tr.L("★ Favourites"), func(on bool) { t.filter.FavOnly = on })
	t.watchOnly = check(tr.L("Watched"), func(on bool) { t.filter.WatchOnly = on })
	t.minPrice, t.maxPrice = widget.NewEntry(), widget.NewEntry()
	t.minPrice.SetPlaceHolder(tr.L("min, each"))
	t.maxPrice.SetPlaceHolder(tr.L("max, each"))
	for _, e := range []*widget.Entry{t.minPrice, t.maxPrice} {
		e.OnChanged = func(string) { t.applyFilter() }
	}
	t.refresh = widget.NewButtonWithIcon(tr.L("Refresh"), theme.ViewRefreshIcon(), func() { u.background(t.load) })
	t.changes = widget.NewButtonWithIcon(tr.L("What changed"), theme.HistoryIcon(), t.showChanges)
	t.changes.Disable()

	t.tree = widget.NewTree(t.treeChildren, t.treeIsBranch,
		func(bool) fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.TreeNodeID, _ bool, o fyne.CanvasObject) { o.(*widget.Label).SetText(t.treeLabel(id)) })
	t.tree.OnSelected = func(id widget.TreeNodeID) {
		t.filter.Category, t.filter.Subcategory = splitTreeID(id)
		t.applyFilter()
	}

	t.list = widget.NewList(
		func() int { return len(t.visible) },
		newServiceRow,
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(t.visible) {
				s := t.index.rows[t.visible[id]]
				setServiceRow(o, s, t.favs[s.Service], t.toggleFavourite)
			}
		},
	)
	t.list.OnSelected = func(id widget.ListItemID) {
		if id < len(t.visible) {
			t.detail.show(t.index.rows[t.visible[id]])
		}
	}
	t.msg.show(tr.L("Loading the catalog…"), "", nil)

	mass := widget.NewButtonWithIcon(tr.L("Mass order…"), theme.ContentPasteIcon(), u.openMassOrder)
	bar1 := container.NewBorder(nil, nil, nil, container.NewHBox(t.kind, t.sortBy, t.desc, t.changes, t.refresh, mass), t.search)
	prices := newColumns([]float32{120, 120}, t.minPrice, t.maxPrice)
	t.wider = widget.NewButtonWithIcon("", theme.SearchIcon(), func() { t.tree.Select(allRowsID) })
	t.wider.Importance = widget.LowImportance
	t.wider.Hide()
	bar2 := container.NewBorder(nil, nil, container.NewHBox(t.inStock, t.auto, t.refill, t.favOnly, t.watchOnly, prices), container.NewHBox(t.wider, t.count))
	listArea := container.NewStack(t.list, t.msg.root)
	right := container.NewHSplit(listArea, t.detail.root)
	right.Offset = 0.6
	main := container.NewHSplit(t.tree, right)
	main.Offset = 0.2
	t.item = container.NewTabItemWithIcon(tr.L("Catalog"), theme.GridIcon(),
		container.NewBorder(container.NewVBox(bar1, bar2, t.progress), nil, nil, nil, main))
	return t
}

// loadWatched reads the watch list for the Watched filter. It runs off the UI goroutine.
func (t *catalogTab) loadWatched() {
	ws, ok := t.svc.(watchService)
	if !ok {
		return
	}
	list, err := ws.Watches()
	if err != nil {
		t.ui.deps.Logf("watch list: %v", err)
		return
	}
	fyne.Do(func() {
		for _, w := range list {
			t.watched[w.Service] = true
		}
		if t.filter.WatchOnly {
			t.applyFilter()
		}
	})
}

// setWatched follows a change of the watch list made in the detail pane. UI goroutine only.
func (t *catalogTab) setWatched(service int64, on bool) {
	if on {
		t.watched[service] = true
	} else {
		delete(t.watched, service)
	}
	if t.filter.WatchOnly {
		t.applyFilter()
	}
}

// Preloaded is the saved catalog read and indexed in the background while the window is built
// (Preload), so that the first frame can show it sooner.
type Preloaded struct {
	done        chan struct{}
	c           account.Catalog
	err         error
	ix          *catalogIndex
	read, built time.Duration
}

// Preload starts reading and indexing the saved catalog of svc at once; give it to the window
// (Deps.Preloaded) built on the same service. The work ends by itself.
func Preload(svc interface {
	SavedCatalog() (account.Catalog, error)
}) *Preloaded {
	p := &Preloaded{done: make(chan struct{})}
	go p.run(svc)
	return p
}

func (p *Preloaded) run(svc interface {
	SavedCatalog() (account.Catalog, error)
}) {
	defer close(p.done)
	t0 := time.Now()
	p.c, p.err = svc.SavedCatalog()
	p.read = time.Since(t0)
	if p.err == nil {
		p.ix = buildCatalogIndex(p.c.Rows)
		p.built = time.Since(t0) - p.read
	}
}

// loadSnapshot shows the catalog saved by the last run, at once, before any network call.
// It runs off the UI goroutine.
func (t *catalogTab) loadSnapshot() {
	t.loadWatched()
	var p *Preloaded
	if p = t.ui.deps.Preloaded; p == nil {
		p = &Preloaded{done: make(chan struct{})}
		p.run(t.svc)
	}
	<-p.done
	c, err, index, read, built := p.c, p.err, p.ix, p.read, p.built
	if err != nil {
		if !errors.Is(err, account.ErrNoSavedCopy) {
			t.ui.deps.Logf("catalog: saved copy unreadable: %v", err)
		}
		return
	}
	t.ui.deps.Logf("catalog: showing %d saved rows from %s", len(c.Rows), c.Fetched.Format(time.RFC3339))
	fyne.DoAndWait(func() {
		if t.index != nil { // a download finished first
			return
		}
		t.setIndex(index, c.Fetched, nil)
		t.logShown("saved", len(c.Rows), fmt.Sprintf("read %v, index %v", read.Round(time.Millisecond), built.Round(time.Millisecond)))
	})
	releaseMemory() // what reading took, once the rows are shown (a full collection: 35-45 ms)
	// "What changed" since the copy before: after the rows are on screen (it reads both copies).
	diff := t.svc.CatalogChanges()
	fyne.Do(func() {
		if t.index == index {
			t.setDiff(diff)
		}
	})
}

// downloadGC is the collector's percent while a catalogue is downloaded, saved and indexed (see
// memcap): the garbage between two collections stays under a sixth of the live heap (100k rows:
// extra peak +144-149 -> +32-37 MiB, at the cost of more collections).
const downloadGC = 15

// downloadCatalog downloads the whole catalog (the service layer saves it) and indexes it, with
// the heap's growth bounded while it runs; off the UI goroutine: it folds and sorts every row.
func downloadCatalog(ctx context.Context, svc interface {
	RefreshCatalog(context.Context) (account.Catalog, error)
}) (account.Catalog, *catalogIndex, error) {
	defer memcap.During(downloadGC)()
	c, err := svc.RefreshCatalog(ctx)
	if err != nil {
		return c, nil, err
	}
	return c, buildCatalogIndex(c.Rows), nil
}

// load downloads the whole catalog (the service layer saves it) off the UI goroutine, then swaps
// it in with fyne.Do. The old list stays usable while it runs; an error keeps it and says why.
func (t *catalogTab) load(ctx context.Context) {
	fyne.Do(func() {
		t.refresh.Disable()
		t.progress.Show()
		t.progress.Start()
	})
	c, index, err := downloadCatalog(ctx, t.svc)
	if err == nil {
		t.ui.deps.Logf("catalog: loaded %d rows", len(c.Rows))
	} else {
		t.ui.deps.Logf("catalog: %v", err)
	}
	fyne.DoAndWait(func() {
		t.progress.Stop()
		t.progress.Hide()
		t.refresh.Enable()
		if err != nil {
			switch {
			case t.index == nil:
				t.msg.show(fmt.Sprintf(tr.L("Could not load the catalog: %s"), describeErrorAt(err, t.ui.host())), tr.L("Try again"), func() {
					t.msg.show(tr.L("Loading the catalog…"), "", nil)
					t.ui.background(t.load)
				})
			case isOffline(err):
				t.ui.setOffline(true, fmt.Sprintf(tr.L("Offline — catalog from %s. %s"), formatWhen(t.synced), describeErrorAt(err, t.ui.host())))
			default:
				t.count.SetText(fmt.Sprintf(tr.L("%d rows — refresh failed: %s"), len(t.index.rows), describeError(err)))
			}
			return
		}
		t.skipped = c.Skipped
		first := t.index == nil
		t.setIndex(index, c.Fetched, nil)
		if first {
			t.logShown("downloaded", len(c.Rows), "")
		}
		t.ui.setOffline(false, "")
		if c.Skipped.Rows > 0 {
			reasons := make([]string, 0, len(c.Skipped.Reasons))
			for _, r := range c.Skipped.Reasons {
				reasons = append(reasons, "• "+short(r, maxLine))
			}
			showInformation(tr.L("Part of the catalog could not be read"),
				fmt.Sprintf(tr.L("HstockPlus sent %s rows that could not be read; they are left out, and the rest of the catalog is shown. Their text is in the log."), groupDigits(int64(c.Skipped.Rows)))+
					"\n\n"+strings.Join(reasons, "\n"), t.ui.win)
		}
	})
	releaseMemory() // once the old index is dropped (the swap above) and the download's memory
	// "What changed": after the new rows are on screen (skipped rows would read as removed ones:
	// none then).
	if err == nil && c.Skipped.Rows == 0 {
		diff := t.svc.CatalogChanges()
		fyne.Do(func() {
			if t.index == index {
				t.setDiff(diff)
			}
		})
	}
}

// logShown logs when the first rows were shown, from the process start (Deps.Started), so the
// time to a usable window can be checked from outside. UI goroutine only.
func (t *catalogTab) logShown(what string, rows int, detail string) {
	if t.ui.deps.Started.IsZero() {
		return
	}
	if detail != "" {
		detail = " (" + detail + ")"
	}
	t.ui.deps.Logf("catalog: first rows shown %d ms after start: %d %s rows%s", time.Since(t.ui.deps.Started).Milliseconds(), rows, what, detail)
}

// setDiff offers "What changed" when diff says something did. UI goroutine only.
func (t *catalogTab) setDiff(diff *account.ServiceDiff) {
	t.diff = diff
	if n := diffSize(diff); n > 0 {
		t.changes.SetText(fmt.Sprintf(tr.L("What changed (%d)"), n))
		t.changes.Enable()
	} else {
		t.changes.SetText(tr.L("What changed"))
		t.changes.Disable()
	}
}

// setIndex shows a newly loaded catalog. UI goroutine only.
func (t *catalogTab) setIndex(index *catalogIndex, synced time.Time, diff *account.ServiceDiff) {
	t.index, t.synced, t.diff = index, synced, diff
	t.buildTree()
	t.applyFilter()
	t.ui.status.setSynced(synced)
	t.setDiff(diff)
	if t.detail.has { // keep the pane on the same service, with its new figures
		for _, s := range index.rows {
			if s.Service == t.detail.svc.Service {
				t.detail.show(s)
				break
			}
		}
	}
}

// applyFilter recomputes the visible rows. UI goroutine only; a keystroke over 100,000 rows
// costs a few milliseconds (BenchmarkCatalogKeystroke100k).
func (t *catalogTab) applyFilter() {
	if t.index == nil {
		return
	}
	f := t.filter
	f.Text = t.search.Text
	f.MinPrice, f.MaxPrice = parsePrice(t.minPrice.Text), parsePrice(t.maxPrice.Text)
	t.visible = t.index.filter(f, t.visible)
	total := len(t.index.rows)
	switch {
	case total == 0:
		t.msg.show(tr.L("The catalog on the server is empty."), "", nil)
	case len(t.visible) == 0:
		t.msg.show(tr.L("No service matches your search and filters."), "", nil)
	default:
		t.msg.root.Hide()
	}
	count := fmt.Sprintf(tr.L("%s of %s"), groupDigits(int64(len(t.visible))), groupDigits(int64(total)))
	if t.skipped.Rows > 0 {
		count += " · " + fmt.Sprintf(tr.L("%s rows of the answer could not be read and are left out"), groupDigits(int64(t.skipped.Rows)))
	}
	t.count.SetText(count)
	t.showWider(f)
	t.list.UnselectAll()
	t.list.Refresh()
	// The detail pane follows the list: a service filtered out is no longer shown.
	if t.detail.has && !slices.ContainsFunc(t.visible, func(i int32) bool { return t.index.rows[i].Service == t.detail.svc.Service }) {
		t.detail.clear()
	}
}

// showWider says how many more services match the search outside the selected category, with
// one click to search them all. UI goroutine only.
func (t *catalogTab) showWider(f catalogFilter) {
	if (f.Category == "" && f.Subcategory == "") || strings.TrimSpace(f.Text) == "" {
		t.wider.Hide()
		return
	}
	f.Category, f.Subcategory = "", ""
	t.everywhere = t.index.filter(f, t.everywhere)
	more := len(t.everywhere) - len(t.visible)
	if more <= 0 {
		t.wider.Hide()
		return
	}
	t.wider.SetText(fmt.Sprintf(tr.L("%s more in all categories"), groupDigits(int64(more))))
	t.wider.Show()
}

func parsePrice(s string) *client.Decimal {
	s = tr.ParseAmount(s) // 1,5 is 1.5
	if s == "" {
		return nil
	}
	d, err := client.ParseDecimal(s)
	if err != nil || d.IsNegative() {
		return nil
	}
	return &d
}

func (t *catalogTab) toggleFavourite(service int64) {
	if t.favs[service] {
		delete(t.favs, service)
	} else {
		t.favs[service] = true
	}
	ids := make([]int, 0, len(t.favs))
	for id := range t.favs {
		ids = append(ids, int(id))
	}
	t.ui.app.Preferences().SetIntList(favouritesPref, ids)
	if t.filter.FavOnly {
		t.applyFilter()
	} else {
		t.list.Refresh()
	}
}

// The category tree: "" is the root; "*" is every row; "c\x00Cat" a category; "s\x00Cat\x00Sub"
// a subcategory.
const allRowsID = "*"

func (t *catalogTab) buildTree() {
	t.treeItems = map[string][]string{"": {allRowsID}}
	for _, c := range t.index.cats {
		cid := "c\x00" + c.Name
		t.treeItems[""] = append(t.treeItems[""], cid)
		for _, sc := range c.Subs {
			t.treeItems[cid] = append(t.treeItems[cid], "s\x00"+c.Name+"\x00"+sc.Name)
		}
	}
	t.tree.Refresh()
}

func (t *catalogTab) treeChildren(id widget.TreeNodeID) []widget.TreeNodeID { return t.treeItems[id] }

func (t *catalogTab) treeIsBranch(id widget.TreeNodeID) bool { return len(t.treeItems[id]) > 0 }

func (t *catalogTab) treeLabel(id widget.TreeNodeID) string {
	if t.index == nil {
		return ""
	}
	if id == allRowsID {
		all := 0
		for _, c := range t.index.cats {
			all += c.of(t.filter.Kind)
		}
		return fmt.Sprintf(tr.L("All (%s)"), groupDigits(int64(all)))
	}
	cat, sub := splitTreeID(id)
	for _, c := range t.index.cats {
		if c.Name != cat {
			continue
		}
		if sub == "" {
			return fmt.Sprintf("%s (%s)", short(c.Name, maxName), groupDigits(int64(c.of(t.filter.Kind))))
		}
		for _, sc := range c.Subs {
			if sc.Name == sub {
				return fmt.Sprintf("%s (%s)", short(sc.Name, maxName), groupDigits(int64(sc.of(t.filter.Kind))))
			}
		}
	}
	return ""
}

func splitTreeID(id string) (cat, sub string) {
	parts := strings.Split(id, "\x00")
	switch {
	case len(parts) == 2 && parts[0] == "c":
		return parts[1], ""
	case len(parts) == 3 && parts[0] == "s":
		return parts[1], parts[2]
	}
	return "", ""
}

// priceText is the rate with its unit: SMM rates are per 1000, product rates per unit.
// priceUnit is what a service's rate is the price of, said after an amount: 1000 units, or one.
func priceUnit(s client.Service) string {
	if s.IsProduct() {
		return tr.L("each")
	}
	return tr.L("per 1000")
}

func priceText(s client.Service) string {
	if !s.PriceKnown() {
		return tr.L("price unknown")
	}
	if s.IsProduct() {
		return fmt.Sprintf(tr.L("%s each"), money(s.Rate))
	}
	return fmt.Sprintf(tr.L("%s / 1000"), money(s.Rate))
}

// A service row: a favourite star, then the name over its number, category and badges, then
// the price over the stock.
func newServiceRow() fyne.CanvasObject {
	star := widget.NewButton("☆", nil)
	star.Importance = widget.LowImportance
	name := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	name.Truncation = fyne.TextTruncateEllipsis
	meta := widget.NewLabel("")
	meta.Truncation = fyne.TextTruncateEllipsis
	meta.SizeName = theme.SizeNameCaptionText
	price := widget.NewLabelWithStyle("", fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	stock := widget.NewLabelWithStyle("", fyne.TextAlignTrailing, fyne.TextStyle{})
	stock.SizeName = theme.SizeNameCaptionText
	return newColumns(serviceColumns, star, tightVBox(name, meta), tightVBox(price, stock))
}

// Widths of the row columns: star, text (takes the rest), price and stock (as wide as they
// need, at most 170: at 800 px a name keeps every pixel the figures leave).
var serviceColumns = []float32{40, 0, -170}

// setServiceRow shows s in a row; toggleFav (nil: no star) is called with s's number.
func setServiceRow(o fyne.CanvasObject, s client.Service, fav bool, toggleFav func(int64)) {
	cols := o.(*fyne.Container).Objects
	star := cols[0].(*widget.Button)
	if toggleFav == nil {
		star.Hide()
	} else {
		star.Show()
		star.SetText(map[bool]string{true: "★", false: "☆"}[fav])
		star.OnTapped = func() { toggleFav(s.Service) }
	}
	text := cols[1].(*fyne.Container).Objects
	text[0].(*widget.Label).SetText(short(s.Name, maxName))
	meta := append([]string{"#" + strconv.FormatInt(s.Service, 10), categoryPath(s)}, badges(s)...)
	text[1].(*widget.Label).SetText(short(strings.Join(nonEmpty(meta), " · "), maxLine))
	right := cols[2].(*fyne.Container).Objects
	right[0].(*widget.Label).SetText(priceText(s))
	stock := right[1].(*widget.Label)
	stock.SetText(stockText(s.Stock))
	if s.Stock <= 0 {
		stock.Importance = widget.DangerImportance
	} else {
		stock.Importance = widget.MediumImportance
	}
	stock.Refresh()
}

func diffSize(d *account.ServiceDiff) int {
	if d == nil {
		return 0
	}
	return len(d.Added) + len(d.Removed) + len(d.PriceUp) + len(d.PriceDown) + len(d.BackInStock) + len(d.SoldOut)
}

// changesText lists what changed between the last two catalog syncs, most useful first.
func changesText(d *account.ServiceDiff) string {
	var b strings.Builder
	section := func(title string, n int, line func(i int) string) {
		if n == 0 {
			return
		}
		fmt.Fprintf(&b, "%s (%d)\n", title, n)
		for i := range min(n, 50) {
			b.WriteString("  • " + line(i) + "\n")
		}
		if n > 50 {
			fmt.Fprintf(&b, tr.L("  … and %d more")+"\n", n-50)
		}
		b.WriteString("\n")
	}
	num := func(s client.Service) string {
		return "#" + strconv.FormatInt(s.Service, 10) + " " + short(s.Name, maxName)
	}
	section(tr.L("Back in stock"), len(d.BackInStock), func(i int) string {
		c := d.BackInStock[i]
		return fmt.Sprintf("%s — %s", num(c.New), stockText(c.New.Stock))
	})
	section(tr.L("Price down"), len(d.PriceDown), func(i int) string {
		c := d.PriceDown[i]
		return fmt.Sprintf("%s — %s → %s", num(c.New), c.Old.Rate, c.New.Rate)
	})
	section(tr.L("New"), len(d.Added), func(i int) string { return num(d.Added[i]) + " — " + priceText(d.Added[i]) })
	section(tr.L("Price up"), len(d.PriceUp), func(i int) string {
		c := d.PriceUp[i]
		return fmt.Sprintf("%s — %s → %s", num(c.New), c.Old.Rate, c.New.Rate)
	})
	section(tr.L("Sold out"), len(d.SoldOut), func(i int) string { return num(d.SoldOut[i].New) })
	section(tr.L("Removed"), len(d.Removed), func(i int) string { return num(d.Removed[i]) })
	return strings.TrimSpace(b.String())
}

// showChanges opens the list of what changed since the sync before the last. UI goroutine.
func (t *catalogTab) showChanges() {
	if t.diff == nil {
		return
	}
	text := widget.NewLabel(changesText(t.diff))
	text.Wrapping = fyne.TextWrapWord
	title := fmt.Sprintf(tr.L("What changed between %s and %s"), formatWhen(t.diff.From.FetchedAt), formatWhen(t.diff.To.FetchedAt))
	d := dialog.NewCustom(title, tr.L("Close"), container.NewVScroll(text), t.ui.win)
	d.Resize(fyne.NewSize(620, 480))
	showDialog(d, t.ui.win)
}
