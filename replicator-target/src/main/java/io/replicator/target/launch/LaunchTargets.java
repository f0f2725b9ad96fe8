package io.replicator.target.launch;

import io.replicator.target.apply.DeviceSize;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides where each volume of a launch is written and refuses what must not be written: an output
 * directory that is missing, not writable or inside the receiver's data or journal directory; an
 * existing {@code NAME.img} (a launch never overwrites); a mapped device that is missing, not a
 * block device, one the receiver writes, mapped twice, or smaller than its volume; a map naming a
 * volume the source does not have; a volume with nowhere to go. Stateless.
 */
final class LaunchTargets {
    private LaunchTargets() {
    }

    static List<VolumeOutput> plan(LaunchRequest request, List<LaunchVolume> volumes, LaunchHistories histories)
            throws LaunchException, IOException {
        Set<String> names = new java.util.LinkedHashSet<>();
        volumes.forEach(v -> names.add(v.name()));
        for (String name : request.map().keySet()) {
            if (!names.contains(name)) {
                throw new LaunchException(400, "source " + request.sourceId() + " has no volume '" + name + "' (its "
                        + "volumes: " + String.join(", ", names) + ")");
            }
        }
        Path outDir = request.outDir() == null ? null : checkOutDir(request.outDir(), histories.receiverDirs());
        Set<Path> receiverVolumes = new HashSet<>();
        for (Path path : histories.receiverVolumes()) {
            receiverVolumes.add(real(path));
        }
        Set<Path> devices = new HashSet<>();
        List<VolumeOutput> outputs = new ArrayList<>();
        for (LaunchVolume volume : volumes) {
            Path device = request.map().get(volume.name());
            if (device != null) {
                Path real = checkDevice(volume, device, receiverVolumes);
                if (!devices.add(real)) {
                    throw new LaunchException(400, "device " + device + " is mapped to more than one volume");
                }
                outputs.add(new VolumeOutput(volume, real, real, true));
            } else if (outDir == null) {
                throw new LaunchException(400, "volume " + volume.name() + " of source " + request.sourceId()
                        + " has nowhere to go: give --out DIR or --map " + volume.name() + "=DEVICE");
            } else {
                Path image = outDir.resolve(volume.name() + ".img");
                if (Files.exists(image, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    throw new LaunchException(409, image + " exists: a launch never overwrites a file; remove it or "
                            + "choose another --out");
                }
                outputs.add(new VolumeOutput(volume, outDir.resolve(volume.name() + PartialLedger.PARTIAL_SUFFIX),
                        image, false));
            }
        }
        return outputs;
    }

    private static Path checkOutDir(Path outDir, List<Path> receiverDirs) throws LaunchException, IOException {
        if (!outDir.isAbsolute()) {
            throw new LaunchException(400, "--out " + outDir + " is not an absolute path");
        }
        if (!Files.isDirectory(outDir)) {
            throw new LaunchException(400, "--out " + outDir + " is not a directory (create it first)");
        }
        if (!Files.isWritable(outDir)) {
            throw new LaunchException(400, "--out " + outDir + " is not writable by the receiver");
        }
        Path real = outDir.toRealPath();
        for (Path dir : receiverDirs) {
            Path receiverDir = real(dir);
            if (real.startsWith(receiverDir)) {
                throw new LaunchException(400, "--out " + outDir + " is inside the receiver's directory " + dir
                        + ", which replication writes: choose a directory outside it");
            }
        }
        return real;
    }

    private static Path checkDevice(LaunchVolume volume, Path device, Set<Path> receiverVolumes)
            throws LaunchException, IOException {
        if (!Files.exists(device)) {
            throw new LaunchException(400, "--map " + volume.name() + "=" + device + ": no such device");
        }
        Path real = device.toRealPath();
        if (!DeviceSize.isBlockDevice(real)) {
            throw new LaunchException(400, "--map " + volume.name() + "=" + device + " is not a block device (use "
                    + "--out DIR for image files)");
        }
        if (receiverVolumes.contains(real)) {
            throw new LaunchException(400, "--map " + volume.name() + "=" + device + " is a volume the receiver "
                    + "replicates onto: a launch never writes one");
        }
        long size = DeviceSize.sizeBytes(real);
        if (size < volume.sizeBytes()) {
            throw new LaunchException(400, String.format("--map %s=%s: the device holds %d bytes, the volume needs %d",
                    volume.name(), device, size, volume.sizeBytes()));
        }
        return real;
    }

    private static Path real(Path path) {
        try {
            return path.toRealPath();
        } catch (IOException e) {
            return path.toAbsolutePath().normalize();
        }
    }
}
