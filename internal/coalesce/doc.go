// Package coalesce is the provider's one door to the API (Gateway). It merges the API work of
// concurrent callers, per store, so that one provider process stays far below the API's rate
// limit (1,200 requests per 5 minutes) however many objects Terraform reads, creates or
// destroys at once (up to -parallelism calls in parallel).
//
// A Gateway is made once per configured provider and wraps its *client.Client. It knows the
// client and nothing of Terraform. Work is keyed by route family, account and store id, and both
// families (account and /system) behave the same.
//
// # Reads come from a shared listing
//
// ReadSecret serves a secret from one listing of its store: pages of the client's page size,
// fetched on demand, one fetch per page however many readers wait for it. A listing lives for
// Options.ListingMaxAge (10s) and is dropped as soon as this process writes to the store through
// the Gateway (create, patch, duplicate, delete), so a read that starts after a write sees it.
// A secret absent from the listing is confirmed with its own GET, whose answer (a 404 included)
// is returned as is: a "not found" is exactly as reliable as a GET.
//
// The cost of a listing is bounded by tokens: each read brings one, the listing one spare, and a
// page fetch or a GET spends one. A read that has not found its secret in the pages fetched so
// far waits for the page in flight, or fetches the next one only if the tokens left after that
// fetch still cover a GET for every read still waiting. So within one listing requests do not
// exceed reads + 1: a store full of secrets this configuration does not manage never costs
// more than one GET per read. ReadStore does the same over the owner's store list;
// ListSecrets returns the whole store in the API's default order from the same shared
// listing, paying for the pages it needs itself.
//
// A read that cannot afford the next page, with none in flight, does not GET at once: it
// waits for something to change (a read comes, a read finds its secret in the pages fetched
// and frees its caller for another read, a page lands), because a read found pays for the
// next page. When nothing has changed for Options.ReadPatience (50ms), the oldest waiting read
// GETs, one at a time: its caller's next read may be found and pay. A caller alone pays at
// most one GET per read, each after the patience.
//
// One exception to the bound makes a refresh cheaper: when fewer than half as many pages are
// left (the API's total_pages says how many) as reads wait, the listing is finished rather
// than a GET spent per read. Without it, a refresh whose first reads (one per Terraform slot,
// ten by default) all miss the first page would stall, every slot held by a waiting read and no
// new read coming to pay for the next page, and GET one by one until a read is found (about
// one refresh in nine for a 5-page store read in a random order). The price, should most of
// those reads be of secrets deleted outside Terraform (each still costs its confirming GET),
// is the pages fetched: fewer than half a request per waiting read.
//
// # Creates and deletes go out in batches
//
// CreateSecret calls for one store that wait at the same time become one create-secrets request
// (the API's array body). A lone call goes Options.BatchLinger (3ms) after it came. Terraform,
// though, does not call at the same instant: it starts the calls of a wave (up to -parallelism)
// one by one as it records the results of the previous wave, over 50 to 250ms, mostly 1 to
// 30ms apart but at times 100ms. So during a burst for the store (its last call came at most
// Options.BurstWindow (2s) ago, or one of its batches is in flight, or a second call joined the
// batch) a batch waits for company until no call has joined it for Options.BurstQuiet (40ms)
// and no batch of the store is in flight (self-clocking: calls that come while a batch is in
// flight travel together in the next), but never longer than Options.BurstMaxWait (300ms)
// after its first call, nor later than BurstMaxWait before the earliest deadline of its
// callers (a caller short of time is not kept waiting for company). A batch goes at once when
// it reaches 100 items or Options.MaxBatchBytes of body (values are up to 64 KiB each, the API
// takes 1 MiB).
//
// The API creates all or none: when a batch fails with an answer about its items (400, 409,
// 413), an item the error names ("secret_name_already_exists: NAME") gets that error and the
// rest is resent, otherwise the batch is halved, until every failing item has the error the API
// gives it alone and every good item is created. Other failures (401, 403, 429 or 5xx after the
// client's retries, no answer) go to every item unchanged. An ambiguous answer is resolved
// inside client.CreateSecrets by looking the names up: when none exists the batch is resent
// once; otherwise each item whose name exists gets a *client.NameExistsError about that secret
// (it is never adopted: nothing proves it is ours) and the other items are sent again. Two
// creates of one name never share a batch.
//
// DeleteSecret calls batch the same way into one bulk delete. Terraform's deletes come as a
// stream, each as soon as another ends; the self-clocking gathers those that start while a bulk
// delete is in flight into the next. The API fails a bulk delete whole with 404 when one id is
// unknown, so that answer falls back to single deletes, where a 404 means "already gone" and is
// success.
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
// runDetached gives the same treatment to single creating calls (CreateStore and
// DuplicateSecret use it), and DeleteStore uses it too. PatchSecret uses runDetachedOnceSent,
// which differs in one respect: while none of the request's attempts has got a connection, the
// caller's end cancels it, and the caller gets its context's error (nothing was sent).
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
// continues. When it still answers store_not_empty, the store's secrets are listed: an empty
// store (deletes this process does not track had just landed) is deleted again, otherwise the
// error is a *StoreNotEmptyError naming the secrets left, for the caller to show.
//
// # Every other route passes through
//
// The Gateway is the provider's one door to the API: the routes with nothing to merge
// (PatchSecret, DuplicateSecret, CreateStore, GetQuota, FindSecretByName, ListStores, and
// ListSecrets with a search, filter or order) pass through to the client, and every write,
// batched or not, drops the listings it changed in one place (dropListings), before its caller
// learns the outcome.
package coalesce
