package org.qat4j.cli;

/**
 * Child process of {@link CliResumeTest}: runs the CLI, and before step {@code qat4j.holdStep}
 * prints "HOLDING" and waits for SIGINT/SIGTERM, so the signal lands at a known step.
 */
public final class HeldTrainMain {
  private HeldTrainMain() {}

  public static void main(String[] args) {
    long hold = Long.getLong("qat4j.holdStep", -1);
    TrainCheckpoints.stepHook =
        (c, step) -> {
          if (step != hold) return;
          System.out.println("HOLDING");
          System.out.flush();
          for (int i = 0; i < 6000 && !c.signalled(); i++) {
            try {
              Thread.sleep(10);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              return;
            }
          }
        };
    System.exit(Main.run(args, System.out, System.err));
  }
}
