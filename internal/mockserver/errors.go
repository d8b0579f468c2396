package mockserver

import (
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

// errorTable is every error the API routes answer, in the form the fidelity page lists them
// (placeholders in capitals); declare adds one. Errors forced by a Fault are not in it.
var errorTable []*apiError

func declare(status, code int, message string) *apiError {
	e := newError(status, code, message)
	errorTable = append(errorTable, e)
	return e
}

// fill returns the error with a placeholder of its message replaced.
func (e *apiError) fill(placeholder, value string) *apiError {
	return newError(e.status, e.code, strings.Replace(e.message, placeholder, value, 1))
}

// The rules of api-behaviour.md, one value per row.
var (
	errNoRoute          = declare(http.StatusNotFound, 7000, "No route for that URI")
	errMethodNotAllowed = declare(http.StatusMethodNotAllowed, 7001, "method_not_allowed")
	errAuthentication   = declare(http.StatusUnauthorized, 10000, "Authentication error")
	// Cloudflare answers a token lacking permission with the same code and message, as 403.
	errForbidden   = declare(http.StatusForbidden, 10000, "Authentication error")
	errRateLimited = declare(http.StatusTooManyRequests, 971, "Please wait and consider throttling your request speed")

	errStoreNotFound  = declare(http.StatusNotFound, 1001, "store_not_found")
	errSecretNotFound = declare(http.StatusNotFound, 1001, "secret_not_found")

	errInvalidJSON      = declare(http.StatusBadRequest, 1001, "invalid_json_body")
	errBodyTooLarge     = declare(http.StatusRequestEntityTooLarge, 1001, "request_body_too_large")
	errInvalidQuery     = declare(http.StatusBadRequest, 1001, "invalid_query")
	errStoreNameInvalid = declare(http.StatusBadRequest, 1001, "store_name_invalid")
	errSecretNameEmpty  = declare(http.StatusBadRequest, 1001, "secret_name_empty")
	errSecretNameBad    = declare(http.StatusBadRequest, 1001, "secret_name_invalid")
	errNameImmutable    = declare(http.StatusBadRequest, 1001, "secret_name_immutable")
	errScopesEmpty      = declare(http.StatusBadRequest, 1001, "secret_scopes_empty")
	errScopeInvalid     = declare(http.StatusBadRequest, 1001, "secret_scope_invalid")
	errValueEmpty       = declare(http.StatusBadRequest, 1001, "secret_value_empty")
	errValueTooLong     = declare(http.StatusBadRequest, 1001, "secret_value_too_long")
	errCommentTooLong   = declare(http.StatusBadRequest, 1001, "secret_comment_too_long")
	errAccountIDInvalid = declare(http.StatusBadRequest, 1001, "account_id_invalid")
	errAccountMismatch  = declare(http.StatusBadRequest, 1001, "account_id_mismatch")

	errStoreNameTaken = declare(http.StatusConflict, 1003, "store_name_already_exists")
	errStoreNotEmpty  = declare(http.StatusConflict, 1003, "store_not_empty")
	errMaxStores      = declare(http.StatusBadRequest, 1003, "maximum_stores_exceeded")

	errSecretNameTaken = declare(http.StatusConflict, 1003, "secret_name_already_exists: NAME")
	errMaxSecrets      = declare(http.StatusBadRequest, 1003, "maximum_secrets_exceeded: max N")
	errBadIdentifier   = declare(http.StatusBadRequest, 7003, "Could not route to PATH, perhaps your object identifier is invalid?")
)

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
