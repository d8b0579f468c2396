package provider

import (
	"fmt"
	"strings"
)

// splitImportID splits an import id of the form "A/B[/C]" into exactly len(parts) segments.
// parts names the segments ("ACCOUNT_ID", "STORE_ID", …) for the error message, which shows
// the expected form and what was given. Every segment but a trailing name must be a 32-hex id.
func splitImportID(id string, parts []string, trailingName bool) ([]string, error) {
	form := strings.Join(parts, "/")
	segs := strings.Split(id, "/")
	if len(segs) != len(parts) {
		return nil, fmt.Errorf("the import id must have the form %s, got %q", form, id)
	}
	for i, s := range segs {
		if s == "" {
			return nil, fmt.Errorf("the import id must have the form %s, got %q: %s is empty", form, id, parts[i])
		}
		last := i == len(segs)-1
		if (!last || !trailingName) && !hexIDPattern.MatchString(s) {
			return nil, fmt.Errorf("the import id must have the form %s, got %q: %s must be 32 lowercase hexadecimal characters",
				form, id, parts[i])
		}
	}
	return segs, nil
}

// importBlock is the `import` block a diagnostic offers for adopting an object: to is the
// resource address (or a placeholder for it: the provider does not know it), id the import id.
func importBlock(to, id string) string {
	return fmt.Sprintf("  import {\n    to = %s\n    id = %q\n  }", to, id)
}
