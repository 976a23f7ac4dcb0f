package io.parley.sdk;

import java.time.Duration;

/** Waits between retries; tests replace it so they do not really sleep. */
@FunctionalInterface
interface Sleeper {
  Sleeper REAL = d -> Thread.sleep(d.toMillis());

  void sleep(Duration duration) throws InterruptedException;
}
