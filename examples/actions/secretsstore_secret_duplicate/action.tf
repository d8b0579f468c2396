# Copy a secret server-side, here right after it is created: the API copies the value, which
# never passes through Terraform. Needs Terraform 1.14 or later.
#
# The copy is not managed by Terraform: it counts toward the account's secret quota, keeps its
# store non-empty, and stays when this configuration is destroyed. To manage a copy, use
# source_secret_id on a secretsstore_secret resource instead.

variable "stripe_key" {
  type      = string
  sensitive = true
  ephemeral = true
}

data "secretsstore_store" "default" {}

resource "secretsstore_secret" "stripe" {
  store_id         = data.secretsstore_store.default.id
  name             = "STRIPE_KEY"
  value_wo         = var.stripe_key
  value_wo_version = "1"
  scopes           = ["workers"]
}

action "secretsstore_secret_duplicate" "stripe_staging" {
  config {
    store_id  = data.secretsstore_store.default.id
    secret_id = secretsstore_secret.stripe.id
    name      = "STRIPE_KEY_STAGING"
    scopes    = ["workers"]
    comment   = "Copy of STRIPE_KEY for the staging Worker"
  }
}

# Run the action once, after the secret is created. It can also be run on demand:
#   terraform apply -invoke=action.secretsstore_secret_duplicate.stripe_staging
resource "terraform_data" "stripe_staging" {
  input = secretsstore_secret.stripe.id

  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.secretsstore_secret_duplicate.stripe_staging]
    }
  }
}
