/**
 * What both daemons' admin endpoints share: the HTTP server ({@link io.replicator.admin.AdminServer},
 * its token auth, Host/Origin/Content-Type checks, HTTPS with admin certificates, deadlines and
 * eviction of slow connections), the loopback token file that its clients read too ({@link
 * io.replicator.admin.AdminToken}), the JSON mapper, {@code HOST:PORT} addresses and the loop that
 * keeps a daemon in the foreground until a signal. Knows no daemon: each daemon module registers
 * its own routes, in its own {@code admin} package.
 */
package io.replicator.admin;
