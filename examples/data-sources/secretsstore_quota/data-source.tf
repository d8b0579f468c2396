# How many secrets the account may still create, across all its stores.
data "secretsstore_quota" "this" {}

output "secrets_remaining" {
  value = "${data.secretsstore_quota.this.usage} of ${data.secretsstore_quota.this.quota} secrets used, ${data.secretsstore_quota.this.remaining} left"
}
