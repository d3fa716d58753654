/**
 * The REST API: Pekko HTTP routes, JSON views, auth, server-sent events, blobs and CI webhooks. It talks to the
 * scheduler only through its ask protocol.
 *
 * <p>Nothing is here yet: the API comes with its own issue.
 */
package io.flotilla.http;
