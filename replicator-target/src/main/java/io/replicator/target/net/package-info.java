/**
 * The receiver's network side on Netty: one {@link io.replicator.target.net.SessionHandler} per
 * connection runs the handshake, checks each frame cheaply and hands it to the session's apply
 * thread. Everything here runs on event loops and never touches a disk.
 */
package io.replicator.target.net;
