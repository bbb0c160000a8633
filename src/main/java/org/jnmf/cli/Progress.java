package org.jnmf.cli;

import java.io.PrintStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

/** Progress bars on stderr for long commands: only on a terminal (never when piped) and never with --quiet. */
final class Progress {
    private Progress() {
    }

    /** Whether to draw bars: not quiet, and stderr is a terminal (the launcher says so through -Djnmf.stderrTty). */
    static boolean shown(boolean quiet) {
        if (quiet) {
            return false;
        }
        String tty = System.getProperty("jnmf.stderrTty");
        if (tty != null) {
            return Boolean.parseBoolean(tty);
        }
        java.io.Console console = System.console();
        return console != null && console.isTerminal();
    }

    /** A bar counting to {@code max} in {@code unit}s, cleared when closed. */
    static ProgressBar bar(String task, long max, String unit, PrintStream err) {
        return new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(max)
                .setUnit(unit, 1)
                .setUpdateIntervalMillis(250)
                .setConsumer(new ConsoleProgressBarConsumer(err))
                .clearDisplayOnFinish()
                .build();
    }
}
