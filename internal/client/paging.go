package client

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"strconv"
)

// Bounds on one walk over a list, so that a server that never ends one costs bounded time and
// memory. 50,000 is 500 times the API's secret quota.
const (
	defaultListItemCap = 50_000
	defaultListPageCap = 1_000
)

// PageInfo describes one list page and what it says of the whole list.
type PageInfo struct {
	Page       int // the page asked for, from 1
	PerPage    int // the page size asked for
	TotalCount int // the API's result_info; 0 when it sent none
	TotalPages int
	// Last is true when no page follows: this one is short or empty, or at total_pages.
	Last bool
}

// PageSize is the page size the client asks for (Config.PageSize, at most 100).
func (c *Client) PageSize() int { return c.pageSize }

// listPage fetches one page of a list route and checks its items (convert).
func listPage[T any](ctx context.Context, c *Client, path string, q url.Values, page int, convert func(object) (T, error)) ([]T, PageInfo, error) {
	pq := url.Values{}
	maps.Copy(pq, q)
	pq.Set("page", strconv.Itoa(page))
	pq.Set("per_page", strconv.Itoa(c.pageSize))
	info := PageInfo{Page: page, PerPage: c.pageSize}
	env, err := c.do(ctx, request{method: "GET", path: path, query: pq})
	if err != nil {
		return nil, info, err
	}
	items, err := decodeItems(env.Result, convert)
	if err != nil {
		return nil, info, fmt.Errorf("GET %s: decoding page %d: %w", path, page, err)
	}
	info.TotalCount, info.TotalPages = env.totals()
	info.Last = len(items) < c.pageSize || (info.TotalPages > 0 && page >= info.TotalPages)
	return items, info, nil
}

// totals reads result_info apart from the envelope: an odd one must not fail a list.
func (e envelope) totals() (count, pages int) {
	var ri object
	_ = json.Unmarshal(e.ResultInfo, &ri)
	return int(ri.num("total_count")), int(ri.num("total_pages"))
}

// listAll walks every page of a list route until one is Last. An item seen on an earlier
// page (the list shifted) is kept once; a page of only such items means the server ignores
// "page", an error rather than an endless loop, as is a list past the walk's bounds.
func listAll[T any](ctx context.Context, c *Client, path string, q url.Values, convert func(object) (T, error), id func(T) string) ([]T, error) {
	seen := map[string]bool{}
	var all []T
	for page := 1; ; page++ {
		if page > c.listPageCap {
			return nil, fmt.Errorf("GET %s: the list goes on past %d pages: stopped", path, c.listPageCap)
		}
		items, info, err := listPage(ctx, c, path, q, page, convert)
		if err != nil {
			return nil, err
		}
		fresh := 0
		for _, it := range items {
			if k := id(it); !seen[k] {
				if len(all) == c.listItemCap {
					return nil, fmt.Errorf("GET %s: the list goes on past %d items: stopped", path, c.listItemCap)
				}
				seen[k] = true
				all = append(all, it)
				fresh++
			}
		}
		if len(items) > 0 && fresh == 0 {
			return nil, fmt.Errorf("GET %s: page %d repeats earlier items: the server does not page", path, page)
		}
		if info.Last {
			return all, nil
		}
	}
}
