/**
 * The receiver's admin endpoint: its routes (status, metrics) on the shared
 * {@code io.replicator.admin.AdminServer}, answered from {@code TargetServer}'s public methods.
 */
package io.replicator.target.admin;
