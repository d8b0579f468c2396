# Terraform or OpenTofu 1.12 or later. account_id may be left out: the provider's account_id is used.
import {
  to = secretsstore_system_store.managed
  identity = {
    account_id = "023e105f4ecef8ad9ca31a8372d0c353"
    store_id   = "9a7806061c88ada191ed06f989cc3dac"
  }
}
