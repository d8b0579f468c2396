package provider

import (
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// How resources, data sources and list resources alike turn what the API returns into
// Terraform values.

// apiTime is a timestamp in RFC 3339; one the API left out is null, not year 1.
func apiTime(t time.Time) types.String {
	if t.IsZero() {
		return types.StringNull()
	}
	return types.StringValue(t.UTC().Format(time.RFC3339Nano))
}

// apiComment is a secret's comment. The API stores and returns "" as given, but a comment is
// 1 to 1,024 characters in configuration ("omit it for none"), so "" reads as null: an imported
// or generated configuration without a comment then plans clean.
func apiComment(c *string) types.String {
	if c == nil || *c == "" {
		return types.StringNull()
	}
	return types.StringValue(*c)
}

// apiScopes is a secret's scopes as a set of strings; none is an empty set, not null.
func apiScopes(scopes []string) types.Set {
	elems := make([]attr.Value, 0, len(scopes))
	for _, s := range scopes {
		elems = append(elems, types.StringValue(s))
	}
	return types.SetValueMust(types.StringType, elems)
}
