package provider

// Helpers shared by the store and secret resource acceptance tests.

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
)

// Route templates of the mock, as in endpoints.md.
const (
	routeCreateSecrets   = "POST /accounts/{account_id}/secrets_store/stores/{store_id}/secrets"
	routePatchSecret     = "PATCH /accounts/{account_id}/secrets_store/stores/{store_id}/secrets/{secret_id}"
	routeGetSecret       = "GET /accounts/{account_id}/secrets_store/stores/{store_id}/secrets/{secret_id}"
	routeDeleteSecret    = "DELETE /accounts/{account_id}/secrets_store/stores/{store_id}/secrets/{secret_id}"
	routeDuplicateSecret = "POST /accounts/{account_id}/secrets_store/stores/{store_id}/secrets/{secret_id}/duplicate"
	routeCreateStore     = "POST /accounts/{account_id}/secrets_store/stores"
	routeDeleteStore     = "DELETE /accounts/{account_id}/secrets_store/stores/{store_id}"
)

// rsClient is an API client for changes made outside Terraform, as the holder of token.
func rsClient(t *testing.T, m *testMock, token string) *client.Client {
	t.Helper()
	c, err := client.New(client.Config{BaseURL: m.URL, APIToken: token, RetryWaitMin: time.Millisecond})
	if err != nil {
		t.Fatalf("client: %v", err)
	}
	return c
}

// rsDefaultStore is the id of the store every mock account starts with.
func rsDefaultStore(t *testing.T, m *testMock) string {
	t.Helper()
	for _, s := range m.Stores() {
		if s.Name == "default_secrets_store" {
			return s.ID
		}
	}
	t.Fatal("the mock has no default_secrets_store")
	return ""
}

// rsBodies decodes the JSON bodies of the requests the mock received on route.
func rsBodies(m *testMock, route string) ([]any, error) {
	var out []any
	for _, r := range m.RequestsTo(route) {
		var v any
		if err := json.Unmarshal(r.Body, &v); err != nil {
			return nil, fmt.Errorf("%s: body is not JSON: %w", route, err)
		}
		out = append(out, v)
	}
	return out, nil
}

// rsExpectBodies checks that route received exactly the given bodies (compared as JSON), in order.
func rsExpectBodies(m *testMock, route string, want ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got, err := rsBodies(m, route)
		if err != nil {
			return err
		}
		if len(got) != len(want) {
			return fmt.Errorf("%s: got %d requests, want %d: %s", route, len(got), len(want), rsJSON(got))
		}
		for i, w := range want {
			var wv any
			if err := json.Unmarshal([]byte(w), &wv); err != nil {
				return fmt.Errorf("bad expected body %q: %w", w, err)
			}
			if rsJSON(wv) != rsJSON(got[i]) {
				return fmt.Errorf("%s request %d: got body %s, want %s", route, i, rsJSON(got[i]), rsJSON(wv))
			}
		}
		return nil
	}
}

// rsNoWrites checks that the mock received no request but GETs.
func rsNoWrites(m *testMock) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, r := range m.Requests() {
			if r.Method != "GET" {
				return fmt.Errorf("unexpected %s %s", r.Method, r.Path)
			}
		}
		return nil
	}
}

// rsSecretValue checks the value the mock holds for the secret named name.
func rsSecretValue(m *testMock, storeID, name, want string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		s, ok := m.SecretByName(storeID, name)
		if !ok {
			return fmt.Errorf("the mock holds no secret %s in store %s", name, storeID)
		}
		if s.Value != want {
			return fmt.Errorf("secret %s holds a value of %d bytes, not the expected one", name, len(s.Value))
		}
		return nil
	}
}

func rsJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// rsOnlyChanged is a plan check: the resource's planned update changes only the listed
// attributes among those known at plan time; computed ones may be unknown (they follow the change).
func rsOnlyChanged(address string, attrs ...string) plancheck.PlanCheck {
	return rsPlanCheck(func(p *tfjson.Plan) error {
		for _, rc := range p.ResourceChanges {
			if rc.Address != address {
				continue
			}
			before, _ := rc.Change.Before.(map[string]any)
			after, _ := rc.Change.After.(map[string]any)
			unknown, _ := rc.Change.AfterUnknown.(map[string]any)
			keys := map[string]bool{}
			for k := range before {
				keys[k] = true
			}
			for k := range after {
				keys[k] = true
			}
			var changed []string
			for k := range keys {
				if unknown[k] == true || rsJSON(before[k]) != rsJSON(after[k]) {
					changed = append(changed, k)
				}
			}
			slices.Sort(changed)
			var unexpected []string
			for _, k := range changed {
				followsChange := unknown[k] == true && (k == "status" || k == "modified")
				if !slices.Contains(attrs, k) && !followsChange {
					unexpected = append(unexpected, k)
				}
			}
			if len(unexpected) > 0 {
				return fmt.Errorf("%s: the plan changes %v; only %v were expected to change", address, unexpected, attrs)
			}
			return nil
		}
		return fmt.Errorf("%s: not in the plan", address)
	})
}

// rsAbsentFromPlan is a plan check: none of the strings appears anywhere in the plan JSON
// (the `terraform show -json` of the saved plan).
func rsAbsentFromPlan(secrets ...string) plancheck.PlanCheck {
	return rsPlanCheck(func(p *tfjson.Plan) error {
		b, err := json.Marshal(p)
		if err != nil {
			return err
		}
		return rsAbsent("the plan", string(b), secrets...)
	})
}

func rsAbsent(where, text string, secrets ...string) error {
	for _, s := range secrets {
		if strings.Contains(text, s) {
			return fmt.Errorf("%s contains a secret (%d bytes) it must never hold", where, len(s))
		}
	}
	return nil
}

type rsPlanCheck func(*tfjson.Plan) error

func (f rsPlanCheck) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = f(req.Plan)
}

// rsAbsentFromState is a state check: none of the strings appears anywhere in the state
// (`terraform show -json` shows sensitive values in clear, so a stored value would show).
func rsAbsentFromState(secrets ...string) statecheck.StateCheck {
	return rsStateCheck(func(st *tfjson.State) error {
		b, err := json.Marshal(st)
		if err != nil {
			return err
		}
		return rsAbsent("the state", string(b), secrets...)
	})
}

type rsStateCheck func(*tfjson.State) error

func (f rsStateCheck) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = f(req.State)
}

// rsErr matches the texts in this order, each word by word like dsErr (Terraform wraps
// diagnostics).
func rsErr(texts ...string) *regexp.Regexp {
	parts := make([]string, len(texts))
	for i, t := range texts {
		parts[i] = dsErr(t).String()
	}
	return regexp.MustCompile(strings.Join(parts, `[\s\S]*`))
}
