/**
 * The cutover report: the record a cutover leaves behind, for one server or a wave of them, read
 * by an auditor long after the tool is gone. {@link io.replicator.source.report.WaveReport} is the
 * model (who asked, when each phase happened, per server and volume what was sent, frozen and
 * proven); {@link io.replicator.source.report.ReportJson} owns its JSON form ({@code
 * report_schema} 1) and {@link io.replicator.source.report.ReportMarkdown} its page for people.
 * The command line composes a wave's report; the source daemon composes the one-server report of a
 * one-shot cutover and hands either to its receiver, which keeps it. Everything here is immutable
 * values and pure functions: thread-safe.
 */
package io.replicator.source.report;
