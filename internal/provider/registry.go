package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// Every type the provider serves. Add a constructor here when adding a type.
var (
	resourceConstructors     = []func() resource.Resource{newStoreResource, newSystemStoreResource, newSecretResource, newSystemSecretResource}
	dataSourceConstructors   = []func() datasource.DataSource{newStoreDataSource, newStoresDataSource, newSystemStoresDataSource, newSecretDataSource, newSecretsDataSource, newSystemSecretsDataSource, newQuotaDataSource}
	actionConstructors       = []func() action.Action{newSecretDuplicateAction, newSystemSecretDuplicateAction}
	listResourceConstructors = []func() list.ListResource{newStoreListResource, newSecretListResource}
)
