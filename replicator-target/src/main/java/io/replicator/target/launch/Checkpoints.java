package io.replicator.target.launch;

import java.io.IOException;
import java.time.Instant;
import java.util.List;

/**
 * Finds the checkpoint a launch asks for ({@code ID} or {@code latest}) in a source's history and
 * refuses, naming it, one that is unknown, pruned or not launchable. Stateless.
 */
final class Checkpoints {
    static final String LATEST = "latest";

    private Checkpoints() {
    }

    /**
     * The checkpoint {@code which} names: {@code latest} is the newest one launchable or waiting to be
     * applied. Pending ones are returned as they are: the caller waits for the volumes and asks again.
     */
    static LaunchPoint find(LaunchHistory history, String which) throws LaunchException, IOException {
        List<LaunchPoint> points = history.checkpoints();
        if (LATEST.equals(which)) {
            for (int i = points.size() - 1; i >= 0; i--) {
                LaunchPoint point = points.get(i);
                if (point.state() == LaunchPoint.State.LAUNCHABLE || point.state() == LaunchPoint.State.PENDING) {
                    return point;
                }
            }
            throw new LaunchException(404, "source " + history.sourceId() + " has no launchable checkpoint"
                    + (points.isEmpty() ? " (it has none: replicator checkpoint --admin SOURCE takes one)"
                            : " (" + kept(points) + ")"));
        }
        long id;
        try {
            id = Long.parseLong(which);
        } catch (NumberFormatException e) {
            throw new LaunchException(400, "checkpoint '" + which + "' is neither a checkpoint id nor latest");
        }
        for (LaunchPoint point : points) {
            if (point.checkpointId() == id) {
                return check(history, point, points);
            }
        }
        throw new LaunchException(404, "source " + history.sourceId() + " has no checkpoint " + id
                + (points.isEmpty() ? " (it has none)" : " (it has " + points.get(0).checkpointId() + " to "
                        + points.get(points.size() - 1).checkpointId() + "; " + kept(points) + ")"));
    }

    /** {@code point} if it can be launched or waits to be applied; else a refusal saying why. */
    static LaunchPoint check(LaunchHistory history, LaunchPoint point, List<LaunchPoint> points)
            throws LaunchException {
        return switch (point.state()) {
            case LAUNCHABLE, PENDING -> point;
            case PRUNED -> throw new LaunchException(409, "checkpoint " + point.checkpointId() + " of "
                    + history.sourceId() + " was pruned (" + kept(points) + ")");
            case NOT_LAUNCHABLE -> throw new LaunchException(409, "checkpoint " + point.checkpointId() + " of "
                    + history.sourceId() + " cannot be launched: " + point.reason());
        };
    }

    /** "history kept: since TIME (checkpoint N)", or that none is. */
    static String kept(List<LaunchPoint> points) {
        for (LaunchPoint point : points) {
            if (point.state() == LaunchPoint.State.LAUNCHABLE) {
                return "history kept: since " + Instant.ofEpochMilli(point.timeMs()) + " (checkpoint "
                        + point.checkpointId() + ")";
            }
        }
        return "history kept: no launchable checkpoint";
    }
}
