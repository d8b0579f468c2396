package provider

// Plan-time rules shared by several types: ids, names, comments, values and durations. The
// scope rule is in scopes.go; the value-source rules are the secret resource's own
// (ValidateConfig and ModifyPlan).

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"time"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
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

// stringRule is a plan-time rule for a known string: its description (shown in the docs and in
// some messages) and a check that reports what is wrong with a value at path p.
type stringRule struct {
	description string
	check       func(p path.Path, value string, diags *diag.Diagnostics)
}

func (r stringRule) Description(context.Context) string         { return r.description }
func (r stringRule) MarkdownDescription(context.Context) string { return r.description }

func (r stringRule) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	r.check(req.Path, req.ConfigValue.ValueString(), &resp.Diagnostics)
}

// commentValidator refuses an empty comment (omit the attribute for none) and one longer than
// the API accepts. The secret resource and the duplicate actions use it.
func commentValidator() validator.String {
	return stringRule{"1 to 1,024 characters; omit the attribute for no comment", func(p path.Path, v string, diags *diag.Diagnostics) {
		switch n := utf8.RuneCountInString(v); {
		case n == 0:
			diags.AddAttributeError(p, "Empty comment",
				"comment must not be empty: omit the comment attribute (or set it to null) for a secret without one.")
		case n > maxCommentChars:
			diags.AddAttributeError(p, "Comment too long",
				fmt.Sprintf("comment must be at most 1,024 characters, got %d.", n))
		}
	}}
}

// credentialValidator refuses a blank credential, or one with whitespace around it, at plan
// time (the environment's are checked when the provider is configured).
func credentialValidator() validator.String {
	return stringRule{"not blank, without leading or trailing whitespace", func(p path.Path, v string, diags *diag.Diagnostics) {
		if problem := credentialProblem(v); problem != "" {
			diags.AddAttributeError(p, "Invalid "+p.String(), p.String()+" "+problem+".")
		}
	}}
}

// baseURLValidator refuses at plan time a base_url Configure would refuse (see baseURLProblem),
// reading allow_insecure_http from the same provider block (or its environment variable).
func baseURLValidator() validator.String { return baseURLRule{} }

type baseURLRule struct{}

const baseURLDescription = "an absolute https:// URL (http:// only for loopback hosts, unless " +
	attrAllowInsecureHTTP + " is true), without credentials"

func (baseURLRule) Description(context.Context) string         { return baseURLDescription }
func (baseURLRule) MarkdownDescription(context.Context) string { return baseURLDescription }

func (baseURLRule) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	var allow types.Bool
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root(attrAllowInsecureHTTP), &allow)...)
	if allow.IsUnknown() {
		return // Configure reports it, and judges the URL once it is known
	}
	var ignored diag.Diagnostics // a bad environment value is Configure's to report
	if summary, detail := baseURLProblem(req.ConfigValue.ValueString(), insecureHTTPAllowed(allow, &ignored)); summary != "" {
		resp.Diagnostics.AddAttributeError(req.Path, summary, detail)
	}
}

// durationValidator accepts a positive Go duration such as "30s" or "2m".
func durationValidator() validator.String {
	const description = `must be a positive duration such as "30s" or "2m"`
	return stringRule{description, func(p path.Path, v string, diags *diag.Diagnostics) {
		if _, ok := positiveDuration(v); !ok {
			diags.AddAttributeError(p, "Invalid duration", fmt.Sprintf("%s %s, got %q.", p, description, v))
		}
	}}
}

// positiveDuration parses a Go duration and reports whether it is positive: the rule of
// durationValidator at plan time and of the provider's Configure.
func positiveDuration(s string) (time.Duration, bool) {
	d, err := time.ParseDuration(s)
	return d, err == nil && d > 0
}

// requestBudgetValidator refuses at plan time a max_requests_per_minute the provider's
// Configure would refuse (see requestBudget). The attribute is a number, not an integer, so
// that 2.5 gets this rule's message rather than the framework's conversion error.
func requestBudgetValidator() validator.Number { return requestBudgetRule{} }

type requestBudgetRule struct{}

func (requestBudgetRule) Description(context.Context) string {
	return "a whole number of at least 1"
}

func (r requestBudgetRule) MarkdownDescription(ctx context.Context) string { return r.Description(ctx) }

func (requestBudgetRule) ValidateNumber(_ context.Context, req validator.NumberRequest, resp *validator.NumberResponse) {
	if v := req.ConfigValue; !v.IsUnknown() {
		if _, problem := requestBudget(v); problem != "" {
			resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+attrMaxRPM, problem)
		}
	}
}

// requestBudget is max_requests_per_minute as the client takes it (0 when unset: no budget),
// or what is wrong with it.
func requestBudget(v types.Number) (int, string) {
	if v.IsNull() || v.IsUnknown() {
		return 0, ""
	}
	f := v.ValueBigFloat()
	if !f.IsInt() || f.Sign() < 1 {
		return 0, fmt.Sprintf("%s must be a whole number of at least 1 (the most requests the provider sends "+
			"in any 60 seconds), got %s. Remove the attribute for no limit.", attrMaxRPM, f.Text('g', -1))
	}
	n, _ := f.Int64() // beyond int64: as good as no limit
	return int(min(n, math.MaxInt32)), ""
}
