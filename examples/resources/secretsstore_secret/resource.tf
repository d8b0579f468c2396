# The value comes from an ephemeral variable and goes to the write-only value_wo: it is sent to
# the API and never written to the plan or the state. Supply it with -var or TF_VAR_stripe_key.
variable "stripe_key" {
  type      = string
  sensitive = true
  ephemeral = true
}

# Every account starts with one store, default_secrets_store.
data "secretsstore_store" "default" {}

resource "secretsstore_secret" "stripe" {
  store_id         = data.secretsstore_store.default.id
  name             = "STRIPE_KEY"
  value_wo         = var.stripe_key
  value_wo_version = "1" # change it (to "2", a date…) to send the current value of stripe_key
  scopes           = ["workers", "ai_gateway"]
  comment          = "Stripe live key"
}

# A copy made by the API: the value is copied server-side and Terraform never sees it.
resource "secretsstore_secret" "stripe_staging" {
  store_id         = data.secretsstore_store.default.id
  name             = "STRIPE_KEY_STAGING"
  source_secret_id = secretsstore_secret.stripe.id
  scopes           = ["workers"]
}
