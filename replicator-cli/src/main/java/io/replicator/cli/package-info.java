/**
 * The {@code ./replicator} command line: one picocli command per subcommand of the contract in
 * PRODUCT.md, the admin endpoint both daemons serve ({@link io.replicator.cli.AdminServer}) and the
 * client the admin's commands use ({@link io.replicator.cli.AdminClient}), and the self-contained
 * demo. The only module that sees both the source and the target.
 */
package io.replicator.cli;
