package org.jnmf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The compiled module-info: module org.jnmf exports every library package, needs nothing at run time but the
 * JDK (the command line's and the charts' libraries are {@code requires static}), and lets picocli reach the
 * command classes.
 */
class ModuleDescriptorTest {
    @Test
    void theLibraryModuleExportsItsPackagesAndRequiresOnlyTheJdkAtRunTime() throws Exception {
        Path compiled = Path.of("target", "classes", "module-info.class");
        assertTrue(Files.exists(compiled), "no module-info.class in target/classes");
        ModuleDescriptor d;
        try (InputStream in = Files.newInputStream(compiled)) {
            d = ModuleDescriptor.read(in);
        }
        assertEquals("org.jnmf", d.name());
        Set<String> exported = d.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
        assertEquals(Set.of("org.jnmf", "org.jnmf.analysis", "org.jnmf.backend", "org.jnmf.bench", "org.jnmf.cuda",
                "org.jnmf.demo", "org.jnmf.io"), exported);
        for (ModuleDescriptor.Requires r : d.requires()) {
            boolean jdk = r.name().startsWith("java.") || r.name().startsWith("jdk.");
            assertTrue(jdk || r.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC),
                    r.name() + " is required at run time; only JDK modules may be");
        }
        assertTrue(d.requires().stream().anyMatch(r -> r.name().equals("jdk.incubator.vector")
                && !r.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC)));
        assertTrue(d.opens().stream().anyMatch(o -> o.source().equals("org.jnmf.cli") && o.targets().equals(
                Set.of("info.picocli"))));
    }
}
