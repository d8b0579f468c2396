package client

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"strconv"
)

// maxListPages bounds a list a server never ends: 50,000 items at the default size, 500 times the secret quota.
const maxListPages = 500

// PageInfo is what one list page says of the whole list.
type PageInfo struct {
	TotalPages int  // the API's result_info; 0 when it sent none
	Last       bool // no page follows: this one is short or empty, or at total_pages
}

// listPage fetches one page (from 1) of a list route and checks its items (convert).
func listPage[T any](ctx context.Context, c *Client, rq request, page int, convert func(object) (T, error)) ([]T, PageInfo, error) {
	q := url.Values{"page": {strconv.Itoa(page)}, "per_page": {strconv.Itoa(c.pageSize)}}
	maps.Copy(q, rq.query)
	rq.query = q
	env, err := c.do(ctx, rq)
	if err != nil {
		return nil, PageInfo{}, err
	}
	items, err := decodeItems(env.Result, convert)
	if err != nil {
		return nil, PageInfo{}, fmt.Errorf("GET %s: decoding page %d: %w", rq.path, page, err)
	}
	var ri object // apart from the envelope: an odd result_info must not fail a list
	_ = json.Unmarshal(env.ResultInfo, &ri)
	info := PageInfo{TotalPages: int(ri.num("total_pages"))}
	info.Last = len(items) < c.pageSize || (info.TotalPages > 0 && page >= info.TotalPages)
	return items, info, nil
}

// listed is a type a list returns, known by its id.
type listed interface{ listID() string }

func (s Secret) listID() string { return s.ID }
func (s Store) listID() string  { return s.ID }

// listAll walks every page of a list route until one is Last. An item seen on an earlier page
// (the list shifted) is kept once; a page of only such items means the server ignores "page",
// an error rather than an endless loop, as is a list past maxListPages.
func listAll[T listed](ctx context.Context, c *Client, rq request, convert func(object) (T, error)) ([]T, error) {
	seen := map[string]bool{}
	var all []T
	for page := 1; ; page++ {
		if page > maxListPages {
			return nil, fmt.Errorf("GET %s: the list goes on past %d pages: stopped", rq.path, maxListPages)
		}
		items, info, err := listPage(ctx, c, rq, page, convert)
		if err != nil {
			return nil, err
		}
		fresh := 0
		for _, it := range items {
			if !seen[it.listID()] {
				seen[it.listID()] = true
				all = append(all, it)
				fresh++
			}
		}
		if len(items) > 0 && fresh == 0 {
			return nil, fmt.Errorf("GET %s: page %d repeats earlier items: the server does not page", rq.path, page)
		}
		if info.Last {
			return all, nil
		}
	}
}
