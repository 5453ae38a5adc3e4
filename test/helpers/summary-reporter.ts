/**
 * Mocha's spec reporter plus one closing line "N passed, N failed" (", N skipped" when
 * some were), the plain summary CI reads.
 */
import Mocha from "mocha";

class SpecWithSummary extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const stats = runner.stats ?? { passes: 0, failures: 0, pending: 0 };
      const skipped = stats.pending > 0 ? `, ${stats.pending} skipped` : "";
      console.log(`\n${stats.passes} passed, ${stats.failures} failed${skipped}`);
    });
  }
}

export = SpecWithSummary;
