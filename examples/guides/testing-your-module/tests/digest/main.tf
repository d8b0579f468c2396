# Test helper: fails unless the mock server holds value in the secret secret_id. It asks the
# mock for the SHA-256 of the secret's value (GET /__mock/secrets/{id}/sha256) with curl,
# through the same CLOUDFLARE_BASE_URL, token and SSL_CERT_FILE as the provider.
variable "secret_id" {
  type = string
}

variable "value" {
  type      = string
  sensitive = true
}

resource "terraform_data" "check" {
  triggers_replace = [var.secret_id, sha256(var.value)]

  provisioner "local-exec" {
    command = <<-EOT
      got=$(curl -fsS $${SSL_CERT_FILE:+--cacert "$SSL_CERT_FILE"} \
        -H "Authorization: Bearer $CLOUDFLARE_API_TOKEN" \
        "$${CLOUDFLARE_BASE_URL%/client/v4}/__mock/secrets/$SECRET_ID/sha256") || exit 1
      case $got in
        *"\"$WANT\""*) ;;
        *) echo "secret $SECRET_ID does not hold the expected value (mock answered $got)" >&2; exit 1 ;;
      esac
    EOT
    environment = {
      SECRET_ID = var.secret_id
      WANT      = sha256(var.value)
    }
  }
}
