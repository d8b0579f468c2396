package mockserver

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// mockPage is the mock's page: its own routes, the rules it enforces, how it differs.
const mockPage = "../../MOCK.md"

// tableUnder returns the body rows of the first table after a heading, cells trimmed.
func tableUnder(t *testing.T, path, heading string) [][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	at := slices.Index(lines, heading)
	if at < 0 {
		t.Fatalf("%s has no heading %q", path, heading)
	}
	var rows [][]string
	for _, line := range lines[at+1:] {
		if strings.HasPrefix(line, "#") {
			break
		}
		if !strings.HasPrefix(line, "|") {
			if len(rows) > 0 {
				break // the end of the first table
			}
			continue
		}
		var cells []string
		for c := range strings.SplitSeq(strings.Trim(line, "|"), "|") {
			cells = append(cells, strings.TrimSpace(c))
		}
		rows = append(rows, cells)
	}
	if len(rows) < 3 {
		t.Fatalf("%s: no table under %q", path, heading)
	}
	return rows[2:] // after the header and the separator
}

func code(s string) string { return "`" + s + "`" }

func codeList(items []string) string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = code(s)
	}
	return strings.Join(out, ", ")
}

// sameSet fails the test unless the page's rows (as keys) are exactly the table's.
func sameSet(t *testing.T, what string, page, table []string) {
	t.Helper()
	for _, p := range page {
		if !slices.Contains(table, p) {
			t.Errorf("%s: the page lists %q, which the mock's table lacks", what, p)
		}
	}
	for _, r := range table {
		if !slices.Contains(page, r) {
			t.Errorf("%s: the page lacks %q", what, r)
		}
	}
	if len(page) != len(slices.Compact(slices.Sorted(slices.Values(page)))) {
		t.Errorf("%s: the page lists a row twice", what)
	}
}

func TestMockPageRoutes(t *testing.T) {
	var page, table []string
	for _, row := range tableUnder(t, mockPage, "### Routes") {
		page = append(page, row[0]+" "+strings.Trim(row[1], "`"))
	}
	table = Routes()
	sameSet(t, "routes", page, table)
}

func TestMockPageLimits(t *testing.T) {
	want := map[string]string{
		"stores per account":     strconv.Itoa(defaultMaxStores),
		"secrets per account":    strconv.Itoa(defaultSecretQuota),
		"secret value":           fmt.Sprintf("1 to %d bytes", maxValueBytes),
		"comment":                fmt.Sprintf("%d characters", maxCommentRunes),
		"request body":           fmt.Sprintf("%d bytes", maxBodyBytes),
		"store and secret names": code(namePattern.String()),
		"scopes":                 codeList(scopeNames()),
		"page size":              fmt.Sprintf("default %d, at most %d", defaultPerPage, maxPerPage),
		"activation delay":       defaultActivationDelay.String(),
		"request rate":           "off",
	}
	if New(Options{}).opts.RateLimit != 0 {
		t.Fatal("the rate limit is on by default: the page says off")
	}
	var page, table []string
	for _, row := range tableUnder(t, mockPage, "### Limits") {
		page = append(page, row[0]+" = "+row[1])
	}
	for k, v := range want {
		table = append(table, k+" = "+v)
	}
	sameSet(t, "limits", page, table)
}

func TestMockPageListOrders(t *testing.T) {
	def := code(defaultOrder) + " ascending"
	table := []string{
		"stores: " + codeList(storeOrders) + " / " + def,
		"secrets: " + codeList(secretOrders) + " / " + def,
	}
	var page []string
	for _, row := range tableUnder(t, mockPage, "### List orders") {
		page = append(page, row[0]+": "+row[1]+" / "+row[2])
	}
	sameSet(t, "list orders", page, table)
}

func TestMockPageErrors(t *testing.T) {
	var page, table []string
	for _, row := range tableUnder(t, mockPage, "### Errors") {
		page = append(page, strings.Join(row, " "))
	}
	for _, e := range errorTable {
		table = append(table, fmt.Sprintf("%d %d %s", e.status, e.code, code(e.message)))
	}
	sameSet(t, "errors", page, table)
}

func TestMockPageOwnRoutes(t *testing.T) {
	var page, table []string
	for _, row := range tableUnder(t, mockPage, "## The mock's own routes") {
		page = append(page, row[0]+" "+strings.Trim(row[1], "`")+" "+row[2])
	}
	for _, m := range mockRoutes {
		table = append(table, m.key()+" "+string(m.access))
	}
	sameSet(t, "mock routes", page, table)
}
