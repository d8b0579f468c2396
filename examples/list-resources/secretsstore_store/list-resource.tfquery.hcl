# `terraform query` lists every store of the provider's account (Terraform 1.14 or later). Add
# `-generate-config-out=generated.tf` to write an import block and a resource block for each.

list "secretsstore_store" "all" {
  provider         = secretsstore
  include_resource = true
}
