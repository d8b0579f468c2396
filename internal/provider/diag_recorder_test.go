package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// Terraform prints the warnings a provider returns, but plugin-testing does not expose them:
// a recordingServer wraps the in-process provider and keeps them for assertions.

// fullProviderServer is everything the framework's server implements that Terraform may call, so a
// wrapper embedding it hides none of the optional RPCs.
type fullProviderServer interface {
	tfprotov6.ProviderServer
	tfprotov6.ListResourceServer
	tfprotov6.ActionServer
}

// recordingServer passes every call through, recording the diagnostics of refreshes
// (ReadResource), applies (ApplyResourceChange) and resource configuration validation
// (ValidateResourceConfig).
type recordingServer struct {
	fullProviderServer
	rec *diagRecorder
}

func (s recordingServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	resp, err := s.fullProviderServer.ReadResource(ctx, req)
	if resp != nil {
		s.rec.add(req.TypeName, resp.Diagnostics)
	}
	return resp, err
}

func (s recordingServer) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	resp, err := s.fullProviderServer.ApplyResourceChange(ctx, req)
	if resp != nil {
		s.rec.add(req.TypeName, resp.Diagnostics)
	}
	return resp, err
}

func (s recordingServer) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	resp, err := s.fullProviderServer.ValidateResourceConfig(ctx, req)
	if resp != nil {
		s.rec.add(req.TypeName, resp.Diagnostics)
	}
	return resp, err
}

// diagRecorder holds the diagnostics recorded since the last reset.
type diagRecorder struct {
	mu    sync.Mutex
	diags []recordedDiag
}

type recordedDiag struct {
	typeName string
	d        tfprotov6.Diagnostic
}

func (r *diagRecorder) add(typeName string, diags []*tfprotov6.Diagnostic) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, d := range diags {
		if d != nil {
			r.diags = append(r.diags, recordedDiag{typeName: typeName, d: *d})
		}
	}
}

func (r *diagRecorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.diags = nil
}

func (r *diagRecorder) all() []recordedDiag {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.diags)
}

func (r *diagRecorder) String() string {
	var b strings.Builder
	for _, d := range r.all() {
		fmt.Fprintf(&b, "\n- %s %s: %s: %s", d.typeName, d.d.Severity, d.d.Summary, d.d.Detail)
	}
	if b.Len() == 0 {
		return " none"
	}
	return b.String()
}

// expectWarning is a plan check: a refresh or validation of typeName returned a warning with
// this summary whose detail mentions each of details, and none returned an error.
func (r *diagRecorder) expectWarning(typeName, summary string, details ...string) plancheck.PlanCheck {
	return planCheckFunc(func(*tfjson.Plan) error {
		found := false
		for _, d := range r.all() {
			if d.d.Severity == tfprotov6.DiagnosticSeverityError {
				return fmt.Errorf("a refresh or validation of %s returned an error: %s: %s", d.typeName, d.d.Summary, d.d.Detail)
			}
			if d.typeName != typeName || d.d.Severity != tfprotov6.DiagnosticSeverityWarning || d.d.Summary != summary {
				continue
			}
			found = true
			for _, want := range details {
				if !strings.Contains(d.d.Detail, want) {
					return fmt.Errorf("the %s warning %q does not mention %q: %s", typeName, summary, want, d.d.Detail)
				}
			}
		}
		if !found {
			return fmt.Errorf("no refresh or validation of %s warned %q; recorded:%s", typeName, summary, r)
		}
		return nil
	})
}

// expectApplyWarning is a check: some diagnostic recorded since the last reset, of typeName,
// is a warning whose summary and detail together mention each of texts.
func (r *diagRecorder) expectApplyWarning(typeName string, texts ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, d := range r.all() {
			if d.typeName != typeName || d.d.Severity != tfprotov6.DiagnosticSeverityWarning {
				continue
			}
			all := true
			for _, want := range texts {
				all = all && strings.Contains(d.d.Summary+" "+d.d.Detail, want)
			}
			if all {
				return nil
			}
		}
		return fmt.Errorf("no %s warning mentions %q; recorded:%s", typeName, texts, r)
	}
}

// expectNone is a check: nothing recorded since the last reset returned a diagnostic.
func (r *diagRecorder) expectNone() resource.TestCheckFunc {
	return func(*terraform.State) error {
		if len(r.all()) > 0 {
			return fmt.Errorf("the provider returned diagnostics:%s", r)
		}
		return nil
	}
}
