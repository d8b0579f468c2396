# Terraform or OpenTofu 1.12 or later. account_id may be left out: the provider's account_id is used.
import {
  to = secretsstore_system_secret.customer
  identity = {
    account_id = "023e105f4ecef8ad9ca31a8372d0c353"
    store_id   = "9a7806061c88ada191ed06f989cc3dac"
    secret_id  = "3fd85f74b32742f1bff64a85009dda07"
  }
}
