package client

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
)

// maxPages stops a walk over a server that never returns a short page.
const maxPages = 10000

// listAll walks every page of a list route: per_page is the client's page size, pages
// count from 1, and the walk stops at the first page shorter than per_page (or empty).
// result_info is ignored: not every API version sends it, and the official SDKs page the
// same way. A page made only of ids already seen means the server ignores "page": that is
// an error rather than an endless loop.
func listAll[W any](ctx context.Context, c *Client, path string, q url.Values, id func(W) string) ([]W, error) {
	if q == nil {
		q = url.Values{}
	}
	seen := map[string]bool{}
	var all []W
	for page := 1; page <= maxPages; page++ {
		pq := url.Values{}
		for k, v := range q {
			pq[k] = v
		}
		pq.Set("page", strconv.Itoa(page))
		pq.Set("per_page", strconv.Itoa(c.pageSize))

		raw, err := c.do(ctx, call{method: "GET", path: path, query: pq})
		if err != nil {
			return nil, err
		}
		items, err := decodeList[W](raw)
		if err != nil {
			return nil, fmt.Errorf("GET %s: decoding page %d: %w", path, page, err)
		}
		fresh := 0
		for _, it := range items {
			k := id(it)
			if k == "" || !seen[k] {
				fresh++
			}
			seen[k] = true
		}
		if len(items) > 0 && fresh == 0 {
			return nil, fmt.Errorf("GET %s: page %d repeats earlier items: the server does not page", path, page)
		}
		all = append(all, items...)
		if len(items) < c.pageSize {
			return all, nil
		}
	}
	return nil, fmt.Errorf("GET %s: more than %d pages", path, maxPages)
}
