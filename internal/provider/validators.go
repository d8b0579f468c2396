package provider

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// hexIDPattern is the API's identifier form: account, store and secret ids.
var hexIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

// hexIDValidator refuses anything but a 32-hex id at plan time.
func hexIDValidator() validator.String {
	return stringvalidator.RegexMatches(hexIDPattern, "must be 32 lowercase hexadecimal characters")
}

// durationValidator accepts a positive Go duration such as "30s" or "2m".
func durationValidator() validator.String { return durationString{} }

type durationString struct{}

func (durationString) Description(context.Context) string {
	return `must be a positive duration such as "30s" or "2m"`
}

func (v durationString) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v durationString) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, ok := positiveDuration(req.ConfigValue.ValueString()); !ok {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid duration",
			fmt.Sprintf("%s %s, got %q.", req.Path, v.Description(ctx), req.ConfigValue.ValueString()))
	}
}

// positiveDuration parses a Go duration and reports whether it is positive: the rule of
// durationValidator at plan time and of the provider's Configure.
func positiveDuration(s string) (time.Duration, bool) {
	d, err := time.ParseDuration(s)
	return d, err == nil && d > 0
}
