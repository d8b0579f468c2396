# Every account starts with one store, default_secrets_store, and Cloudflare allows one store per
# account: adopt that one. From then on Terraform owns it, and `terraform destroy` deletes it
# (refused while it holds secrets, unless force_destroy is true). To use the store without
# owning it, read it with the secretsstore_store data source instead.
variable "account_id" {
  type        = string
  description = "The account's id (32 hex)."
}

variable "default_store_id" {
  type        = string
  description = "The id of default_secrets_store: see `wrangler secrets-store store list --remote` or the dashboard."
}

import {
  to = secretsstore_store.default
  id = "${var.account_id}/${var.default_store_id}" # ACCOUNT_ID/STORE_ID
}

resource "secretsstore_store" "default" {
  name = "default_secrets_store"
}

# Only on an account allowed more than one store. With the usual limit of one, creating a
# second store fails (maximum_stores_exceeded).
resource "secretsstore_store" "payments" {
  name = "payments"

  # true: destroying the store also deletes every secret it holds, managed by Terraform or not.
  force_destroy = false
}
