# `terraform query` lists every secret of a store (Terraform 1.14 or later). Add
# `-generate-config-out=generated.tf` to write an import block and a resource block for each.
# The API never returns values: the generated blocks hold none, and import and plan without one.

variable "store_id" {
  type        = string
  description = "The id (32 hex) of the store whose secrets are listed."
}

list "secretsstore_secret" "all" {
  provider         = secretsstore
  include_resource = true

  config {
    store_id = var.store_id
  }
}
