/**
 * The source daemon: {@link io.replicator.source.SourceDaemon} owns one replication of a set of
 * volumes to one target and answers the admin's status, sync, verify and cutover requests. Its
 * configuration is {@link io.replicator.source.SourceConfig}; its meters {@link
 * io.replicator.source.SourceMetrics}.
 */
package io.replicator.source;
