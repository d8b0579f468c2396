# A module to test: the secrets of one application, named PREFIX_KEY, in a store (the account's
# default store unless store_id is set). It configures no provider: its caller does, and so do its
# tests, from CLOUDFLARE_API_TOKEN, CLOUDFLARE_ACCOUNT_ID and CLOUDFLARE_BASE_URL.
terraform {
  required_version = ">= 1.11.0" # write-only attributes (value_wo)

  required_providers {
    secretsstore = {
      source = "secretsstore/secretsstore"
    }
  }
}

variable "store_id" {
  type        = string
  default     = null
  description = "The store to hold the secrets; the account's default store when null."
}

variable "prefix" {
  type        = string
  description = "The first part of every secret's name, such as BILLING."

  validation {
    condition     = can(regex("^[A-Z][A-Z0-9_]*$", var.prefix))
    error_message = "prefix must be upper-case letters, digits and underscores, starting with a letter."
  }
}

variable "secrets" {
  type = map(object({
    comment = optional(string)
    scopes  = optional(list(string), ["workers"])
  }))
  description = "The secrets, by the second part of their name."
}

variable "values" {
  type        = map(string)
  sensitive   = true
  ephemeral   = true # never written to plan or state
  description = "Each secret's value, by the same keys as secrets."
}

variable "values_version" {
  type        = string
  default     = "1"
  description = "Change it to send every value again (a rotation)."
}

data "secretsstore_store" "this" {
  id = var.store_id
}

resource "secretsstore_secret" "this" {
  for_each = var.secrets

  store_id         = data.secretsstore_store.this.id
  name             = "${var.prefix}_${each.key}"
  value_wo         = var.values[each.key]
  value_wo_version = var.values_version
  comment          = each.value.comment
  scopes           = each.value.scopes
}

output "store_id" {
  value = data.secretsstore_store.this.id
}

output "secret_ids" {
  description = "Each secret's id, by the same keys as secrets."
  value       = { for k, s in secretsstore_secret.this : k => s.id }
}
