/**
 * {@code ./replicator pki}: the commands that make and run the deployment's certificate authority
 * (init, issue, revoke) on top of {@code io.replicator.protocol.tls}. Each command runs once on the
 * main thread and exits; errors exit 2 with one line. The layout and formats are in
 * {@code docs/security.md}.
 */
package io.replicator.cli.pki;
