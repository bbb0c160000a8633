package org.jnmf;

/** Told about a fit's progress at each loss check; called on the fitting thread. */
@FunctionalInterface
public interface ProgressListener {
    /**
     * @param iteration      iterations done so far
     * @param maxIterations  the budget
     * @param relativeError  ‖V−WH‖_F / ‖V‖_F now
     * @param relativeChange decrease of the error since the last check, relative to the initial error
     */
    void onCheck(int iteration, int maxIterations, double relativeError, double relativeChange);
}
