package client

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
)

// maxPages stops a walk over a server that never returns a short page.
const maxPages = 10000

// PageInfo describes one list page and what it says of the whole list.
type PageInfo struct {
	Page    int // the page asked for, from 1
	PerPage int // the page size asked for
	// TotalCount and TotalPages are the API's result_info; 0 when it sent none.
	TotalCount int
	TotalPages int
	// Last is true when no page follows: this one is short or empty, or it is at or past
	// total_pages.
	Last bool
}

// PageSize is the page size the client asks for (Config.PageSize, at most 100).
func (c *Client) PageSize() int { return c.pageSize }

// listPage fetches one page of a list route and decodes its items.
func listPage[W any](ctx context.Context, c *Client, path string, q url.Values, page int) ([]W, PageInfo, error) {
	pq := url.Values{}
	for k, v := range q {
		pq[k] = v
	}
	pq.Set("page", strconv.Itoa(page))
	pq.Set("per_page", strconv.Itoa(c.pageSize))
	info := PageInfo{Page: page, PerPage: c.pageSize}

	env, err := c.doEnvelope(ctx, call{method: "GET", path: path, query: pq})
	if err != nil {
		return nil, info, err
	}
	items, err := decodeList[W](env.Result)
	if err != nil {
		return nil, info, fmt.Errorf("GET %s: decoding page %d: %w", path, page, err)
	}
	if ri := env.ResultInfo; ri != nil {
		info.TotalCount, info.TotalPages = int(ri.TotalCount), int(ri.TotalPages)
	}
	info.Last = len(items) < c.pageSize || (info.TotalPages > 0 && page >= info.TotalPages)
	return items, info, nil
}

// listAll walks every page of a list route: per_page is the client's page size, pages
// count from 1, and the walk stops at the first page shorter than per_page (or empty), or
// at total_pages when the API gives it. A page made only of ids already seen means the
// server ignores "page": that is an error rather than an endless loop.
func listAll[W any](ctx context.Context, c *Client, path string, q url.Values, id func(W) string) ([]W, error) {
	seen := map[string]bool{}
	var all []W
	for page := 1; page <= maxPages; page++ {
		items, info, err := listPage[W](ctx, c, path, q, page)
		if err != nil {
			return nil, err
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
		if info.Last {
			return all, nil
		}
	}
	return nil, fmt.Errorf("GET %s: more than %d pages", path, maxPages)
}
