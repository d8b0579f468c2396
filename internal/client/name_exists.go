package client

import (
	"fmt"
	"strings"
	"time"
)

// clockDoubt is how far this machine's clock and the API's may plausibly differ. An object
// created more than clockDoubt before the first send was certainly not made by it. The
// bound only chooses the words of NameExistsError; no decision depends on it.
const clockDoubt = time.Minute

// ExistingObject is an object found holding a name after a create whose outcome is unknown.
type ExistingObject struct {
	Kind    string // "secret" or "store"
	Account string // the owner's account id (account_id, or account_tag on /system)
	ID      string
	Name    string
	StoreID string    // a secret's store; "" for a store
	Created time.Time // by the API's clock; zero when the API did not say
}

// NameExistsError is a create whose outcome is unknown (the API answered 5xx, the connection
// broke after the request was sent, or a success could not be read) after which objects
// with its names exist. They may be someone else's or the request's own: the API gives no
// means to tell, so the client takes none of them as its result, and sent nothing to them.
type NameExistsError struct {
	Method, Path string
	// Cause is the first send's failure. Resend is the one resend's, when the names were
	// free after the first send and taken when the resend went out; nil otherwise.
	Cause, Resend error
	Sent          time.Time // when the first send started, by this machine's clock
	Existing      []ExistingObject
}

// CreatedBeforeSend reports whether o was created before the request was first sent on any
// plausible pair of clocks (clockDoubt): then it is certainly not the request's doing.
func (e *NameExistsError) CreatedBeforeSend(o ExistingObject) bool {
	return !o.Created.IsZero() && o.Created.Before(e.Sent.Add(-clockDoubt))
}

// For returns e about the object named name alone (each item of a batch gets its own), or
// nil when no object of e has that name.
func (e *NameExistsError) For(name string) *NameExistsError {
	for _, o := range e.Existing {
		if o.Name == name {
			one := *e
			one.Existing = []ExistingObject{o}
			return &one
		}
	}
	return nil
}

func (e *NameExistsError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: the create request's outcome is unknown (%v", e.Method, e.Path, e.Cause)
	if e.Resend != nil {
		fmt.Fprintf(&b, "; resent once: %v", e.Resend)
	}
	b.WriteString(") and ")
	for i, o := range e.Existing {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s %q (id %s, created %s)", o.Kind, o.Name, o.ID, o.Created.Format(time.RFC3339))
	}
	b.WriteString(" now exists: not taken as its result, nothing changed")
	return b.String()
}
