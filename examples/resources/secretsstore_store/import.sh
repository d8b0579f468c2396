# A store is imported by ACCOUNT_ID/STORE_ID.
terraform import secretsstore_store.payments 023e105f4ecef8ad9ca31a8372d0c353/9a7806061c88ada191ed06f989cc3dac
