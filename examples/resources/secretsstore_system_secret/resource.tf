# The provider's api_token is the service's token. The value comes from an ephemeral variable
# and goes to the write-only value_wo: it never enters the plan or the state.
variable "customer_api_key" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "secretsstore_system_store" "managed" {
  name                = "managed_by_my_service"
  account_internal_id = 123456
}

resource "secretsstore_system_secret" "customer" {
  store_id         = secretsstore_system_store.managed.id
  name             = "CUSTOMER_API_KEY"
  value_wo         = var.customer_api_key
  value_wo_version = "1" # change it to send the current value of customer_api_key
  scopes           = ["workers"]
}
