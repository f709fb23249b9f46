package account

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/hstockplus/hstockplus/client"
)

// compactRows keeps every value and shares what rows repeat.
func TestCompactRowsKeepsValues(t *testing.T) {
	rows := []client.Service{
		{ID: "a1", Service: 1, Name: "One", Type: "Default", Category: "Instagram", Subcategory: "Likes", Description: "same", Rate: client.MustDecimal("1.50")},
		{ID: "b2", Service: 2, Name: "Two", Type: "Default", Category: strings.Clone("Instagram"), Subcategory: "", Description: strings.Clone("same"), EntityType: "product"},
		{Service: 3, Name: "", Category: "TikTok"},
	}
	want := slices.Clone(rows)
	compactRows(rows)
	for i := range rows {
		if !reflect.DeepEqual(rows[i], want[i]) {
			t.Fatalf("row %d: %+v, want %+v", i, rows[i], want[i])
		}
	}
	if unsafe.StringData(rows[0].Description) != unsafe.StringData(rows[1].Description) ||
		unsafe.StringData(rows[0].Category) != unsafe.StringData(rows[1].Category) {
		t.Fatal("repeated texts are not shared")
	}
}
