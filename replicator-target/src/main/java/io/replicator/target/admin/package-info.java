/**
 * The receiver's admin endpoint: its routes (status, metrics, the cutover reports it keeps and the
 * release of a source's seal) on the shared {@code io.replicator.admin.AdminServer}, answered from
 * {@code TargetServer}'s public methods.
 */
package io.replicator.target.admin;
