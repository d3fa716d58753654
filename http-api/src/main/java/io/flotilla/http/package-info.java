/**
 * The REST API every node serves, on Pekko HTTP. So far it serves blobs, the content-addressed layer archives that
 * clients upload and that nodes fetch from each other; every error is a JSON answer.
 */
package io.flotilla.http;
