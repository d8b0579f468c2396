# A store a service manages on an account's behalf through the /system routes: the provider's
# api_token is the service's token. It does not count against the account's one-store limit.
resource "secretsstore_system_store" "managed" {
  account_id          = "023e105f4ecef8ad9ca31a8372d0c353"
  name                = "managed_by_my_service"
  account_internal_id = 123456 # the account's numeric id, required to create the store
}
