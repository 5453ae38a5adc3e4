/**
 * Node status at most once a second: a node passing thousands of messages a second would
 * otherwise flood the editor with status events. The last change is always shown, a
 * moment later, so the status never stays behind after a burst. Used by the adapters.
 */

const INTERVAL_MS = 1000;

export interface StatusThrottle {
  /** Show the current state now if the last update is a second old, else shortly. */
  update(): void;
  /** Show the current state now (state changes the user must see at once). */
  now(): void;
  /** Cancel the pending update (node closing). */
  stop(): void;
}

export function statusThrottle(show: () => void): StatusThrottle {
  let shownAt = 0;
  let timer: NodeJS.Timeout | undefined;
  const showNow = () => {
    clearTimeout(timer);
    timer = undefined;
    shownAt = Date.now();
    show();
  };
  return {
    update() {
      const wait = shownAt + INTERVAL_MS - Date.now();
      if (wait <= 0) showNow();
      else if (!timer) timer = setTimeout(showNow, wait);
    },
    now: showNow,
    stop() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
