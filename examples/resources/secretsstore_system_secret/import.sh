# A system secret is imported by ACCOUNT_ID/STORE_ID/SECRET_ID or ACCOUNT_ID/STORE_ID/SECRET_NAME.
# After the import value_wo_version is null: the first apply sends the configured value_wo.
terraform import secretsstore_system_secret.customer 023e105f4ecef8ad9ca31a8372d0c353/9a7806061c88ada191ed06f989cc3dac/CUSTOMER_API_KEY
