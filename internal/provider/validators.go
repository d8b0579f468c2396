package provider

// Plan-time rules shared by several types: ids, names, comments, values and durations. The
// scope rule is in scopes.go; the value-source rules are the secret resource's own
// (ValidateConfig and ModifyPlan).

import (
	"context"
	"fmt"
	"regexp"
	"time"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// The API's size limits for a secret.
const (
	maxValueBytes   = 65536
	maxCommentChars = 1024
)

// hexIDPattern is the API's identifier form: account, store and secret ids.
var hexIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

// hexIDValidator refuses anything but a 32-hex id at plan time.
func hexIDValidator() validator.String {
	return stringvalidator.RegexMatches(hexIDPattern, "must be 32 lowercase hexadecimal characters")
}

// objectNamePattern is the API's rule for store and secret names.
var objectNamePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,255}$`)

// objectNameValidator refuses at plan time a name the API would refuse, naming the rule.
func objectNameValidator() validator.String {
	return stringvalidator.RegexMatches(objectNamePattern,
		"must be 1 to 255 characters, each a letter (A-Z, a-z), a digit, '_' or '-' (no spaces)")
}

// valueLengthValidator is the API's size rule for a secret value.
func valueLengthValidator() validator.String {
	return stringvalidator.LengthBetween(1, maxValueBytes)
}

// commentValidator refuses an empty comment (omit the attribute for none) and one longer than
// the API accepts. The secret resource and the duplicate actions use it.
type commentValidator struct{}

func (commentValidator) Description(context.Context) string {
	return "1 to 1,024 characters; omit the attribute for no comment"
}

func (v commentValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (commentValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	switch n := utf8.RuneCountInString(req.ConfigValue.ValueString()); {
	case n == 0:
		resp.Diagnostics.AddAttributeError(req.Path, "Empty comment",
			"comment must not be empty: omit the comment attribute (or set it to null) for a secret without one.")
	case n > maxCommentChars:
		resp.Diagnostics.AddAttributeError(req.Path, "Comment too long",
			fmt.Sprintf("comment must be at most 1,024 characters, got %d.", n))
	}
}

// credentialValidator refuses a blank credential, or one with whitespace around it, at plan
// time (the environment's are checked when the provider is configured).
func credentialValidator() validator.String { return credentialText{} }

type credentialText struct{}

func (credentialText) Description(context.Context) string {
	return "not blank, without leading or trailing whitespace"
}

func (v credentialText) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (credentialText) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if problem := credentialProblem(req.ConfigValue.ValueString()); problem != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+req.Path.String(), req.Path.String()+" "+problem+".")
	}
}

// baseURLValidator refuses at plan time a base_url Configure would refuse (see baseURLProblem).
func baseURLValidator() validator.String { return baseURLText{} }

type baseURLText struct{}

func (baseURLText) Description(context.Context) string {
	return "an absolute https:// URL (http:// only for loopback hosts), without credentials"
}

func (v baseURLText) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (baseURLText) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if summary, detail := baseURLProblem(req.ConfigValue.ValueString()); summary != "" {
		resp.Diagnostics.AddAttributeError(req.Path, summary, detail)
	}
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
