package mockserver

import (
	"fmt"
	"net/http"
	"strings"
)

// apiError is one failure as the API reports it: HTTP status, Cloudflare code and message.
type apiError struct {
	status  int
	code    int
	message string
}

func newError(status, code int, message string) *apiError {
	return &apiError{status: status, code: code, message: message}
}

// The rules of api-behaviour.md, one value per row.
var (
	errNoRoute          = newError(http.StatusNotFound, 7000, "No route for that URI")
	errMethodNotAllowed = newError(http.StatusMethodNotAllowed, 7001, "method_not_allowed")
	errAuthentication   = newError(http.StatusUnauthorized, 10000, "Authentication error")
	// Cloudflare answers a token lacking permission with the same code and message, as 403.
	errForbidden   = newError(http.StatusForbidden, 10000, "Authentication error")
	errRateLimited = newError(http.StatusTooManyRequests, 971, "Please wait and consider throttling your request speed")

	errStoreNotFound  = newError(http.StatusNotFound, 1001, "store_not_found")
	errSecretNotFound = newError(http.StatusNotFound, 1001, "secret_not_found")

	errInvalidJSON      = newError(http.StatusBadRequest, 1001, "invalid_json_body")
	errBodyTooLarge     = newError(http.StatusRequestEntityTooLarge, 1001, "request_body_too_large")
	errInvalidQuery     = newError(http.StatusBadRequest, 1001, "invalid_query")
	errStoreNameInvalid = newError(http.StatusBadRequest, 1001, "store_name_invalid")
	errSecretNameEmpty  = newError(http.StatusBadRequest, 1001, "secret_name_empty")
	errSecretNameBad    = newError(http.StatusBadRequest, 1001, "secret_name_invalid")
	errNameImmutable    = newError(http.StatusBadRequest, 1001, "secret_name_immutable")
	errScopesEmpty      = newError(http.StatusBadRequest, 1001, "secret_scopes_empty")
	errScopeInvalid     = newError(http.StatusBadRequest, 1001, "secret_scope_invalid")
	errValueEmpty       = newError(http.StatusBadRequest, 1001, "secret_value_empty")
	errValueTooLong     = newError(http.StatusBadRequest, 1001, "secret_value_too_long")
	errCommentTooLong   = newError(http.StatusBadRequest, 1001, "secret_comment_too_long")
	errAccountIDInvalid = newError(http.StatusBadRequest, 1001, "account_id_invalid")
	errAccountMismatch  = newError(http.StatusBadRequest, 1001, "account_id_mismatch")

	errStoreNameTaken = newError(http.StatusConflict, 1003, "store_name_already_exists")
	errStoreNotEmpty  = newError(http.StatusConflict, 1003, "store_not_empty")
	errMaxStores      = newError(http.StatusBadRequest, 1003, "maximum_stores_exceeded")
)

func errSecretNameTaken(name string) *apiError {
	return newError(http.StatusConflict, 1003, "secret_name_already_exists: "+name)
}

func errMaxSecrets(quota int) *apiError {
	return newError(http.StatusBadRequest, 1003, fmt.Sprintf("maximum_secrets_exceeded: max %d", quota))
}

func errBadIdentifier(path string) *apiError {
	return newError(http.StatusBadRequest, 7003,
		fmt.Sprintf("Could not route to %s, perhaps your object identifier is invalid?", path))
}

// injectedError is the body of a status forced by a fault: 429 reads like the real rate limit,
// anything else carries the status as its code so it is recognisable as injected.
func injectedError(status int) *apiError {
	if status == http.StatusTooManyRequests {
		return errRateLimited
	}
	text := strings.ToLower(strings.ReplaceAll(http.StatusText(status), " ", "_"))
	if text == "" {
		text = "injected_fault"
	}
	return newError(status, status, text)
}
