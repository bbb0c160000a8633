package org.jnmf.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes files so that a failure never leaves half of one: the bytes go to a temporary file in the
 * target's folder (named {@code .<name>.<random>.tmp}), which is flushed to disk and then renamed onto
 * the target with {@link StandardCopyOption#ATOMIC_MOVE}. Readers see the old file or the whole new one.
 */
public final class AtomicFiles {

    private AtomicFiles() {
    }

    /** Writes the bytes of one file to a stream (which the caller closes). */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Writes {@code target} atomically.
     *
     * @throws UncheckedIOException if writing fails; then neither the target nor a temporary file is changed or left
     */
    public static void write(Path target, Content content) {
        Map<Path, Content> one = new LinkedHashMap<>();
        one.put(target, content);
        writeAll(one);
    }

    /** Writes {@code text} as UTF-8 to {@code target} atomically. */
    public static void writeString(Path target, String text) {
        write(target, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Writes several files, all or none: every file is first written to its temporary file, and only when
     * all of them are complete are they moved into place. If a write fails, the temporary files are
     * deleted and no target is touched; if a move fails (rare: the folder vanished), the targets already
     * moved are deleted too.
     *
     * @param files target paths and their content, written in the map's iteration order
     * @throws UncheckedIOException naming the file that failed
     */
    public static void writeAll(Map<Path, Content> files) {
        List<Path> temps = new ArrayList<>();
        List<Path> targets = new ArrayList<>(files.keySet());
        int staged = 0;
        try {
            for (; staged < targets.size(); staged++) {
                stage(targets.get(staged), files.get(targets.get(staged)), temps);
            }
        } catch (IOException | RuntimeException | Error e) {
            deleteQuietly(temps);
            throw asUnchecked(e, "cannot write " + targets.get(staged));
        }
        int moved = 0;
        try {
            for (; moved < targets.size(); moved++) {
                move(temps.get(moved), targets.get(moved));
            }
        } catch (IOException | RuntimeException e) {
            deleteQuietly(temps.subList(moved, temps.size()));
            deleteQuietly(targets.subList(0, moved));
            throw asUnchecked(e, "cannot move a finished file onto " + targets.get(moved));
        }
    }

    /** Writes {@code content} to a new temporary file beside {@code target} and adds it to {@code temps}. */
    private static void stage(Path target, Content content, List<Path> temps) throws IOException {
        Path folder = target.toAbsolutePath().getParent();
        // Not Files.createTempFile: its owner-only permissions would stay on the result. CREATE_NEW
        // gives the usual permissions (as the umask allows) and never opens someone else's file.
        FileChannel opened = null;
        Path temp = null;
        while (opened == null) {
            temp = folder.resolve("." + target.getFileName() + "." + randomHex() + ".tmp");
            try {
                opened = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW);
            } catch (java.nio.file.FileAlreadyExistsException taken) {
                // Try another name.
            }
        }
        temps.add(temp);
        try (FileChannel channel = opened) {
            OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
            content.writeTo(out);
            out.flush();
            channel.force(true);
        }
    }

    /**
     * Creates and deletes a temporary file in {@code folder}, so that a job learns before its work that it
     * cannot write there (Files.createTempFile would do, but starts a SecureRandom: ~45 ms on a cold JVM).
     */
    public static void probeWritable(Path folder) throws IOException {
        while (true) {
            Path probe = folder.resolve(".jnmf-write-check-" + randomHex() + ".tmp");
            try {
                Files.newByteChannel(probe, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW).close();
                Files.delete(probe);
                return;
            } catch (java.nio.file.FileAlreadyExistsException taken) {
                // Try another name.
            }
        }
    }

    /**
     * A name part for temporary files. Not from a SecureRandom: CREATE_NEW, not the name, is what keeps
     * another's file from being opened, and a name already taken only means another draw.
     */
    private static String randomHex() {
        return Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong());
    }

    private static void move(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void deleteQuietly(List<Path> paths) {
        for (Path p : paths) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // Best effort: the original failure is what the caller needs to see.
            }
        }
    }

    private static RuntimeException asUnchecked(Throwable e, String what) {
        if (e instanceof Error error) {
            throw error;
        }
        if (e instanceof UncheckedIOException u) {
            return u;
        }
        if (e instanceof IOException io) {
            return new UncheckedIOException(what + ": " + describe(io), io);
        }
        return (RuntimeException) e;
    }

    /** An I/O exception's message with its kind where the message alone is only a path. */
    static String describe(IOException e) {
        String kind = switch (e) {
            case java.nio.file.NoSuchFileException x -> "no such file or folder";
            case java.nio.file.AccessDeniedException x -> "permission denied";
            case java.nio.file.FileSystemException x when x.getReason() != null -> x.getReason();
            default -> null;
        };
        return kind == null ? String.valueOf(e.getMessage()) : e.getMessage() + ": " + kind;
    }
}
