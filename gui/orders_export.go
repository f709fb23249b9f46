package gui

import (
	"fmt"
	"io"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"github.com/hstockplus/hstockplus/account"
	"github.com/hstockplus/hstockplus/internal/tr"
)

// The export formats are the service layer's (account.ExportTXT, account.ExportCSV); this file
// is the dialog that asks what to export and where.

// writeExport writes data to w and closes it; the first error wins.
func writeExport(w io.WriteCloser, data []byte) error {
	_, err := w.Write(data)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	return err
}

// showExport asks what to export (all or the ticked accounts; .txt or .csv), then where. UI
// goroutine only.
func (d *orderDetail) showExport() {
	if d.row.order == nil || len(d.accounts) == 0 {
		return
	}
	order, all, chosen := d.row.order.ID, d.accounts, d.chosenAccounts()
	optAll := fmt.Sprintf(tr.N("All %d accounts", len(all)), len(all))
	optSel := fmt.Sprintf(tr.L("The %d ticked"), len(chosen))
	scopes := []string{optAll}
	if len(chosen) > 0 {
		scopes = append(scopes, optSel)
	}
	scope := widget.NewRadioGroup(scopes, nil)
	scope.Required = true
	scope.SetSelected(scopes[len(scopes)-1])
	optTXT := tr.L("Text (.txt): one account per line")
	optCSV := tr.L("CSV (.csv): columns order, account")
	format := widget.NewRadioGroup([]string{optTXT, optCSV}, nil)
	format.Required = true
	format.SetSelected(optTXT)
	warn := widget.NewLabel(tr.L("The file holds the passwords: keep it private."))
	warn.Importance = widget.WarningImportance
	warn.Wrapping = fyne.TextWrapWord
	content := container.NewVBox(scope, widget.NewSeparator(), format, warn)
	dlg := dialog.NewCustomConfirm(tr.L("Export accounts"), tr.L("Save…"), tr.L("Cancel"), content, func(ok bool) {
		if !ok {
			return
		}
		accounts := all
		if scope.Selected == optSel {
			accounts = chosen
		}
		d.saveExport(order, accounts, format.Selected == optCSV)
	}, d.t.ui.win)
	dlg.Resize(fyne.NewSize(420, 0))
	showDialog(dlg, d.t.ui.win)
}

// exportPath is where an export went: the file's full path, else its URI.
func exportPath(u fyne.URI) string {
	if u.Scheme() == "file" && u.Path() != "" {
		return u.Path()
	}
	return u.String()
}

// saveExport asks for a file and writes the export there. UI goroutine only.
func (d *orderDetail) saveExport(order int64, accounts []string, asCSV bool) {
	data, ext := account.ExportTXT(accounts), ".txt"
	if asCSV {
		data, ext = account.ExportCSV(order, accounts), ".csv"
	}
	win := d.t.ui.win
	fd := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			showError(err, win)
			return
		}
		if w == nil {
			return // cancelled
		}
		name := exportPath(w.URI())
		if err := writeExport(w, data); err != nil {
			showError(fmt.Errorf(tr.L("could not save %s: %w"), name, err), win)
			return
		}
		if d.has && d.row.order != nil && d.row.order.ID == order {
			d.setNote(fmt.Sprintf(tr.N("Saved %d accounts to %s.", len(accounts)), len(accounts), name), widget.SuccessImportance)
		}
	}, win)
	fd.SetFileName(fmt.Sprintf("hstockplus-order-%d-accounts%s", order, ext))
	fd.SetFilter(storage.NewExtensionFileFilter([]string{ext}))
	fd.Resize(fyne.NewSize(800, 560))
	showDialog(fd, win)
}
