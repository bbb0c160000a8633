package org.jnmf.cuda;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/** Looks up symbols of one library and makes downcall handles, naming a missing symbol and the library. */
final class Binder {
    private static final Linker LINKER = Linker.nativeLinker();

    private final SymbolLookup lookup;
    private final String location;

    Binder(SymbolLookup lookup, String location) {
        this.lookup = lookup;
        this.location = location;
    }

    /** A symbol the library should export and does not (an old or foreign library). */
    static final class MissingSymbol extends Exception {
        MissingSymbol(String message) {
            super(message, null, false, false);
        }
    }

    MethodHandle bind(String name, FunctionDescriptor descriptor, Linker.Option... options) throws MissingSymbol {
        return bindFirst(descriptor, options, name);
    }

    /** The first of {@code names} that the library exports (all must share the prototype). */
    MethodHandle bindFirst(FunctionDescriptor descriptor, String... names) throws MissingSymbol {
        return bindFirst(descriptor, new Linker.Option[0], names);
    }

    private MethodHandle bindFirst(FunctionDescriptor descriptor, Linker.Option[] options, String... names)
            throws MissingSymbol {
        for (String name : names) {
            Optional<MemorySegment> symbol = lookup.find(name);
            if (symbol.isPresent()) {
                return LINKER.downcallHandle(symbol.get(), descriptor, options);
            }
        }
        throw new MissingSymbol(location + " does not export " + String.join(" or ", names));
    }

    /**
     * What a failed {@code invokeExact} threw, as an unchecked exception for the binding's caller: runtime
     * exceptions and errors as they are (errors are thrown here), anything else wrapped.
     */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}
