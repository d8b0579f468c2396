package provider

import (
	"fmt"
	"strings"
	"time"

	"github.com/secretsstore/terraform-provider-secretsstore/internal/client"
)

// nameExistsDetail explains a create whose outcome is unknown after which its name is taken
// (client.NameExistsError): what failed, what exists, that nothing was recorded or changed,
// and the import block that adopts the object if it is the user's. The provider never adopts
// it itself: nothing the API returns proves which writer made it.
func nameExistsDetail(f routeFamily, e *client.NameExistsError) string {
	var b strings.Builder
	fmt.Fprintf(&b, "This apply's create request failed: %v.", e.Cause)
	if e.Resend != nil {
		fmt.Fprintf(&b, " The name was free afterwards, so the request was sent once more, and that failed too: %v.", e.Resend)
	}
	b.WriteString(" The API may or may not have acted on it.")
	for _, o := range e.Existing {
		where := "in account " + o.Account
		if o.Kind == "secret" {
			where = "in store " + o.StoreID
		}
		fmt.Fprintf(&b, "\n\nA %s named %s now exists %s: id %s, created %s.", o.Kind, o.Name, where, o.ID, o.Created.Format(time.RFC3339))
		if e.CreatedBeforeSend(o) {
			fmt.Fprintf(&b, " It was created before this apply sent its request (%s), so it is someone else's.",
				e.Sent.UTC().Format(time.RFC3339))
		} else {
			fmt.Fprintf(&b, " It was created %s this apply sent its request (at %s by this machine's clock, which may "+
				"differ from the API's): it may have been created by this request or by another writer at about the same "+
				"time; the API gives no means to tell.", sinceSend(o.Created, e.Sent), e.Sent.UTC().Format(time.RFC3339))
		}
		typeName, id := f.typeName("secretsstore", "secret"), o.Account+"/"+o.StoreID+"/"+o.ID
		if o.Kind == "store" {
			typeName, id = f.typeName("secretsstore", "store"), o.Account+"/"+o.ID
		}
		fmt.Fprintf(&b, "\n\nTerraform recorded nothing and changed nothing: the %s keeps what it holds. If it is yours, "+
			"adopt it with this block (to is the resource this error is shown for), then apply again:\n\n"+
			"%s\n\nIf it is not yours, choose another name.", o.Kind, importBlock(typeName+".<name>", id))
	}
	return b.String()
}

// sinceSend says how long before or after sent created was, to the second.
func sinceSend(created, sent time.Time) string {
	d := created.Sub(sent).Round(time.Second)
	switch {
	case d < 0:
		return (-d).String() + " before"
	case d > 0:
		return d.String() + " after"
	}
	return "within a second of when"
}
