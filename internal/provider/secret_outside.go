package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
)

// The API never returns a secret's value, so a value replaced in the dashboard or by another
// tool cannot be seen. What the API does return is `modified`, which every applied write moves
// (api-behaviour.md; activation does not). After each of its own writes the provider remembers
// in private state the `modified` the API answered; a refresh that finds another one knows
// that someone else wrote the secret since.

// lastWriteKey is the private state key of the remembered write.
const lastWriteKey = "last_write"

// lastWrite is what private state holds: when the API says this provider last wrote the secret.
// Never a value.
type lastWrite struct {
	Modified time.Time `json:"modified"`
}

// privateState is the private state of a create, read or update response.
type privateState interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// rememberWrite records that this provider wrote s: the API answered with s.Modified. An answer
// without modified is not remembered (no later change could be told from ours).
func rememberWrite(ctx context.Context, p privateState, s *client.Secret) diag.Diagnostics {
	if s == nil || s.Modified.IsZero() {
		return nil
	}
	b, err := json.Marshal(lastWrite{Modified: s.Modified.UTC()})
	if err != nil {
		var diags diag.Diagnostics
		diags.AddError("Could not remember the write", err.Error())
		return diags
	}
	return p.SetKey(ctx, lastWriteKey, b)
}

// rememberedWrite is the provider's last write of the secret; ok is false when none is
// remembered (an import, a state moved from Cloudflare's provider, a state written before
// this provider version).
func rememberedWrite(ctx context.Context, p privateState) (w lastWrite, ok bool) {
	b, diags := p.GetKey(ctx, lastWriteKey)
	if diags.HasError() || len(b) == 0 || json.Unmarshal(b, &w) != nil || w.Modified.IsZero() {
		return lastWrite{}, false
	}
	return w, true
}

// writtenByOthers reports that the API's modified is not the one of the provider's last
// write: someone else wrote the secret since.
func (w lastWrite) writtenByOthers(s *client.Secret) bool {
	return !s.Modified.IsZero() && !s.Modified.Equal(w.Modified)
}

// warnChangedOutside names the secret written by someone else, and what to do about it.
func warnChangedOutside(diags *diag.Diagnostics, object string, w lastWrite, s *client.Secret, resend bool) {
	what := "To send the configured value again, change value_wo_version (or set " + attrResendValue +
		" = true: every later change outside Terraform is then overwritten at the next apply)."
	if resend {
		what = attrResendValue + " is set: if the configuration has a value, the plan sends it again."
	}
	diags.AddWarning("Secret changed outside Terraform",
		fmt.Sprintf("%s was changed outside Terraform at %s; Terraform last wrote it at %s. Its value may have "+
			"been replaced: the API never returns values, so the provider cannot tell whether the value, the "+
			"comment or the scopes changed (a changed comment or scope shows in the plan). %s To keep the new "+
			"value instead, set value_wo to it and change value_wo_version. The warning ends once Terraform "+
			"writes the secret again.",
			object, s.Modified.UTC().Format(time.RFC3339Nano), w.Modified.UTC().Format(time.RFC3339Nano), what))
}
