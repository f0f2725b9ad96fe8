/**
 * What a cutover leaves on the receiver: the seal of a source id ({@link
 * io.replicator.target.cutover.SealFile}, {@code DATA/ID/cutover-seal.json}), after which the receiver
 * takes nothing more from that source until an administrator releases it, and the reports of
 * cutovers ({@link io.replicator.target.cutover.ReportStore}, {@code DATA/reports/ID.json} and {@code
 * .md}). {@link io.replicator.target.cutover.Cutovers} holds both for the receiver's threads: the
 * apply thread of a session stores and seals, event loops ask whether a source is sealed, the admin
 * routes list, show and release. Everything here is thread-safe; files are written durably (temporary
 * file, force, rename, force the directory).
 */
package io.replicator.target.cutover;
