// Package coalesce is the provider's one door to the API: a Gateway, made once per configured
// provider over its *client.Client, serves every route the provider's types use and merges the
// work of concurrent callers per store (route family, account and store id), so that one
// provider process stays far below the API's rate limit however many objects Terraform handles
// at once. It knows the client and nothing of Terraform. DESIGN.md ("Request cost", "Nothing
// orphaned") gives the reasons; the rules are:
//
//   - Reads (ReadSecret, ReadStore, ListSecrets) come from one shared listing per store (or
//     owner), paged on demand, one fetch per page for every reader, dropped after
//     Options.ListingMaxAge or as soon as this process writes to the store. Each read brings a
//     token and the listing one spare; a page or a GET spends one, so requests never exceed
//     reads + 1 (listing.find says when a read waits, GETs, or finishes the listing).
//   - Creates and deletes of one store are batched (one create-secrets array, one bulk delete),
//     self-clocked: an item goes at once while no batch of its store is in flight, else with all
//     that came meanwhile when it returns, or halfway to its caller's deadline (batchRules). A
//     batch that fails about its items is split until each item has the API's own answer.
//   - Cancellation never loses a created object: an item not yet sent leaves with its context's
//     error; one in flight waits Options.InFlightGrace for the outcome, else its error wraps
//     ErrOutcomeUnknown. Unbatched writes run detached the same way (runDetached).
//   - WaitActive polls for "active" through one page of the store, newest modified first,
//     shared by all its waiters.
//   - DeleteStore waits for this process's deletes of the store's secrets first, and names the
//     secrets left when the API still answers store_not_empty.
//   - Every write drops the listings it changed (dropListings) before its caller learns the
//     outcome; the other routes pass through (routes.go).
package coalesce
