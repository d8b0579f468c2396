terraform {
  required_version = ">= 1.11.0" # write-only attributes (value_wo)

  required_providers {
    secretsstore = {
      source = "secretsstore/secretsstore"
    }
  }
}

# Credentials and the default account come from the environment:
#   CLOUDFLARE_API_TOKEN   an API token with Secrets Store Read or Write
#   CLOUDFLARE_ACCOUNT_ID  the account the account-scoped types act on
provider "secretsstore" {}
