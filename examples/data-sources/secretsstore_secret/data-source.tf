data "secretsstore_store" "default" {}

# A secret's metadata by name (or by id). Its value is never returned.
data "secretsstore_secret" "stripe" {
  store_id = data.secretsstore_store.default.id
  name     = "STRIPE_API_KEY"
}

output "stripe_secret" {
  value = {
    id     = data.secretsstore_secret.stripe.id
    scopes = data.secretsstore_secret.stripe.scopes
    status = data.secretsstore_secret.stripe.status
  }
}
