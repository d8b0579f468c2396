package provider

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
	"github.com/secretsstore/terraform-provider-secretsstore/internal/mockserver"
)

// TestNameExistsDetail: the diagnostic after a create whose outcome is unknown names what
// failed and what exists, tells whose it can be from the times, and gives the import block
// of the family's type with the object's import id.
func TestNameExistsDetail(t *testing.T) {
	sent := time.Date(2026, 12, 7, 4, 0, 0, 0, time.UTC)
	const acct, store, id = "023e105f4ecef8ad9ca31a8372d0c353", "9a7806061c88ada191ed06f989cc3dac", "3fd85f74b32742f1bff64a85009dda07"
	cause := errors.New("POST /x: HTTP 503 Service Unavailable")
	for _, tc := range []struct {
		name    string
		f       routeFamily
		obj     client.ExistingObject
		resend  error
		want    []string
		notWant string
	}{
		{
			name: "secret made an hour before the request", f: accountFamily,
			obj: client.ExistingObject{Kind: "secret", Account: acct, StoreID: store, ID: id, Name: "SHARED_1", Created: sent.Add(-time.Hour)},
			want: []string{"This apply's create request failed: POST /x: HTTP 503", "The API may or may not have acted on it.",
				"A secret named SHARED_1 now exists in store " + store + ": id " + id, "so it is someone else's.",
				"Terraform recorded nothing and changed nothing", "  import {\n    to = secretsstore_secret.<name>\n    id = \"" + acct + "/" + store + "/" + id + "\"\n  }"},
			notWant: "may have been created by this request",
		},
		{
			name: "system secret made just after the send, resent", f: systemFamily, resend: errors.New("HTTP 409"),
			obj: client.ExistingObject{Kind: "secret", Account: acct, StoreID: store, ID: id, Name: "SHARED_1", Created: sent.Add(2 * time.Second)},
			want: []string{"sent once more, and that failed too: HTTP 409", "It was created 2s after this apply sent its request",
				"it may have been created by this request or by another writer", "to = secretsstore_system_secret.<name>"},
			notWant: "someone else's",
		},
		{
			name: "store", f: accountFamily,
			obj: client.ExistingObject{Kind: "store", Account: acct, ID: store, Name: "s1", Created: sent.Add(-3 * time.Second)},
			want: []string{"A store named s1 now exists in account " + acct, "3s before this apply sent its request",
				"to = secretsstore_store.<name>\n    id = \"" + acct + "/" + store + "\""},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := nameExistsDetail(tc.f, &client.NameExistsError{Method: "POST", Path: "/x", Cause: cause, Resend: tc.resend, Sent: sent, Existing: []client.ExistingObject{tc.obj}})
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("missing %q in:\n%s", w, got)
				}
			}
			if tc.notWant != "" && strings.Contains(got, tc.notWant) {
				t.Errorf("unexpected %q in:\n%s", tc.notWant, got)
			}
		})
	}
}

// TestAccAmbiguousCreateNeverAdopts: a store create and a duplicate (source_secret_id) whose
// answers are lost after the API acted fail with the diagnostic and the import block of what
// now holds the name; nothing is recorded, resent or PATCHed.
func TestAccAmbiguousCreateNeverAdopts(t *testing.T) {
	m := startMock(t, mockserver.Options{MaxStores: 2})
	store := defaultStoreID(t, m)
	storeDiag := errText("Could not create store second", "The API may or may not have acted", "A store named second now exists",
		"Terraform recorded nothing and changed nothing", "to = secretsstore_store.<name>").String() + `(?:\s|│)+id(?:\s|│)+=(?:\s|│)+"` + m.Account + `/[0-9a-f]{32}"`
	copyDiag := errText("Could not create secret COPY", "The API may or may not have acted", "A secret named COPY now exists in store "+store,
		"Terraform recorded nothing and changed nothing", "to = secretsstore_secret.<name>").String() + `(?:\s|│)+id(?:\s|│)+=(?:\s|│)+"` + m.Account + "/" + store + `/[0-9a-f]{32}"`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					m.FailNext(mockserver.Fault{Route: routeCreateStore, Status: 503, AfterAction: true})
					m.FailNext(mockserver.Fault{Route: routeDuplicateSecret, Drop: true, AfterAction: true})
				},
				Config: m.providerBlock() + fmt.Sprintf(`
resource "secretsstore_store" "second" {
  name = "second"
}

resource "secretsstore_secret" "src" {
  store_id = %[1]q
  name     = "SRC"
  value    = "src-value"
  scopes   = ["workers"]
}

resource "secretsstore_secret" "copy" {
  store_id         = %[1]q
  name             = "COPY"
  source_secret_id = secretsstore_secret.src.id
  scopes           = ["workers"]
}
`, store),
				ExpectError: regexp.MustCompile(`(?s)(` + storeDiag + `.*` + copyDiag + `)|(` + copyDiag + `.*` + storeDiag + `)`),
			},
		},
		CheckDestroy: func(*terraform.State) error {
			// The destroy removed only SRC, which this apply's answer returned.
			if _, ok := storeNamed(m, "second"); !ok {
				return fmt.Errorf("the store the lost answer made is gone")
			}
			if rec, ok := m.SecretByName(store, "COPY"); !ok || rec.Value != "src-value" {
				return fmt.Errorf("COPY is %+v, want the copy of SRC's value kept", rec)
			}
			if _, ok := m.SecretByName(store, "SRC"); ok {
				return fmt.Errorf("SRC survived the destroy")
			}
			for _, rt := range []string{routeCreateStore, routeDuplicateSecret} {
				if n := len(m.RequestsTo(rt)); n != 1 {
					return fmt.Errorf("%s: %d requests, want 1 (never resent over a name that exists)", rt, n)
				}
			}
			if n := len(m.RequestsTo(routePatchSecret)); n != 0 {
				return fmt.Errorf("%d PATCHes", n)
			}
			return nil
		},
	})
}
