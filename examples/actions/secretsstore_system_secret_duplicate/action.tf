# A calling service (api_token is its service token) copies a secret of a store it manages
# through the /system routes. The API copies the value server-side. Needs Terraform 1.14 or later.
#
# The copy is not managed by Terraform: it counts toward the account's secret quota and keeps
# the store non-empty, hence force_destroy on the store.

variable "service_key" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "secretsstore_system_store" "service" {
  name                = "billing_service_store"
  account_internal_id = 1234567
  force_destroy       = true # also deletes the copy, which Terraform does not manage
}

resource "secretsstore_system_secret" "api_key" {
  store_id         = secretsstore_system_store.service.id
  name             = "BILLING_API_KEY"
  value_wo         = var.service_key
  value_wo_version = "1"
  scopes           = ["workers"]
}

action "secretsstore_system_secret_duplicate" "api_key_previous" {
  config {
    store_id  = secretsstore_system_store.service.id
    secret_id = secretsstore_system_secret.api_key.id
    name      = "BILLING_API_KEY_PREVIOUS"
    scopes    = ["workers"]
  }
}

resource "terraform_data" "api_key_previous" {
  input = secretsstore_system_secret.api_key.id

  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.secretsstore_system_secret_duplicate.api_key_previous]
    }
  }
}
