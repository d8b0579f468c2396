# The provider is configured with a service token (api_token) for the /system routes.
# Lists only the stores this service manages for the account.
data "secretsstore_system_stores" "mine" {
  account_id = "023e105f4ecef8ad9ca31a8372d0c353"
  order      = "created"
  direction  = "desc"
}

output "managed_store_ids" {
  value = data.secretsstore_system_stores.mine.stores[*].id
}
