# Runs against the secretsstore mock server. The CI job starts it and sets CLOUDFLARE_BASE_URL,
# CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID (see the guide "Testing your module").

variables {
  prefix = "BILLING"
  secrets = {
    STRIPE_KEY     = { comment = "Stripe API key" }
    WEBHOOK_SECRET = {}
  }
  values = {
    STRIPE_KEY     = "sk_test_module_value"
    WEBHOOK_SECRET = "whsec_module_value"
  }
}

run "creates_the_secrets" {
  assert {
    condition     = secretsstore_secret.this["STRIPE_KEY"].name == "BILLING_STRIPE_KEY"
    error_message = "The secret's name is not PREFIX_KEY."
  }

  assert {
    condition     = alltrue([for s in secretsstore_secret.this : s.status == "active"])
    error_message = "A secret is not active."
  }
}

# The mock never serves a value, but it answers the SHA-256 of one: tests/digest compares it.
run "stripe_key_holds_its_value" {
  module {
    source = "./tests/digest"
  }

  variables {
    secret_id = run.creates_the_secrets.secret_ids["STRIPE_KEY"]
    value     = "sk_test_module_value"
  }
}

run "a_new_version_rotates" {
  variables {
    values_version = "2"
    values = {
      STRIPE_KEY     = "sk_test_rotated_value"
      WEBHOOK_SECRET = "whsec_module_value"
    }
  }

  assert {
    condition     = alltrue([for s in secretsstore_secret.this : s.value_wo_version == "2"])
    error_message = "A secret did not get the new version."
  }
}

# Refer to an earlier run's outputs in variables, as here: OpenTofu 1.12 cannot read run.* in
# an assert condition, and keeps only the latest runs' outputs.
run "stripe_key_holds_the_rotated_value" {
  module {
    source = "./tests/digest"
  }

  variables {
    secret_id = run.a_new_version_rotates.secret_ids["STRIPE_KEY"]
    value     = "sk_test_rotated_value"
  }
}

run "refuses_a_lower_case_prefix" {
  command = plan

  variables {
    prefix = "billing"
  }

  expect_failures = [var.prefix]
}
