terraform {
  required_providers {
    secretsstore = {
      source = "secretsstore/secretsstore"
    }
  }
}

# Credentials and the account come from CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID.
provider "secretsstore" {}

data "secretsstore_store" "default" {} # the account's default_secrets_store

# Every secret in the store: ids, names, scopes and comments. The API never returns values.
data "secretsstore_secrets" "existing" {
  store_id = data.secretsstore_store.default.id
}

locals {
  existing = { for s in data.secretsstore_secrets.existing.secrets : s.name => s }
}

# One import block for all of them (Terraform 1.11+ with this provider, OpenTofu 1.12+).
import {
  for_each = local.existing
  to       = secretsstore_secret.adopted[each.key]
  id       = "${data.secretsstore_store.default.account_id}/${each.value.store_id}/${each.value.id}" # ACCOUNT_ID/STORE_ID/SECRET_ID
}

resource "secretsstore_secret" "adopted" {
  for_each = local.existing

  store_id = each.value.store_id
  name     = each.key
  scopes   = each.value.scopes
  comment  = each.value.comment

  # No value_wo, value or source_secret_id: the provider sends no value, and every secret keeps
  # the one it has.
}
