package provider

import (
	"testing"
	"time"
)

func TestAPICommentEmptyReadsAsNull(t *testing.T) {
	empty, note := "", "note"
	if !apiComment(nil).IsNull() || !apiComment(&empty).IsNull() {
		t.Error("a missing or empty comment must read as null, as configurations write it")
	}
	if got := apiComment(&note); got.ValueString() != "note" {
		t.Errorf("apiComment(note) = %v", got)
	}
}

func TestAPITimeZeroIsNull(t *testing.T) {
	if !apiTime(time.Time{}).IsNull() {
		t.Error("a timestamp the API left out must be null, not year 1")
	}
	at := time.Date(2026, 9, 21, 18, 56, 32, 624632000, time.FixedZone("x", 3600))
	if got := apiTime(at).ValueString(); got != "2026-09-21T17:56:32.624632Z" {
		t.Errorf("apiTime = %s", got)
	}
}
