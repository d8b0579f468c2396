# With neither id nor name: the account's default store (default_secrets_store), or its only store.
data "secretsstore_store" "default" {}

# One store by name (or by id).
data "secretsstore_store" "by_name" {
  name = "default_secrets_store"
}

output "store_id" {
  value = data.secretsstore_store.default.id
}
