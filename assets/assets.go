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

// Translations holds one JSON file per language, for lang.AddTranslationsFS.
//
//go:embed translations
var Translations embed.FS

// Icon is the application icon (PNG, 512×512).
var Icon = fyne.NewStaticResource("icon.png", iconPNG)

// IconSVG is the scalable source of the icon.
var IconSVG = fyne.NewStaticResource("icon.svg", iconSVG)
