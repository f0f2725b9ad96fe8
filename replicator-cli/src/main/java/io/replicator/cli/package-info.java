/**
 * The {@code ./replicator} command line: one picocli command per subcommand of the contract in
 * PRODUCT.md, the client the admin's commands use ({@link io.replicator.cli.AdminClient}) and the
 * self-contained demo. It parses flags, starts a daemon (whose module starts its own admin
 * endpoint) or calls an endpoint, and prints. The only module that sees both the source and the
 * target. {@code cutover} orchestrates a wave of servers over their endpoints ({@link
 * io.replicator.cli.WaveCutover}, one {@link io.replicator.cli.WavePhase} at a time, each server's
 * answers in a {@link io.replicator.cli.WaveServer}) and prints its report ({@link
 * io.replicator.cli.CutoverPrinter}).
 */
package io.replicator.cli;
