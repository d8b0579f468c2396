# The demo: the account's default store, two secrets whose values never enter state,
# and the account's quota. run.sh points the provider at the bundled mock.

terraform {
  required_providers {
    secretsstore = {
      source = "secretsstore/secretsstore"
    }
  }
}

# Credentials and the mock's address come from CLOUDFLARE_API_TOKEN, CLOUDFLARE_ACCOUNT_ID
# and CLOUDFLARE_BASE_URL, which run.sh sets.
provider "secretsstore" {}

# Ephemeral: the values are usable in write-only attributes and never written to plan or state.
variable "stripe_key" {
  type      = string
  sensitive = true
  ephemeral = true
}

variable "openai_key" {
  type      = string
  sensitive = true
  ephemeral = true
}

# Every account starts with one store, default_secrets_store: find it rather than create one.
data "secretsstore_store" "default" {}

resource "secretsstore_secret" "stripe" {
  store_id         = data.secretsstore_store.default.id
  name             = "STRIPE_KEY"
  value_wo         = var.stripe_key
  value_wo_version = "1"
  scopes           = ["workers"]
  comment          = "Stripe secret key for the checkout Worker"
}

resource "secretsstore_secret" "openai" {
  store_id         = data.secretsstore_store.default.id
  name             = "OPENAI_API_KEY"
  value_wo         = var.openai_key
  value_wo_version = "1"
  scopes           = ["ai_gateway", "workers"]
}

data "secretsstore_quota" "account" {
  depends_on = [secretsstore_secret.stripe, secretsstore_secret.openai]
}

output "store" {
  value = "${data.secretsstore_store.default.name} (${data.secretsstore_store.default.id})"
}

output "secrets" {
  value = {
    for s in [secretsstore_secret.stripe, secretsstore_secret.openai] :
    s.name => { id = s.id, status = s.status, scopes = s.scopes }
  }
}

output "quota" {
  value = "${data.secretsstore_quota.account.usage} of ${data.secretsstore_quota.account.quota} secrets used, ${data.secretsstore_quota.account.remaining} remaining"
}
