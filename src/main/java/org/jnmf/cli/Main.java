package org.jnmf.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.jnmf.NmfException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code jnmf} command line: {@code jnmf fit INPUT --rank K --out DIR} and friends.
 *
 * <p>Every error ends the run with one line on stderr, {@code jnmf: <message>}, and exit status 2 for
 * usage and input errors or 1 for other failures; {@code --debug} adds the stack trace. {@link #run}
 * does all of it without calling {@link System#exit}, for tests and embedding.
 */
@Command(name = "jnmf", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = "Non-negative matrix factorization V ≈ W·H on the JVM.",
        footer = {"", "Run 'jnmf <command> --help' for a command's options."})
public final class Main implements Callable<Integer> {
    private final PrintStream err;

    private Main(PrintStream err) {
        this.err = err;
    }

    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        System.out.flush();
        System.exit(status);
    }

    /**
     * Runs the command line {@code args}, writing results to {@code out} and errors and progress to
     * {@code err}; never exits the JVM.
     *
     * @return the exit status: 0 on success, 2 for usage and input errors, 1 for other failures
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        boolean debug = Arrays.asList(args).contains("--debug");
        CommandLine cli = new CommandLine(new Main(err));
        // Subcommands get the streams; a new one is one more line here.
        Map<String, Supplier<Object>> commands = new LinkedHashMap<>();
        commands.put("fit", () -> new FitCommand(out, err));
        commands.put("transform", () -> new TransformCommand(out, err));
        commands.put("demo", () -> new DemoCommand(out, err));
        commands.put("devices", () -> new DevicesCommand(out));
        commands.put("plot", () -> new PlotCommand(out));
        commands.put("rank", () -> new RankCommand(out, err));
        commands.put("bench", () -> BenchCommand.commandLine(out, err));
        // picocli builds a command's model from its annotations by reflection, ~0.15 s for all of them on a
        // cold JVM: a named command gets only its own; the rest (jnmf --help, a misspelt name) get all.
        String named = args.length > 0 ? args[0] : "";
        commands.forEach((name, command) -> {
            if (name.equals(named) || !commands.containsKey(named)) {
                cli.addSubcommand(name, command.get());
            }
        });
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setParameterExceptionHandler((e, arguments) -> {
            String command = e.getCommandLine().getCommandSpec().qualifiedName();
            fail(err, e.getMessage() + " (see '" + command + " --help')", e, debug);
            return CliException.USAGE;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> report(e, err, debug));
        try {
            return cli.execute(args);
        } catch (RuntimeException | Error e) {
            return report(e, err, debug);
        }
    }

    /** Prints one line for {@code e} and returns the exit status it means. */
    static int report(Throwable e, PrintStream err, boolean debug) {
        int status;
        String message;
        switch (e) {
            case CliException c -> {
                status = c.exitCode();
                message = c.getMessage();
            }
            case IllegalArgumentException iae -> {
                status = CliException.USAGE;
                message = iae.getMessage();
            }
            case UncheckedIOException io -> {
                status = CliException.FAILURE;
                message = io.getMessage();
            }
            case NmfException nmf -> {
                status = CliException.FAILURE;
                message = nmf.getMessage();
            }
            case OutOfMemoryError oom -> {
                status = CliException.FAILURE;
                message = "out of memory (" + oom.getMessage() + "); give the JVM more heap, e.g. ./jnmf -Xmx16g …"
                        + " (or JNMF_JAVA_OPTS=-Xmx16g),"
                        + " or use --precision single";
            }
            default -> {
                status = CliException.FAILURE;
                message = "internal error: " + e + (debug ? "" : " (run with --debug for the stack trace)");
            }
        }
        fail(err, message, e, debug);
        return status;
    }

    private static void fail(PrintStream err, String message, Throwable e, boolean debug) {
        String line = message == null ? e.getClass().getName() : message.replaceAll("\\s*\\R\\s*", " ").strip();
        err.println("jnmf: " + line);
        if (debug) {
            e.printStackTrace(err);
        }
        err.flush();
    }

    /** Without a command: say what to run. */
    @Override
    public Integer call() {
        err.println("jnmf: name a command, e.g. 'jnmf fit data.csv --rank 10 --out result' (see 'jnmf --help')");
        return CliException.USAGE;
    }

    /** The project version, from the build ({@code unknown} when run from unfiltered sources). */
    public static String version() {
        return org.jnmf.Version.current();
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"jnmf " + version(),
                    "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")"};
        }
    }
}
