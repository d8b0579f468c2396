# An account holds only one store and starts with default_secrets_store: most configurations
# import that one (see the import examples) or read it with the secretsstore_store data source.
resource "secretsstore_store" "payments" {
  name = "payments"

  # true: destroying the store also deletes every secret it holds, managed by Terraform or not.
  force_destroy = false
}
