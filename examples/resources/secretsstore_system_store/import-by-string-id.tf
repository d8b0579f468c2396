# ACCOUNT_ID/STORE_ID
import {
  to = secretsstore_system_store.managed
  id = "023e105f4ecef8ad9ca31a8372d0c353/9a7806061c88ada191ed06f989cc3dac"
}
