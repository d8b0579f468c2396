# ACCOUNT_ID/STORE_ID/SECRET_NAME (or …/SECRET_ID). The first apply after the import sends the
# configured value_wo.
import {
  to = secretsstore_system_secret.customer
  id = "023e105f4ecef8ad9ca31a8372d0c353/9a7806061c88ada191ed06f989cc3dac/CUSTOMER_API_KEY"
}
