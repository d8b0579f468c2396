# A secret is imported by ACCOUNT_ID/STORE_ID/SECRET_ID or ACCOUNT_ID/STORE_ID/SECRET_NAME.
# After the import value_wo_version is null: the first plan changes only value_wo_version, and
# applying it sends the configured value_wo, which replaces the imported secret's value.
terraform import secretsstore_secret.stripe 023e105f4ecef8ad9ca31a8372d0c353/9a7806061c88ada191ed06f989cc3dac/3fd85f74b32742f1bff64a85009dda07
terraform import secretsstore_secret.stripe 023e105f4ecef8ad9ca31a8372d0c353/9a7806061c88ada191ed06f989cc3dac/STRIPE_KEY
