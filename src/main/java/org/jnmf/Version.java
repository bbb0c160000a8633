package org.jnmf;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The jnmf version, from the build. */
public final class Version {
    private Version() {
    }

    /** The project version ({@code unknown} when run from unfiltered sources). */
    public static String current() {
        try (InputStream in = Version.class.getResourceAsStream("/org/jnmf/version.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version", "");
                if (!v.isEmpty() && !v.startsWith("${")) {
                    return v;
                }
            }
        } catch (IOException ignored) {
            // Fall through to the manifest.
        }
        String fromJar = Version.class.getPackage().getImplementationVersion();
        return fromJar != null ? fromJar : "unknown";
    }
}
