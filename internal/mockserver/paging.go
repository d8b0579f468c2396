package mockserver

import (
	"cmp"
	"errors"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

const (
	defaultPerPage = 20
	maxPerPage     = 100
	defaultOrder   = "created"
)

type resultInfo struct {
	Page       int `json:"page"`
	PerPage    int `json:"per_page"`
	Count      int `json:"count"`
	TotalCount int `json:"total_count"`
	TotalPages int `json:"total_pages"`
}

// listQuery is a parsed list request. search and scopes apply to secret lists only.
type listQuery struct {
	page, perPage int
	order         string
	desc          bool
	search        string
	scopes        []string
}

// The orders each list accepts. Cloudflare's Go SDK offers secrets' five for store lists too;
// stores have no comment or status, so under those orders every store ties and the tie-break
// (id, in the direction asked) orders them.
var (
	storeOrders  = []string{"name", "comment", "created", "modified", "status"}
	secretOrders = []string{"name", "comment", "created", "modified", "status"}
)

// parseListQuery applies the paging Decision: page 0 is 1, per_page is clamped to 1..100 with 0
// or less meaning 20, and anything it cannot read is invalid_query.
func parseListQuery(raw string, orders []string) (listQuery, *apiError) {
	// Go refuses ';' in queries; the API reads it as a plain character (search=a;b).
	v, err := url.ParseQuery(strings.ReplaceAll(raw, ";", "%3B"))
	if err != nil {
		return listQuery{}, errInvalidQuery
	}
	q := listQuery{page: 1, perPage: defaultPerPage, order: defaultOrder}
	if p := v.Get("page"); p != "" {
		n, ok := parseCount(p)
		if !ok || n < 0 {
			return listQuery{}, errInvalidQuery
		}
		q.page = max(n, 1)
	}
	if p := v.Get("per_page"); p != "" {
		n, ok := parseCount(p)
		switch {
		case !ok:
			return listQuery{}, errInvalidQuery
		case n > 0:
			q.perPage = min(n, maxPerPage)
		}
	}
	if o := v.Get("order"); o != "" {
		if !slices.Contains(orders, o) {
			return listQuery{}, errInvalidQuery
		}
		q.order = o
	}
	switch v.Get("direction") {
	case "", "asc":
	case "desc":
		q.desc = true
	default:
		return listQuery{}, errInvalidQuery
	}
	q.search = v.Get("search")
	// scopes come as repeated keys, comma-separated, or both.
	for _, item := range v["scopes"] {
		for sc := range strings.SplitSeq(item, ",") {
			if sc = strings.TrimSpace(sc); sc == "" {
				continue
			}
			if !knownScopes[sc] {
				return listQuery{}, errInvalidQuery
			}
			q.scopes = append(q.scopes, sc)
		}
	}
	return q, nil
}

// parseCount reads a decimal integer; a number too large to hold saturates, so a far-away page
// is past the end rather than an error.
func parseCount(s string) (int, bool) {
	n, err := strconv.Atoi(s)
	if err == nil {
		return n, true
	}
	if errors.Is(err, strconv.ErrRange) {
		if s[0] == '-' {
			return math.MinInt, true
		}
		return math.MaxInt, true
	}
	return 0, false
}

// paginate cuts one page out of sorted items. A page past the end is empty, never an error.
func paginate[T any](items []T, q listQuery) ([]T, resultInfo) {
	total := len(items)
	pages := (total + q.perPage - 1) / q.perPage
	page := []T{}
	if q.page <= pages {
		start := (q.page - 1) * q.perPage
		page = append(page, items[start:min(start+q.perPage, total)]...)
	}
	return page, resultInfo{Page: q.page, PerPage: q.perPage, Count: len(page), TotalCount: total, TotalPages: pages}
}

// ordered compares by key, breaks ties by id in the same direction, and reverses for desc.
func ordered[T any](key func(a, b T) int, id func(T) string, desc bool) func(a, b T) int {
	return func(a, b T) int {
		c := key(a, b)
		if c == 0 {
			c = strings.Compare(id(a), id(b))
		}
		if desc {
			return -c
		}
		return c
	}
}

func sortStores(stores []*store, q listQuery) {
	var key func(a, b *store) int
	switch q.order {
	case "name":
		key = func(a, b *store) int { return strings.Compare(a.name, b.name) }
	case "modified":
		key = func(a, b *store) int { return a.modified.Compare(b.modified) }
	case "comment", "status":
		key = func(a, b *store) int { return 0 }
	default:
		key = func(a, b *store) int { return a.created.Compare(b.created) }
	}
	slices.SortFunc(stores, ordered(key, func(st *store) string { return st.id }, q.desc))
}

func sortSecrets(secrets []*secret, q listQuery, now time.Time) {
	var key func(a, b *secret) int
	switch q.order {
	case "name":
		key = func(a, b *secret) int { return strings.Compare(a.name, b.name) }
	case "comment":
		key = compareComments
	case "modified":
		key = func(a, b *secret) int { return a.modified.Compare(b.modified) }
	case "status":
		key = func(a, b *secret) int { return strings.Compare(a.status(now), b.status(now)) }
	default:
		key = func(a, b *secret) int { return a.created.Compare(b.created) }
	}
	slices.SortFunc(secrets, ordered(key, func(sec *secret) string { return sec.id }, q.desc))
}

// compareComments puts null comments first (ascending), before "".
func compareComments(a, b *secret) int {
	switch {
	case a.comment == nil && b.comment == nil:
		return 0
	case a.comment == nil:
		return -1
	case b.comment == nil:
		return 1
	}
	return cmp.Compare(*a.comment, *b.comment)
}

// filterSecrets keeps secrets whose name or comment contains search (any case) and that hold
// every scope asked for.
func filterSecrets(secrets []*secret, q listQuery) []*secret {
	search := strings.ToLower(q.search)
	return slices.DeleteFunc(secrets, func(sec *secret) bool {
		if search != "" && !strings.Contains(strings.ToLower(sec.name), search) &&
			(sec.comment == nil || !strings.Contains(strings.ToLower(*sec.comment), search)) {
			return true
		}
		for _, sc := range q.scopes {
			if !slices.Contains(sec.scopes, sc) {
				return true
			}
		}
		return false
	})
}
