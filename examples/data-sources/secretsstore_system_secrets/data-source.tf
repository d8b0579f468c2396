# The provider is configured with a service token (api_token) for the /system routes.
data "secretsstore_system_stores" "mine" {
  account_id = "023e105f4ecef8ad9ca31a8372d0c353"
}

# The secrets of a store this service manages, sorted by name.
data "secretsstore_system_secrets" "first" {
  account_id = "023e105f4ecef8ad9ca31a8372d0c353"
  store_id   = data.secretsstore_system_stores.mine.stores[0].id
  order      = "name"
}

output "first_store_secrets" {
  value = {
    for s in data.secretsstore_system_secrets.first.secrets : s.name => s.status
  }
}
