# Runs offline: no mock server, no credentials. mock_provider makes up every computed value,
# ids included, as 8 random characters; the provider refuses an id that is not 32 lowercase hex
# characters wherever one is an argument (here the store's id feeds store_id), so the
# defaults below give the ids the right form.
mock_provider "secretsstore" {
  mock_data "secretsstore_store" {
    defaults = {
      id = "0123456789abcdef0123456789abcdef"
    }
  }

  mock_resource "secretsstore_secret" {
    defaults = {
      id     = "fedcba9876543210fedcba9876543210"
      status = "active"
    }
  }
}

variables {
  prefix  = "UNIT"
  secrets = { API_KEY = {} }
  values  = { API_KEY = "not-a-real-value" }
}

run "names_and_store" {
  command = apply # with mock_provider, apply runs offline too

  assert {
    condition     = secretsstore_secret.this["API_KEY"].name == "UNIT_API_KEY"
    error_message = "The secret's name is not PREFIX_KEY."
  }

  assert {
    condition     = secretsstore_secret.this["API_KEY"].store_id == "0123456789abcdef0123456789abcdef"
    error_message = "The secret is not in the default store."
  }

  assert {
    condition     = output.secret_ids["API_KEY"] == "fedcba9876543210fedcba9876543210"
    error_message = "secret_ids does not hold the secret's id."
  }
}
