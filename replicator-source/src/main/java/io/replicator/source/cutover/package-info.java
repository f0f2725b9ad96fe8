/**
 * The final sync's contact with the host: freezing and thawing file systems with {@code
 * fsfreeze}. The cutover job itself runs on the sync agent's thread ({@link
 * io.replicator.source.sync}).
 */
package io.replicator.source.cutover;
