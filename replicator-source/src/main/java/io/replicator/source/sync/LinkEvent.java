package io.replicator.source.sync;

import io.netty.channel.Channel;
import io.replicator.protocol.wire.Frame;

/** What the event loop tells the sync agent about a connection. Each names its channel so stale events are ignored. */
sealed interface LinkEvent extends AgentCommand {
    Channel channel();

    record Connected(Channel channel) implements LinkEvent {
    }

    record ConnectFailed(Channel channel, Throwable cause) implements LinkEvent {
    }

    record Received(Channel channel, Frame frame) implements LinkEvent {
    }

    record WritabilityChanged(Channel channel) implements LinkEvent {
    }

    record Closed(Channel channel, Throwable cause) implements LinkEvent {
    }
}
