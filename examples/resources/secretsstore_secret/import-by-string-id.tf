# ACCOUNT_ID/STORE_ID/SECRET_NAME (or …/SECRET_ID). The first apply after the import sends the
# configured value_wo (value_wo_version goes from null to the configured string).
import {
  to = secretsstore_secret.stripe
  id = "023e105f4ecef8ad9ca31a8372d0c353/9a7806061c88ada191ed06f989cc3dac/STRIPE_KEY"
}
