package tr

import (
	"fyne.io/fyne/v2/lang"

	_ "github.com/hstockplus/hstockplus/internal/localeenv" // a C locale is no error to Fyne
)

// systemLocales is the system's language as Fyne reads it (environment on Linux and BSD, the
// user's preferred languages on Windows and macOS).
func systemLocales() []string { return []string{lang.SystemLocale().String()} }
