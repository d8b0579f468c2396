data "secretsstore_store" "default" {}

# The store's secrets bound to Workers whose name or comment contains "stripe", newest first.
data "secretsstore_secrets" "stripe" {
  store_id  = data.secretsstore_store.default.id
  search    = "stripe"
  scopes    = ["workers"]
  order     = "created" # name, comment, created, modified or status
  direction = "desc"
}

output "stripe_secret_names" {
  value = data.secretsstore_secrets.stripe.secrets[*].name
}
