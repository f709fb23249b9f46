package gui

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hstockplus/hstockplus/cache"
	"github.com/hstockplus/hstockplus/client"
)

// catalogTab lists every service and product in a virtualised list, with a quick search.
type catalogTab struct {
	ui   *UI
	item *container.TabItem

	index   *catalogIndex // as loaded; only touched on the UI goroutine
	synced  time.Time     // when index was fetched from HstockPlus
	visible []int32       // rows of index after the search and filters, in display order

	search   *widget.Entry
	list     *widget.List
	count    *widget.Label
	progress *widget.ProgressBarInfinite
	refresh  *widget.Button
	msg      *messageBox
}

func newCatalogTab(u *UI) *catalogTab {
	t := &catalogTab{ui: u, count: widget.NewLabel(""), progress: widget.NewProgressBarInfinite(), msg: newMessageBox()}
	t.progress.Hide()
	t.search = widget.NewEntry()
	t.search.SetPlaceHolder(lang.L("Search services and products"))
	t.search.OnChanged = func(string) { t.applyFilter() }
	t.refresh = widget.NewButtonWithIcon(lang.L("Refresh"), theme.ViewRefreshIcon(), func() {
		u.background(t.load)
	})
	t.list = widget.NewList(
		func() int { return len(t.visible) },
		newServiceRow,
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(t.visible) {
				setServiceRow(o, t.index.rows[t.visible[id]])
			}
		},
	)
	t.msg.show(lang.L("Loading the catalog…"), "", nil)
	top := container.NewBorder(nil, nil, nil, container.NewHBox(t.count, t.refresh), t.search)
	body := container.NewStack(t.list, t.msg.root)
	t.item = container.NewTabItemWithIcon(lang.L("Catalog"), theme.GridIcon(), container.NewBorder(container.NewVBox(top, t.progress), nil, nil, nil, body))
	return t
}

// loadSnapshot shows the catalog saved by the last run, at once, before any network call.
// It runs off the UI goroutine.
func (t *catalogTab) loadSnapshot() {
	st := t.ui.deps.Store
	if st == nil {
		return
	}
	rows, info, err := st.Services(t.ui.lang())
	if err != nil {
		if !errors.Is(err, cache.ErrNoSnapshot) {
			t.ui.deps.Logf("catalog: saved copy unreadable: %v", err)
		}
		return
	}
	index := buildCatalogIndex(rows)
	t.ui.deps.Logf("catalog: showing %d saved rows from %s", len(rows), info.FetchedAt.Format(time.RFC3339))
	fyne.Do(func() {
		if t.index != nil { // a download finished first
			return
		}
		t.index, t.synced = index, info.FetchedAt
		t.applyFilter()
		t.ui.status.setSynced(info.FetchedAt)
	})
}

// load downloads the whole catalog off the UI goroutine, then swaps it in with fyne.Do. The old
// list stays usable while it runs; an error keeps it and says why.
func (t *catalogTab) load(ctx context.Context) {
	fyne.Do(func() {
		t.refresh.Disable()
		t.progress.Show()
		t.progress.Start()
	})
	now := time.Now()
	rows, err := t.ui.deps.API.AllServices(ctx, client.ServicesParams{}, 0, nil)
	var index *catalogIndex
	if err == nil {
		index = buildCatalogIndex(rows) // off the UI goroutine: it folds and sorts every row
		t.ui.deps.Logf("catalog: loaded %d rows", len(rows))
		if st := t.ui.deps.Store; st != nil {
			if _, err := st.SaveServices(t.ui.lang(), now, rows); err != nil {
				t.ui.deps.Logf("catalog: not saved for offline use: %v", err)
			}
		}
	} else {
		t.ui.deps.Logf("catalog: %v", err)
	}
	fyne.Do(func() {
		t.progress.Stop()
		t.progress.Hide()
		t.refresh.Enable()
		if err != nil {
			if t.index == nil {
				t.msg.show(fmt.Sprintf(lang.L("Could not load the catalog: %s"), describeError(err)), lang.L("Try again"), func() {
					t.msg.show(lang.L("Loading the catalog…"), "", nil)
					t.ui.background(t.load)
				})
			} else if isOffline(err) {
				t.ui.setOffline(true, fmt.Sprintf(lang.L("Offline — catalog from %s. %s"), formatWhen(t.synced), describeError(err)))
			} else {
				t.count.SetText(fmt.Sprintf(lang.L("%d rows — refresh failed: %s"), len(t.index.rows), describeError(err)))
			}
			return
		}
		t.index, t.synced = index, now
		t.applyFilter()
		t.ui.setOffline(false, "")
		t.ui.status.setSynced(now)
	})
}

// applyFilter recomputes the visible rows from the search text. UI goroutine only; a keystroke
// over 100,000 rows costs a few milliseconds (BenchmarkCatalogKeystroke100k).
func (t *catalogTab) applyFilter() {
	t.visible = t.index.filter(catalogFilter{Text: t.search.Text}, t.visible)
	total := 0
	if t.index != nil {
		total = len(t.index.rows)
	}
	switch {
	case t.index == nil:
		return
	case total == 0:
		t.msg.show(lang.L("The catalog on the server is empty."), "", nil)
	case len(t.visible) == 0:
		t.msg.show(lang.L("No service matches your search."), "", nil)
	default:
		t.msg.root.Hide()
	}
	t.count.SetText(fmt.Sprintf(lang.L("%d of %d"), len(t.visible), total))
	t.list.UnselectAll()
	t.list.Refresh()
}

// priceText is the rate with its unit: SMM rates are per 1000, product rates per unit.
func priceText(s client.Service) string {
	if s.IsProduct() {
		return fmt.Sprintf(lang.L("%s each"), s.Rate)
	}
	return fmt.Sprintf(lang.L("%s / 1000"), s.Rate)
}

// Widths of the catalog columns: number, name (takes the rest), category, price, stock.
var serviceColumns = []float32{80, 0, 230, 150, 150}

func newServiceRow() fyne.CanvasObject {
	num := widget.NewLabel("")
	name := widget.NewLabel("")
	name.Truncation = fyne.TextTruncateEllipsis
	cat := widget.NewLabel("")
	cat.Truncation = fyne.TextTruncateEllipsis
	price := widget.NewLabelWithStyle("", fyne.TextAlignTrailing, fyne.TextStyle{})
	stock := widget.NewLabelWithStyle("", fyne.TextAlignTrailing, fyne.TextStyle{})
	return newColumns(serviceColumns, num, name, cat, price, stock)
}

func setServiceRow(o fyne.CanvasObject, s client.Service) {
	cols := o.(*fyne.Container).Objects
	cols[0].(*widget.Label).SetText("#" + strconv.FormatInt(s.Service, 10))
	cols[1].(*widget.Label).SetText(s.Name)
	cat := s.Category
	if s.Subcategory != "" {
		cat += " › " + s.Subcategory
	}
	cols[2].(*widget.Label).SetText(cat)
	cols[3].(*widget.Label).SetText(priceText(s))
	stock := cols[4].(*widget.Label)
	if s.Stock <= 0 {
		stock.SetText(lang.L("out of stock"))
		stock.Importance = widget.DangerImportance
	} else {
		stock.SetText(fmt.Sprintf(lang.L("%s in stock"), groupDigits(s.Stock)))
		stock.Importance = widget.MediumImportance
	}
	stock.Refresh()
}
