package mockserver

import (
	"strings"
	"testing"
	"testing/synctest"
)

func TestAuthMissingCredentials401(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		h.send(req{method: "GET", path: accountFam.base + "/stores"}).fails(401, 10000, "Authentication error")
		h.send(req{method: "GET", path: systemFam.base + "/stores"}).fails(401, 10000, "Authentication error")
	})
}

func TestAuthBadCredentials401(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{Email: "me@example.com", Key: "k"})
		path := accountFam.base + "/stores"
		for name, hdr := range map[string]map[string]string{
			"wrong token":         {"Authorization": "Bearer nope"},
			"empty bearer":        {"Authorization": "Bearer "},
			"not bearer":          {"Authorization": "Basic " + writeToken},
			"wrong key":           {"X-Auth-Email": "me@example.com", "X-Auth-Key": "wrong"},
			"email only":          {"X-Auth-Email": "me@example.com"},
			"bad bearer wins":     {"Authorization": "Bearer nope", "X-Auth-Email": "me@example.com", "X-Auth-Key": "k"},
			"token as legacy key": {"X-Auth-Email": "me@example.com", "X-Auth-Key": writeToken},
		} {
			t.Logf("%s", name) // the cases share one server, in one bubble
			h.send(req{method: "GET", path: path, header: hdr}).fails(401, 10000, "Authentication error")
		}
	})
}

func TestAuthLegacyEmailKeyWrites(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{Email: "me@example.com", Key: "k"})
		legacy := map[string]string{"X-Auth-Email": "me@example.com", "X-Auth-Key": "k"}
		st := h.defaultStore()
		h.send(req{method: "POST", path: accountFam.base + "/stores/" + st + "/secrets", header: legacy,
			body: []any{item("LEGACY", "v")}}).ok(nil)
		h.send(req{method: "GET", path: accountFam.base + "/quota", header: legacy}).ok(nil)
		// Legacy credentials are account credentials: not for /system.
		h.send(req{method: "GET", path: systemFam.base + "/stores", header: legacy}).fails(403, 10000, "Authentication error")
	})
}

func TestAuthLegacyDisabledWhenUnset(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		h.send(req{method: "GET", path: accountFam.base + "/stores",
			header: map[string]string{"X-Auth-Email": "", "X-Auth-Key": ""}}).fails(401, 10000, "Authentication error")
	})
}

func TestAuthReadTokenReads(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		st := h.defaultStore()
		sec := h.createSecret(accountFam, st, "READABLE")
		for _, p := range []string{"/stores", "/stores/" + st, "/stores/" + st + "/secrets", secretPath(st, sec.ID), "/quota"} {
			h.send(req{method: "GET", path: accountFam.base + p, token: readToken}).ok(nil)
		}
	})
}

func TestAuthReadTokenWrites403(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{MaxStores: 3})
		st := h.defaultStore()
		sec := h.createSecret(accountFam, st, "KEEP")
		for _, r := range []req{
			{method: "POST", path: "/stores", body: map[string]any{"name": "x"}},
			{method: "DELETE", path: "/stores/" + st},
			{method: "POST", path: "/stores/" + st + "/secrets", body: []any{item("X", "v")}},
			{method: "DELETE", path: "/stores/" + st + "/secrets", body: map[string]any{"ids": []string{sec.ID}}},
			{method: "PATCH", path: secretPath(st, sec.ID), body: map[string]any{"comment": "x"}},
			{method: "DELETE", path: secretPath(st, sec.ID)},
			{method: "POST", path: secretPath(st, sec.ID) + "/duplicate", body: map[string]any{"name": "Y", "scopes": []string{"workers"}}},
		} {
			r.path, r.token = accountFam.base+r.path, readToken
			h.send(r).fails(403, 10000, "Authentication error")
		}
		if len(h.srv.Stores()) != 1 || len(h.srv.Secrets(st)) != 1 {
			t.Fatal("a refused write changed state")
		}
	})
}

func TestAuthAccountTokenOnSystemRoute403(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{Email: "me@example.com", Key: "k"})
		for _, tok := range []string{writeToken, readToken} {
			h.send(req{method: "GET", path: systemFam.base + "/stores", token: tok}).fails(403, 10000, "Authentication error")
		}
	})
}

func TestAuthServiceTokenOnAccountRoute403(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		for _, tok := range []string{alphaToken, betaToken} {
			h.send(req{method: "GET", path: accountFam.base + "/stores", token: tok}).fails(403, 10000, "Authentication error")
			h.send(req{method: "GET", path: accountFam.base + "/quota", token: tok}).fails(403, 10000, "Authentication error")
		}
	})
}

func TestAuthOtherAccount403ForEveryToken(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{Email: "me@example.com", Key: "k"})
		acct := strings.Replace(accountFam.base, DefaultAccount, otherAccount, 1)
		sys := strings.Replace(systemFam.base, DefaultAccount, otherAccount, 1)
		for _, tok := range []string{writeToken, readToken} {
			h.send(req{method: "GET", path: acct + "/stores", token: tok}).fails(403, 10000, "Authentication error")
			h.send(req{method: "GET", path: acct + "/stores/not-an-id", token: tok}).fails(403, 10000, "Authentication error")
		}
		h.send(req{method: "GET", path: acct + "/quota",
			header: map[string]string{"X-Auth-Email": "me@example.com", "X-Auth-Key": "k"}}).fails(403, 10000, "Authentication error")
		for _, tok := range []string{alphaToken, betaToken} {
			h.send(req{method: "POST", path: sys + "/stores", token: tok,
				body: map[string]any{"name": "s", "account_id": 1}}).fails(403, 10000, "Authentication error")
		}
		if len(h.srv.Stores()) != 1 {
			t.Fatal("a store was made for another account")
		}
	})
}

func TestAuthCustomAccountAndToken(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{Account: otherAccount, Token: "custom"})
		h.send(req{method: "GET", path: "/accounts/" + otherAccount + "/secrets_store/stores", token: "custom"}).ok(nil)
		h.send(req{method: "GET", path: accountFam.base + "/stores", token: "custom"}).fails(403, 10000, "Authentication error")
		h.send(req{method: "GET", path: "/accounts/" + otherAccount + "/secrets_store/stores", token: writeToken}).
			fails(401, 10000, "Authentication error")
	})
}

func TestOrderOfChecks_RouteBeforeAuth(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		h.send(req{method: "GET", path: accountFam.base + "/nowhere"}).fails(404, 7000, "No route for that URI")
		h.send(req{method: "PUT", path: accountFam.base + "/stores"}).fails(405, 7001, "method_not_allowed")
	})
}

func TestOrderOfChecks_AuthBeforePathIDs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		h.send(req{method: "GET", path: accountFam.base + "/stores/BAD"}).fails(401, 10000, "Authentication error")
		h.send(req{method: "DELETE", path: accountFam.base + "/stores/BAD", token: readToken}).fails(403, 10000, "Authentication error")
		h.send(req{method: "GET", path: accountFam.base + "/stores/BAD", token: alphaToken}).fails(403, 10000, "Authentication error")
	})
}

func TestOrderOfChecks_PathIDFormatBeforeNotFound(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		// A malformed secret id is reported even though the store does not exist.
		p := accountFam.base + secretPath(missingID, "XYZ")
		h.send(req{method: "GET", path: p, token: writeToken}).
			fails(400, 7003, "Could not route to "+p+", perhaps your object identifier is invalid?")
		h.do(accountFam, "GET", secretPath(missingID, missingID), nil).fails(404, 1001, "store_not_found")
		h.do(accountFam, "GET", secretPath(h.defaultStore(), missingID), nil).fails(404, 1001, "secret_not_found")
	})
}

func TestOrderOfChecks_NotFoundBeforeBody(t *testing.T) {
	forBoth(t, func(t *testing.T, h *harness, f fam) {
		h.do(f, "POST", "/stores/"+missingID+"/secrets", "{not json").fails(404, 1001, "store_not_found")
		st := h.store(f)
		h.do(f, "PATCH", secretPath(st, missingID), "{not json").fails(404, 1001, "secret_not_found")
	})
}

func TestOrderOfChecks_BodyBeforeConflict(t *testing.T) {
	forBoth(t, func(t *testing.T, h *harness, f fam) {
		st := h.store(f)
		h.createSecret(f, st, "TAKEN")
		// The first item clashes, the second is invalid: the body check comes first.
		h.do(f, "POST", "/stores/"+st+"/secrets", []any{item("TAKEN", "v"), item("bad name", "v")}).
			fails(400, 1001, "secret_name_invalid")
		// A store name that is taken and the store limit: the conflict comes first.
		if !f.system {
			h.do(f, "POST", "/stores", map[string]any{"name": defaultStoreName}).fails(409, 1003, "store_name_already_exists")
		}
	})
}

func TestOrderOfChecks_ConflictBeforeQuota(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{SecretQuota: 1})
		st := h.defaultStore()
		h.createSecret(accountFam, st, "ONE")
		h.do(accountFam, "POST", "/stores/"+st+"/secrets", []any{item("ONE", "v")}).fails(409, 1003, "secret_name_already_exists: ONE")
		h.do(accountFam, "POST", "/stores/"+st+"/secrets", []any{item("TWO", "v")}).fails(400, 1003, "maximum_secrets_exceeded: max 1")
	})
}

func TestOrderOfChecks_BatchReportsFirstFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Options{})
		st := h.defaultStore()
		h.do(accountFam, "POST", "/stores/"+st+"/secrets", []any{
			item("OK", "v"), item("", "v"), item("bad name", "v"), item("X", ""),
		}).fails(400, 1001, "secret_name_empty")
		h.do(accountFam, "POST", "/stores/"+st+"/secrets", []any{
			item("OK", "v"), item("B", "", "workers"), item("C", "v", "nope"),
		}).fails(400, 1001, "secret_value_empty")
		// Within one item, fields are checked in body order: name, value, scopes, comment.
		h.do(accountFam, "POST", "/stores/"+st+"/secrets", []any{
			withComment(map[string]any{"name": "A", "scopes": []string{"nope"}}, strings.Repeat("c", 2000)),
		}).fails(400, 1001, "secret_value_empty")
		h.do(accountFam, "POST", "/stores/"+st+"/secrets", []any{
			withComment(item("A", "v", "nope"), strings.Repeat("c", 2000)),
		}).fails(400, 1001, "secret_scope_invalid")
	})
}
