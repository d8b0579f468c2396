package client

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
)

// Bounds on one walk over a list, so that a server that never ends a list (or never
// pages) costs bounded time and memory. 50,000 is 500 times the API's secret quota.
const (
	defaultListItemCap = 50_000
	defaultListPageCap = 1_000
)

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

// listPage fetches one page of a list route, decodes its items and checks them (convert).
func listPage[W, T any](ctx context.Context, c *Client, path string, q url.Values, page int, convert func(W) (T, error)) ([]T, PageInfo, error) {
	pq := url.Values{}
	for k, v := range q {
		pq[k] = v
	}
	pq.Set("page", strconv.Itoa(page))
	pq.Set("per_page", strconv.Itoa(c.pageSize))
	info := PageInfo{Page: page, PerPage: c.pageSize}

	env, err := c.doEnvelope(ctx, request{method: "GET", path: path, query: pq})
	if err != nil {
		return nil, info, err
	}
	items, err := decodeItems(env.Result, convert)
	if err != nil {
		return nil, info, fmt.Errorf("GET %s: decoding page %d: %w", path, page, err)
	}
	if ri := env.resultInfo(); ri != nil {
		info.TotalCount, info.TotalPages = int(ri.TotalCount), int(ri.TotalPages)
	}
	info.Last = len(items) < c.pageSize || (info.TotalPages > 0 && page >= info.TotalPages)
	return items, info, nil
}

// listAll walks every page of a list route: per_page is the client's page size, pages
// count from 1, and the walk stops at the first page shorter than per_page (or empty), or
// at total_pages when the API gives it. An item seen on an earlier page (the list shifted
// while paging) is kept once. A page made only of items already seen means the server
// ignores "page": that is an error rather than an endless loop, as is a list longer than
// the walk's bounds (listItemCap items, listPageCap pages).
func listAll[W, T any](ctx context.Context, c *Client, path string, q url.Values, convert func(W) (T, error), id func(T) string) ([]T, error) {
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
