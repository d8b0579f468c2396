# A system store is imported by ACCOUNT_ID/STORE_ID. account_internal_id is null after the
# import; setting it in the configuration then only fills the state.
terraform import secretsstore_system_store.managed 023e105f4ecef8ad9ca31a8372d0c353/9a7806061c88ada191ed06f989cc3dac
