/**
 * What the runnable scripts (npm start, the demo servers and broker) share: reading
 * `--name value` options, and running a server until Ctrl+C or SIGTERM stops it.
 */

/** `--name value` from the command line, else the default. */
export function argument(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

/**
 * Start a server, say where it is (`announce`), and stop it cleanly on SIGINT or SIGTERM;
 * a failure to start is printed and exits with 1.
 */
export function runUntilStopped<T extends { stop(): Promise<void> }>(start: () => Promise<T>, announce: (running: T) => void): void {
  start()
    .then((running) => {
      announce(running);
      const shutdown = () => running.stop().then(() => process.exit(0));
      process.once("SIGINT", shutdown);
      process.once("SIGTERM", shutdown);
    })
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
