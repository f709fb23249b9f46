// Package assets holds the files the app embeds: its icon and its translations.
package assets

import (
	"embed"

	"fyne.io/fyne/v2"
)

//go:embed icon.png
var iconPNG []byte

//go:embed icon.svg
var iconSVG []byte

// Translations holds one JSON file per language (internal/tr), and in translations/fyne the
// words of Fyne's own widgets in each language. fyne/{en,de,es,fr,pt_BR,ru,zh_Hans}.json are
// Fyne's (lang/translations/base.*.json of fyne.io/fyne/v2 v2.7.1, Copyright (C) 2018 Fyne.io
// developers, BSD 3-Clause License), French and Brazilian Portuguese completed with the day
// names; ja and ko are ours.
//
//go:embed translations
var Translations embed.FS

// Icon is the application icon (PNG, 512×512).
var Icon = fyne.NewStaticResource("icon.png", iconPNG)

// IconSVG is the scalable source of the icon.
var IconSVG = fyne.NewStaticResource("icon.svg", iconSVG)
