package provider

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-testing/config"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/mockserver"
)

// TestAccResourceExamples applies every resource's documentation example
// (examples/resources/TYPE/resource.tf) against its own mock, then destroys it; every registered
// resource must have one. Variables the example declares get a value each.
func TestAccResourceExamples(t *testing.T) {
	const serviceToken = "examples-service-token"
	declared := regexp.MustCompile(`(?m)^variable "([A-Za-z0-9_-]+)"`)
	for _, newResource := range resourceConstructors {
		r := newResource()
		var md resource.MetadataResponse
		r.Metadata(t.Context(), resource.MetadataRequest{ProviderTypeName: "secretsstore"}, &md)
		t.Run(md.TypeName, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join("..", "..", "examples", "resources", md.TypeName, "resource.tf"))
			if err != nil {
				t.Fatalf("resource %s has no example: %v", md.TypeName, err)
			}
			m := startMock(t, mockserver.Options{MaxStores: 2, Services: map[string]string{"example": serviceToken}})
			provider := m.providerBlock()
			if strings.HasPrefix(md.TypeName, systemFamily.typeName("secretsstore", "")) {
				provider = m.providerBlockWithToken(serviceToken)
			}
			// The store example adopts the account's default store: its variables take the mock's ids.
			known := map[string]string{"account_id": m.Account, "default_store_id": defaultStoreID(t, m)}
			vars := config.Variables{}
			for _, v := range declared.FindAllStringSubmatch(string(src), -1) {
				value, ok := known[v[1]]
				if !ok {
					value = "example value of " + v[1]
				}
				vars[v[1]] = config.StringVariable(value)
			}
			tfresource.ParallelTest(t, tfresource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps:                    []tfresource.TestStep{{Config: provider + string(src), ConfigVariables: vars}},
			})
		})
	}
}
