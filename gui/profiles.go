package gui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/hstockplus/hstockplus/account"
	"github.com/hstockplus/hstockplus/client"
	"github.com/hstockplus/hstockplus/internal/tr"
)

// ProfileEntry is one profile as the window lists it.
type ProfileEntry struct {
	ID, Name string
	Balance  *client.Balance // nil: not known yet
	Active   bool
}

// Profiles are the accounts the app keeps (main implements it): the window switches between
// them from its header or the tray, and adds, renames and removes them.
type Profiles interface {
	// Entries lists the profiles, the one shown marked Active. UI goroutine; it does not block.
	Entries() []ProfileEntry
	// Switch shows profile id: the window is rebuilt on it (this UI is done). UI goroutine.
	Switch(id string)
	// Add keeps a new profile with its API key and starts following it; it returns its id.
	// Off the UI goroutine (the keyring, the store).
	Add(name, endpoint, key string) (id string, err error)
	// Rename renames profile id. UI goroutine.
	Rename(id, name string) error
	// Remove takes profile id off the list: its data is kept aside, or deleted with deleteData.
	// Off the UI goroutine.
	Remove(id string, deleteData bool) error
}

// featureService is a service layer that knows what its panel offers (*account.Service).
type featureService interface {
	Supports(f account.Feature) bool
	ProbeFeatures(ctx context.Context) bool
}

// applyFeatures hides the tabs of what the profile's panel does not offer. UI goroutine only.
func (u *UI) applyFeatures() {
	f, ok := u.deps.Account.(featureService)
	if !ok {
		return
	}
	for feat, item := range map[account.Feature]*container.TabItem{account.FeatureShops: u.shops.item, account.FeatureSMS: u.sms.item} {
		if !f.Supports(feat) {
			u.tabs.Remove(item)
		}
	}
	// Removing the selected tab shows the one that takes its place without OnSelected.
	u.attach(u.tabs.Selected())
}

// probeFeatures asks the panel once what it offers, then hides what it lacks.
func (u *UI) probeFeatures() {
	f, ok := u.deps.Account.(featureService)
	if !ok {
		return
	}
	u.applyFeatures()
	u.background(func(ctx context.Context) {
		if f.ProbeFeatures(ctx) {
			fyne.Do(u.applyFeatures)
		}
	})
}

// supports reports whether the profile's panel offers feat (true when unknown).
func (u *UI) supports(feat account.Feature) bool {
	f, ok := u.deps.Account.(featureService)
	return !ok || f.Supports(feat)
}

// profileBar is the header's profile selector, nil without profiles. UI goroutine only.
func (u *UI) profileBar() fyne.CanvasObject {
	p := u.deps.Profiles
	if p == nil {
		return nil
	}
	entries := p.Entries()
	names := make([]string, len(entries))
	active := ""
	for i, e := range entries {
		names[i] = e.Name
		if e.Active {
			active = e.Name
		}
	}
	sel := widget.NewSelect(names, nil)
	sel.SetSelected(active)
	sel.OnChanged = func(name string) {
		for _, e := range p.Entries() {
			if e.Name == name && !e.Active {
				p.Switch(e.ID)
				return
			}
		}
	}
	manage := widget.NewButtonWithIcon(tr.L("Profiles…"), theme.AccountIcon(), u.showProfiles)
	return container.NewHBox(layout.NewSpacer(), widget.NewLabel(tr.L("Profile")), sel, manage)
}

// trayProfiles are the tray's profile entries with their balance; a click shows that profile.
// None with a single profile. UI goroutine only.
func (u *UI) trayProfiles() []*fyne.MenuItem {
	if u.deps.Profiles == nil {
		return nil
	}
	entries := u.deps.Profiles.Entries()
	if len(entries) < 2 {
		return nil
	}
	items := []*fyne.MenuItem{fyne.NewMenuItemSeparator()}
	for _, e := range entries {
		label := short(e.Name, maxShort)
		if e.Balance != nil {
			label += " · " + money(e.Balance.Balance) + " " + short(e.Balance.Currency, maxCurrency)
		}
		it := fyne.NewMenuItem(label, func() {
			u.openTab(nil)
			if !e.Active {
				u.deps.Profiles.Switch(e.ID)
			}
		})
		it.Checked = e.Active
		items = append(items, it)
	}
	return items
}

// showProfiles is the Profiles dialog: each profile with Rename and Remove, and Add profile.
// UI goroutine only.
func (u *UI) showProfiles() {
	p := u.deps.Profiles
	if p == nil {
		return
	}
	var d dialog.Dialog
	rows := container.NewVBox()
	for _, e := range p.Entries() {
		name := widget.NewLabel(e.Name)
		if e.Active {
			name.TextStyle.Bold = true
		}
		rename := widget.NewButtonWithIcon(tr.L("Rename…"), theme.DocumentCreateIcon(), func() {
			d.Hide()
			u.renameProfile(e)
		})
		remove := widget.NewButtonWithIcon(tr.L("Remove…"), theme.DeleteIcon(), func() {
			d.Hide()
			u.removeProfile(e)
		})
		rows.Add(container.NewBorder(nil, nil, nil, container.NewHBox(rename, remove), name))
	}
	add := widget.NewButtonWithIcon(tr.L("Add profile…"), theme.ContentAddIcon(), func() {
		d.Hide()
		u.addProfile()
	})
	hint := widget.NewLabel(tr.L("Each profile is an account on HstockPlus or on another SMM panel, with its own orders and balance. All of them are followed at once."))
	hint.Wrapping = fyne.TextWrapWord
	content := container.NewVBox(hint, widget.NewSeparator(), rows, widget.NewSeparator(), container.NewHBox(add))
	d = dialog.NewCustom(tr.L("Profiles"), tr.L("Close"), content, u.win)
	d.Resize(fyne.NewSize(560, 0))
	showDialog(d, u.win)
}

// addProfile asks for a name, an endpoint and an API key, keeps the profile and shows it.
func (u *UI) addProfile() {
	name := newEscEntry(u.win)
	name.SetPlaceHolder(tr.L("e.g. Second account"))
	conn := newConnectionForm(u, client.DefaultEndpoint, tr.L("Paste the API key"))
	errLabel := widget.NewLabel("")
	errLabel.Importance = widget.DangerImportance
	errLabel.Wrapping = fyne.TextWrapWord
	errLabel.Hide()
	form := widget.NewForm(
		widget.NewFormItem(tr.L("Name"), name),
		&widget.FormItem{Text: tr.L("API endpoint"), Widget: conn.endpoint, HintText: tr.L("Another SMM panel's API v2 address works too.")},
		widget.NewFormItem(tr.L("API key"), conn.key),
	)
	var d dialog.Dialog
	fail := func(msg string) {
		errLabel.SetText(msg)
		errLabel.Show()
	}
	save := widget.NewButtonWithIcon(tr.L("Add"), theme.ConfirmIcon(), nil)
	save.Importance = widget.HighImportance
	save.OnTapped = func() {
		endpoint, key, err := conn.values()
		switch {
		case err != nil:
			fail(err.Error())
			return
		case strings.TrimSpace(name.Text) == "":
			fail(tr.L("Give the profile a name."))
			return
		case key == "":
			fail(tr.L("Paste the profile's API key."))
			return
		}
		save.Disable()
		n := strings.TrimSpace(name.Text)
		// Without an OS keyring the secrets file is sealed under a passphrase: chosen first.
		u.choosePassphraseThen(func(err error) {
			if err != nil {
				save.Enable()
				if !errors.Is(err, errPassphraseCancelled) {
					fail(describeError(err))
				}
				return
			}
			u.async(func() {
				id, err := u.deps.Profiles.Add(n, endpoint, key)
				fyne.Do(func() {
					save.Enable()
					if err != nil {
						fail(profileError(err))
						return
					}
					d.Hide()
					u.deps.Profiles.Switch(id)
				})
			})
		})
	}
	content := container.NewVBox(form, conn.row(), errLabel)
	cd := dialog.NewCustomWithoutButtons(tr.L("Add profile"), content, u.win)
	cd.SetButtons([]fyne.CanvasObject{widget.NewButton(tr.L("Cancel"), func() { cd.Hide() }), save})
	d = cd
	d.Resize(fyne.NewSize(560, 0))
	showDialog(d, u.win)
	u.win.Canvas().Focus(name)
}

// renameProfile asks for a new name of e.
func (u *UI) renameProfile(e ProfileEntry) {
	name := newEscEntry(u.win)
	name.SetText(e.Name)
	d := dialog.NewForm(tr.L("Rename profile"), tr.L("Rename"), tr.L("Cancel"),
		[]*widget.FormItem{widget.NewFormItem(tr.L("Name"), name)}, func(ok bool) {
			if !ok {
				return
			}
			if err := u.deps.Profiles.Rename(e.ID, name.Text); err != nil {
				showError(errors.New(profileError(err)), u.win)
			}
		}, u.win)
	d.Resize(fyne.NewSize(420, 0))
	showDialog(d, u.win)
}

// removeProfile asks before removing e; its data is kept aside unless the user asks otherwise.
func (u *UI) removeProfile(e ProfileEntry) {
	del := widget.NewCheck(tr.L("Also delete its orders, deliveries and saved key"), nil)
	msg := widget.NewLabel(fmt.Sprintf(tr.L("Remove the profile “%s”? Its data is kept aside in the data folder, unless you delete it."), e.Name))
	msg.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm(tr.L("Remove profile"), tr.L("Remove"), tr.L("Cancel"), container.NewVBox(msg, del), func(ok bool) {
		if !ok {
			return
		}
		deleteData := del.Checked
		u.async(func() {
			if err := u.deps.Profiles.Remove(e.ID, deleteData); err != nil {
				fyne.Do(func() { showError(errors.New(profileError(err)), u.win) })
			}
		})
	}, u.win)
	d.Resize(fyne.NewSize(480, 0))
	showDialog(d, u.win)
}

// Errors of Profiles that the window words itself.
var (
	ErrProfileName = errors.New("profile name")
	ErrLastProfile = errors.New("last profile")
	ErrKeyNotSaved = errors.New("the API key could not be saved")
)

func profileError(err error) string {
	switch {
	case errors.Is(err, ErrProfileName):
		return tr.L("Another profile has this name, or it is empty.")
	case errors.Is(err, ErrLastProfile):
		return tr.L("The last profile cannot be removed.")
	case errors.Is(err, ErrKeyNotSaved):
		return fmt.Sprintf(tr.L("The API key could not be saved on this computer: %s"), short(err.Error(), maxLine))
	}
	return describeError(err)
}

// ShowError shows err over the window. UI goroutine.
func (u *UI) ShowError(err error) { showError(err, u.win) }

// ShowProfileError says that profile name could not be opened, and why. UI goroutine.
func (u *UI) ShowProfileError(name string, err error) {
	showError(errors.New(fmt.Sprintf(tr.L("The profile %s could not be opened: %s"), short(name, maxShort), profileError(err))), u.win)
}
