# Untested with the real hashicorp/random: this provider's tests cannot install it from the
# Registry, and run this file with a stand-in for its ephemeral random_password instead.

terraform {
  # Ephemeral resources need Terraform 1.10, write-only arguments 1.11 (OpenTofu: 1.11 for both).
  required_version = ">= 1.11.0"

  required_providers {
    random = {
      source  = "hashicorp/random"
      version = ">= 3.7.0" # the first release with ephemeral "random_password"
    }
    secretsstore = {
      source = "secretsstore/secretsstore"
    }
  }
}

# Credentials and the account come from CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID.
provider "secretsstore" {}

variable "token_version" {
  type        = string
  default     = "1"
  description = "Change it to generate a new token and send it. Leave it alone to keep the current one."
}

# A new random value each time Terraform runs. It is never written to the plan or the state.
ephemeral "random_password" "token" {
  length  = 48
  special = false
}

data "secretsstore_store" "default" {}

# value_wo is sent when the secret is created and when value_wo_version changes, never otherwise.
resource "secretsstore_secret" "token" {
  store_id         = data.secretsstore_store.default.id
  name             = "INTERNAL_API_TOKEN"
  value_wo         = ephemeral.random_password.token.result
  value_wo_version = var.token_version
  scopes           = ["workers"]
}
