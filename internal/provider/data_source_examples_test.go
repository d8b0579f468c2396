package provider

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
	"github.com/secretsstore/terraform-provider-secretsstore/internal/mockserver"
)

// TestAccDataSourceExamples applies every data source's documentation example
// (examples/data-sources/TYPE/data-source.tf) against the mock; every registered data source
// must have one.
func TestAccDataSourceExamples(t *testing.T) {
	skipWithoutTFAcc(t)
	const serviceToken = "service-token"
	m := startMock(t, mockserver.Options{
		MaxStores: 5, SecretQuota: 500,
		Services: map[string]string{"examples": serviceToken},
	})
	fx := accountFixtures(t, m)
	store := fx.storeNamed("default_secrets_store")
	fx.secret(store.ID, "STRIPE_API_KEY", "stripe live key", "workers")
	sys := fixturesAs(t, m, serviceToken, client.FamilySystem)
	systemStore := sys.store("managed_by_example")
	sys.secret(systemStore.ID, "SERVICE_KEY", "", "workers")

	// One step per example: examples may share block names, so they cannot be concatenated,
	// and terraform-plugin-testing does not install modules.
	var steps []resource.TestStep
	for _, newDataSource := range dataSourceConstructors {
		var md datasource.MetadataResponse
		ds := newDataSource()
		ds.Metadata(t.Context(), datasource.MetadataRequest{ProviderTypeName: "secretsstore"}, &md)
		src, err := os.ReadFile(filepath.Join("..", "..", "examples", "data-sources", md.TypeName, "data-source.tf"))
		if err != nil {
			t.Errorf("data source %s has no example: %v", md.TypeName, err)
			continue
		}
		provider := m.providerBlock()
		if strings.HasPrefix(md.TypeName, systemFamily.typeName("secretsstore", "")) {
			provider = m.providerBlockWithToken(serviceToken)
		}
		steps = append(steps, resource.TestStep{Config: provider + string(src)})
	}
	if t.Failed() {
		return
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    steps,
	})
}
