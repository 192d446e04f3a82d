package org.qat4j.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * The rows of {@link CliBadInputTest} about absurd options, data, outputs that are inputs, full
 * disks, diverged training, images and arrays (the files and models rows are in {@link
 * CliBadInputRows}).
 */
final class CliBadOptionRows {
  private CliBadOptionRows() {}

  private static final List<CliBadInputTest.Row> ROWS = new ArrayList<>();

  private static void row(String kind, String name, String args, int code, String message) {
    ROWS.add(new CliBadInputTest.Row(kind, name, args, code, message, false));
  }

  private static void diskFull(String name, String args) {
    ROWS.add(new CliBadInputTest.Row("disk full", name, args, 1, "No space left on device", true));
  }

  private static final String OUT = CliBadInputRows.OUT;
  private static final String QOUT = CliBadInputRows.QOUT;
  private static final String SMALL = CliBadInputRows.SMALL;

  static {
    absurdOptions();
    data();
    inEqualsOut();
    diskFullAndDivergence();
    imagesAndArrays();
  }

  static final List<CliBadInputTest.Row> ALL = List.copyOf(ROWS);

  private static void absurdOptions() {
    String k = "absurd option";
    String train = "train --model reference-cnn" + QOUT;
    row(k, "train --threads 10000", train + " --threads 10000", 2, "more than the cap of 256");
    row(k, "train --gemm-threads 0", train + " --gemm-threads 0", 2, "--gemm-threads: must be > 0");
    row(k, "train --gemm-threads 5000", train + " --gemm-threads 5000", 2, "more than the cap");
    row(
        k,
        "eval --threads 10000",
        "eval --model {f:float.tflite} --threads 10000",
        2,
        "more than the cap of 256");
    row(
        k,
        "bench --threads -1",
        "bench --model {f:float.tflite} --threads -1",
        2,
        "--threads: must be > 0");
    row(k, "demo --threads 100000", "demo --out {f:sub} --threads 100000", 2, "more than the cap");
    row(k, "train --epochs 0", train + " --epochs 0", 2, "--epochs: must be > 0");
    row(k, "train --epochs -3", train + " --epochs -3", 2, "--epochs: must be > 0");
    row(k, "train --epochs abc", train + " --epochs abc", 2, "'abc' is not an int");
    row(k, "train --batch-size 0", train + " --batch-size 0", 2, "--batch-size: must be > 0");
    row(k, "train --batch-size 100000", train + " --batch-size 100000", 2, "at most 4096");
    row(k, "train --lr -1", train + " --lr -1", 2, "--lr: must be a finite number > 0");
    row(k, "train --lr NaN", train + " --lr NaN", 2, "--lr: must be a finite number > 0");
    row(k, "train --lr Infinity", train + " --lr Infinity", 2, "--lr: must be a finite number > 0");
    row(k, "train --limit -5", train + " --limit -5", 2, "--limit: must be >= 0");
    row(k, "train --test-limit -1", train + " --test-limit -1", 2, "--test-limit: must be >= 0");
    row(
        k,
        "train --schedule step",
        train + " --schedule step",
        2,
        "--schedule: must be constant or cosine");
    row(k, "train --epoch (unknown option)", train + " --epoch 3", 2, "Unknown options: '--epoch'");
    row(
        k,
        "quantize --epochs 0",
        "quantize --in {f:cnn.q4j} --epochs 0" + QOUT,
        2,
        "--epochs: must be > 0");
    row(
        k,
        "ptq --calibration 0",
        "ptq --in {f:cnn.q4j} --calibration 0" + OUT,
        2,
        "--calibration: must be > 0");
    row(
        k,
        "ptq --calibration -1",
        "ptq --in {f:cnn.q4j} --calibration -1" + OUT,
        2,
        "--calibration: must be > 0");
    row(k, "ptq --io int16", "ptq --in {f:cnn.q4j} --io int16" + OUT, 2, "--io");
    row(k, "export --format int4", "export --in {f:cnn.q4j} --format int4" + OUT, 2, "--format");
    row(
        k,
        "export --format float --io uint8",
        "export --in {f:cnn.q4j} --format float --io uint8" + OUT,
        2,
        "needs --format int8");
    row(
        k,
        "verify --max-lsb -1",
        "verify --model {f:cnn.q4j} --tflite {f:int8.tflite} --max-lsb -1",
        2,
        "0 demands bit-exactness");
    row(
        k,
        "verify --limit -1",
        "verify --model {f:cnn.q4j} --tflite {f:int8.tflite} --limit -1",
        2,
        "--limit: must be >= 0");
    row(k, "bench --runs 0", "bench --model {f:float.tflite} --runs 0", 2, "--runs: must be > 0");
    row(
        k,
        "bench --warmup -1",
        "bench --model {f:float.tflite} --warmup -1",
        2,
        "--warmup: must be >= 0");
    row(
        k,
        "bench --min-secs 5 --max-secs 1",
        "bench --model {f:float.tflite} --min-secs 5 --max-secs 1",
        2,
        "need 0 <= min <= max");
    row(
        k,
        "bench --max-secs NaN",
        "bench --model {f:float.tflite} --max-secs NaN",
        2,
        "need 0 <= min <= max");
    row(k, "eval --backend gpu", "eval --model {f:float.tflite} --backend gpu", 2, "--backend");
    row(
        k,
        "eval --limit -1",
        "eval --model {f:float.tflite} --limit -1",
        2,
        "--limit: must be >= 0");
  }

  private static void data() {
    String k = "bad dataset";
    String train = "train --model reference-cnn --epochs 1 --limit 64" + QOUT + " --data ";
    row(k, "missing folder", train + "{f:no-such-data}", 2, "--data: no such file or folder");
    row(k, "folder lacking a file", train + "{f:data-missing}", 2, "lacks t10k-labels-idx1-ubyte");
    row(
        k,
        "IDX with a wrong magic number",
        train + "{f:data-badmagic}",
        2,
        "wrong IDX magic number");
    row(k, "IDX truncated", train + "{f:data-truncated}", 2, "truncated");
    row(k, "label count differs from image count", train + "{f:data-count}", 2, "count mismatch");
    row(k, ".gz that is not gzip", train + "{f:data-notgzip}", 2, "wrong IDX magic number");
    row(
        k,
        "eval on a damaged test IDX",
        "eval --model {f:float.tflite} --data {f:data-test-truncated}",
        2,
        "truncated");
  }

  private static void inEqualsOut() {
    String k = "output is an input";
    row(
        k,
        "ptq --in f.tflite --out f.tflite",
        "ptq --in {f:float.tflite} --data {data} --out {f:float.tflite}",
        2,
        "is the same file as --in");
    row(
        k,
        "export --in X.q4j --out X.q4j",
        "export --in {f:cnn.q4j} --format float --out {f:cnn.q4j}",
        2,
        "is the same file as --in");
    row(
        k,
        "export --out via ../ (normalisation)",
        "export --in {f:cnn.q4j} --format float --out {f:sub/../cnn.q4j}",
        2,
        "is the same file as --in");
    row(
        k,
        "export --out a symlink to --in",
        "export --in {f:cnn.q4j} --format int8 --out {f:link-to-cnn.q4j}",
        2,
        "is the same file as --in");
    row(
        k,
        "export --out a hard link to --in",
        "export --in {f:cnn.q4j} --format float --out {f:hardlink-to-cnn.q4j}",
        2,
        "is the same file as --in");
    row(
        k,
        "export of a QAT model onto itself",
        "export --in {f:cnn.qat} --format int8 --out {f:cnn.qat}",
        2,
        "is the same file as --in");
    row(
        k,
        "quantize --in X --out X",
        "quantize --in {f:cnn.q4j} --data {data} --out {f:cnn.q4j}",
        2,
        "is the same file as --in");
    row(
        k,
        "train --model X --out X",
        "train --model {f:cnn.q4j} --data {data} --out {f:cnn.q4j}",
        2,
        "is the same file as --model");
    row(
        k,
        "train --out a dataset file",
        "train --model reference-cnn --data {f:data-count} --out {f:data-count/train-labels-idx1-ubyte}",
        2,
        "is the same file as --data file");
    row(
        k,
        "export --out a folder",
        "export --in {f:cnn.q4j} --format float --out {f:sub}",
        2,
        "is a directory");
    row(
        k,
        "export --out under /proc",
        "export --in {f:cnn.q4j} --format float --out /proc/qat4j-test/x.tflite",
        2,
        "cannot create folder");
    row(
        k,
        "train --out unwritable, before training",
        "train --model reference-cnn --data {data} --out /proc/x.q4j",
        2,
        "cannot write in /proc");
    row(
        k,
        "demo --out an existing file",
        "demo --out {f:notes.txt}",
        2,
        "exists and is not a folder");
  }

  private static void diskFullAndDivergence() {
    diskFull(
        "export float over an existing .tflite",
        "export --in {f:cnn.q4j} --format float --out {f:victim.tflite}");
    diskFull(
        "export int8 over an existing .tflite",
        "export --in zoo:reference-cnn --format int8 --out {f:victim.tflite}");
    diskFull(
        "ptq over an existing .tflite",
        "ptq --in {f:cnn.q4j} --data {data} --calibration 64 --out {f:victim.tflite}");
    diskFull(
        "train over an existing .q4j",
        "train --model reference-cnn --data {data}" + SMALL + " --out {f:victim.q4j}");
    diskFull(
        "quantize over an existing QAT model",
        "quantize --in {f:cnn.q4j} --data {data}" + SMALL + " --out {f:victim.qat}");
    diskFull("report over an existing report.html", "report {f:out/report.json}");
    String k = "diverged training";
    row(
        k,
        "train --lr 1e9",
        "train --model reference-cnn --data {data} --lr 1e9 --limit 640 --test-limit 50 --epochs 1 --out {f:sub/div.q4j}",
        1,
        "training diverged");
    row(
        k,
        "quantize --lr 1e9",
        "quantize --in {f:cnn.q4j} --data {data} --lr 1e9 --limit 640 --test-limit 50 --out {f:sub/div.qat}",
        1,
        "training diverged");
  }

  private static void imagesAndArrays() {
    String k = "classify/run input";
    String cls = "classify --model {f:int8.tflite} ";
    row(k, "classify missing image", cls + "{f:nope.png}", 2, "IMAGE: no such file");
    row(k, "classify a text file", cls + "{f:notes.txt}", 2, "not a readable PNG/JPEG/BMP image");
    row(k, "classify --top 0", cls + "{f:img.png} --top 0", 2, "--top: must be > 0");
    row(
        k,
        "classify --mean NaN",
        cls + "{f:img.png} --mean NaN",
        2,
        "--mean: values must be finite");
    row(k, "classify --std 0", cls + "{f:img.png} --std 0", 2, "--std: values must be > 0");
    row(k, "classify --resize bad", cls + "{f:img.png} --resize fill", 2, "--resize: must be");
    row(
        k,
        "classify --labels missing",
        cls + "{f:img.png} --labels {f:nope.txt}",
        2,
        "--labels: no such file");
    String run = "run --model {f:int8.tflite} --input ";
    row(k, "run missing input", run + "{f:nope.npy}", 2, "--input: no such file");
    row(k, "run a text file", run + "{f:notes.txt}", 2, "is neither a .npy array nor an image");
    row(
        k,
        "run images and arrays mixed",
        run + "{f:img.png} {f:x-shape.npy}",
        2,
        "either images or .npy");
    row(
        k,
        "run .npy of the wrong shape",
        run + "{f:x-shape.npy}",
        2,
        "takes 784 values per sample");
    row(k, "run uint8 .npy for an int8 input", run + "{f:x-uint8.npy}", 2, "holds integers (U1)");
    row(
        k,
        "run two arrays for one input",
        run + "{f:x-shape.npy} {f:x-uint8.npy}",
        2,
        "has 1 input(s), got 2");
  }
}
