// Package coalesce merges the API work of concurrent callers, per store, so that one provider
// process stays far below the API's rate limit (1,200 requests per 5 minutes) however many
// objects Terraform reads, creates or destroys at once (up to -parallelism calls in parallel).
//
// A Coalescer is made once per configured provider and wraps its *client.Client. It knows the
// client and nothing of Terraform. Work is keyed by route family, account and store id, and both
// families (account and /system) behave the same.
//
// # Reads come from a shared listing
//
// ReadSecret serves a secret from one listing of its store: pages of the client's page size,
// fetched on demand, one fetch per page however many readers wait for it. A listing lives for
// Options.ListingMaxAge (10s) and is dropped as soon as this process writes to the store through
// the Coalescer (create, patch, duplicate, delete), so a read that starts after a write sees it.
// A secret absent from the listing is confirmed with its own GET, whose answer (a 404 included)
// is returned as is: a "not found" is exactly as reliable as a GET.
//
// The cost of a listing is bounded by tokens: each read brings one, the listing one spare, and a
// page fetch or a GET spends one. A read that has not found its secret in the pages fetched so
// far waits for the page in flight, or fetches the next one only if the tokens left after that
// fetch still cover a GET for every read still waiting; otherwise it GETs. So within one listing
// requests never exceed reads + 1: a store full of secrets this configuration does not manage
// never costs more than one GET per read. Reads that cover the whole store cost its pages when
// they come in the store's order or all at once, since every read found in a page pays for a
// further fetch; in a random order, a few readers at a time, a few GETs more (a read GETs when
// no read has yet paid for the next page). ReadStore does the same over the owner's store list;
// ListSecrets returns the whole store in the API's default order from the same shared listing,
// paying for the pages it needs itself.
//
// # Creates and deletes go out in batches
//
// CreateSecret calls for one store that wait at the same time become one create-secrets request
// (the API's array body): a batch waits Options.BatchLinger (3ms) after its first item, never
// longer, and goes out at once when it reaches 100 items or Options.MaxBatchBytes of body (values
// are up to 64 KiB each, the API takes 1 MiB). The API creates all or none: when a batch fails
// with an answer about its items (400, 409, 413), an item the error names
// ("secret_name_already_exists: NAME") gets that error and the rest is resent, otherwise the batch
// is halved, until every failing item has the error the API gives it alone and every good item
// is created. Other failures (401, 403, 429 or 5xx after the client's retries, no answer) go to
// every item unchanged. An ambiguous answer is resolved inside client.CreateSecrets as for a
// single create: no duplicates, and no older secret adopted. Two creates of one name never share
// a batch.
//
// DeleteSecret calls batch the same way into one bulk delete. The API fails a bulk delete whole
// with 404 when one id is unknown, so that answer falls back to single deletes, where a 404 means
// "already gone" and is success.
//
// # Cancellation never loses a created object
//
// A batch runs on a context of its own (the first caller's values, never its cancellation),
// which ends only when no caller waits for it any more. A caller whose context ends before its
// item is sent (or while a split batch is between requests, after an answer that created
// nothing) is taken out of the batch and gets the context's error: nothing was done for it.
// A caller whose item is in flight keeps waiting for the outcome for up to Options.InFlightGrace
// (30s) and gets the created secret with a nil error: it checks ctx.Err() itself to learn it was
// interrupted, and records the secret. Only if the grace runs out first does it get an error
// wrapping ErrOutcomeUnknown (and the context's cause): the request may have taken effect.
// Finish gives the same treatment to single creating calls (CreateStore and DuplicateSecret use
// it), and DeleteStore uses it too.
//
// # Waiting for "active" through the listing
//
// WaitActive polls a secret until it is active. The first poll comes Options.PollFirstWait
// (250ms) after the call, then the wait doubles up to Options.PollMaxWait (1s). All waiters of a
// store share each poll: one page of the store ordered by modified time, newest first, where
// new and re-valued secrets are, serves them all (with the token rule above, so a poll never
// costs more than one request per waiter plus one); a lone waiter GETs. A caller that already
// holds an active secret sends nothing. A 404 within the caller's not-found grace is retried (a
// new secret may take a moment to be visible). When the caller's context ends the error is a
// *WaitError carrying the last status seen and the time waited.
//
// # A store's delete waits for its secrets' deletes
//
// Terraform deletes a store and secrets that name it by a literal id concurrently. DeleteStore
// therefore first waits until no delete of the store's secrets is queued or in flight in this
// process, and when the API still answers store_not_empty while this process is deleting (or has
// just deleted) secrets of the store, it waits for that work and retries, as long as progress
// continues. Otherwise the API's error is returned.
package coalesce
