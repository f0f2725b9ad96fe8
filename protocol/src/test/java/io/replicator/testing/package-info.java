/**
 * What every module's tests share through the protocol test jar without being about the protocol:
 * {@link io.replicator.testing.SkipReasons}, which puts each skipped test's reason into the build log.
 */
package io.replicator.testing;
