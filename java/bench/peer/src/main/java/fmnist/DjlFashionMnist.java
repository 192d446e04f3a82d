package fmnist;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPInputStream;

/**
 * Peer baseline: the reference Fashion-MNIST CNN trained with DJL on the PyTorch engine (CPU).
 *
 * <p>Conv2D(32,3x3,valid) - BN - ReLU - MaxPool2 - Conv2D(64,3x3,valid) - BN - ReLU - MaxPool2 -
 * Flatten - Dense(128) - ReLU - Dense(10); softmax cross-entropy, Adam(1e-3), batch 64. Layout NCHW
 * (what DJL/PyTorch use natively). Everything runs offline: libtorch and the JNI bridge come from
 * jars on the classpath, and DJL's offline mode + telemetry opt-out are forced before DJL starts.
 */
public final class DjlFashionMnist {

    private static final int H = 28;
    private static final int W = 28;
    private static final int PIXELS = H * W;
    private static final int CLASSES = 10;

    private DjlFashionMnist() {}

    /** Command-line options. */
    static final class Opts {
        String data = "/usr/share/datasets/fashion-mnist"; // default; override with --data DIR
        int epochs = 3;
        int batch = 64;
        int threads = 2;
        int seed = 42;
        float lr = 1e-3f;
        int latencyRuns = 200;
        int warmup = 50;
        int evalBatch = 1000;
        int limitTrain = 0; // 0 = all 60000 (a smaller number is for smoke tests)
        String profile = null; // write a PyTorch profiler trace of a few training steps here
        int profileSteps = 20;
        String model = "reference-cnn"; // or mobilenet-mini (qat4j's zoo MobileNetMini)

        static Opts parse(String[] args) {
            Opts o = new Opts();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                String v = i + 1 < args.length ? args[i + 1] : null;
                switch (a) {
                    case "--data": o.data = v; i++; break;
                    case "--epochs": o.epochs = Integer.parseInt(v); i++; break;
                    case "--batch": o.batch = Integer.parseInt(v); i++; break;
                    case "--threads": o.threads = Integer.parseInt(v); i++; break;
                    case "--seed": o.seed = Integer.parseInt(v); i++; break;
                    case "--lr": o.lr = Float.parseFloat(v); i++; break;
                    case "--latency-runs": o.latencyRuns = Integer.parseInt(v); i++; break;
                    case "--warmup": o.warmup = Integer.parseInt(v); i++; break;
                    case "--eval-batch": o.evalBatch = Integer.parseInt(v); i++; break;
                    case "--limit-train": o.limitTrain = Integer.parseInt(v); i++; break;
                    case "--profile": o.profile = v; i++; break;
                    case "--profile-steps": o.profileSteps = Integer.parseInt(v); i++; break;
                    case "--model": o.model = v; i++; break;
                    case "-h":
                    case "--help":
                        System.out.println(
                                "usage: java -jar target/djl-fmnist.jar [--data DIR] [--epochs N]"
                                        + " [--batch N] [--threads N] [--seed N] [--lr F]"
                                        + " [--latency-runs N] [--warmup N] [--eval-batch N]"
                                        + " [--limit-train N] [--profile FILE.json]"
                                        + " [--profile-steps N] [--model reference-cnn|mobilenet-mini]");
                        System.exit(0);
                        break;
                    default:
                        throw new IllegalArgumentException("unknown option: " + a);
                }
            }
            return o;
        }
    }

    /** Images (scaled to [0,1], row-major N x 784) and labels. */
    static final class Split {
        final float[] x;
        final long[] y;
        final int n;

        Split(float[] x, long[] y) {
            this.x = x;
            this.y = y;
            this.n = y.length;
        }
    }

    public static void main(String[] args) throws Exception {
        Opts o = Opts.parse(args);

        // Must happen before any DJL class initialises: no downloads, no telemetry (the telemetry
        // code would otherwise probe the EC2 metadata address), PyTorch engine, thread count.
        defaultProperty("ai.djl.offline", "true");
        defaultProperty("OPT_OUT_TRACKING", "true");
        defaultProperty("ai.djl.default_engine", "PyTorch");
        defaultProperty("ai.djl.pytorch.num_threads", Integer.toString(o.threads));
        defaultProperty("ai.djl.pytorch.graph_optimizer", "false"); // TorchScript only; silences log

        long tLoad = System.nanoTime();
        Split train = loadSplit(Paths.get(o.data), "train", o.limitTrain);
        Split test = loadSplit(Paths.get(o.data), "t10k", 0);
        System.out.printf(
                "data: %s  train=%d test=%d  (load %.2f s)%n",
                o.data, train.n, test.n, secs(System.nanoTime() - tLoad));

        long tEngine = System.nanoTime();
        Engine engine = Engine.getEngine("PyTorch");
        engine.setRandomSeed(o.seed);
        System.out.printf(
                "engine: %s %s  (DJL %s)  intra-op threads=%d inter-op threads=%d  init %.2f s%n",
                engine.getEngineName(),
                engine.getVersion(),
                Engine.getDjlVersion(),
                JniUtils.getNumThreads(),
                JniUtils.getNumInteropThreads(),
                secs(System.nanoTime() - tEngine));
        System.out.println("offline mode: " + ai.djl.util.Utils.isOfflineMode());
        System.out.println("libtorch build features:");
        JniUtils.getFeatures().stream().sorted().forEach(f -> System.out.println("  " + f));

        SequentialBlock net =
                switch (o.model) {
                    case "reference-cnn" -> referenceCnn();
                    case "mobilenet-mini" -> MobileNetMini.create();
                    default -> throw new IllegalArgumentException(
                            "--model must be reference-cnn or mobilenet-mini, got " + o.model);
                };
        System.out.println("model: " + o.model);

        Loss loss = Loss.softmaxCrossEntropyLoss(); // sparse labels, applies log-softmax to logits
        DefaultTrainingConfig cfg =
                new DefaultTrainingConfig(loss)
                        .optOptimizer(
                                Optimizer.adam()
                                        .optLearningRateTracker(Tracker.fixed(o.lr))
                                        .build())
                        .optDevices(new Device[] {Device.cpu()})
                        // Glorot-uniform weights (limit sqrt(6/(fan_in+fan_out))), zero biases,
                        // BN gamma=1 beta=0: the Keras defaults of the reference model.
                        .optInitializer(
                                new XavierInitializer(
                                        XavierInitializer.RandomType.UNIFORM,
                                        XavierInitializer.FactorType.AVG,
                                        3f),
                                Parameter.Type.WEIGHT);

        try (Model model = Model.newInstance("fmnist-cnn", "PyTorch")) {
            model.setBlock(net);
            try (Trainer trainer = model.newTrainer(cfg)) {
                trainer.initialize(new Shape(1, 1, H, W));
                long nParams =
                        net.getParameters().values().stream()
                                .filter(Parameter::requiresGradient)
                                .mapToLong(p -> p.getArray().size())
                                .sum();
                System.out.printf(
                        "model: trainable params=%d  batch=%d  lr=%g  epochs=%d  seed=%d%n",
                        nParams, o.batch, o.lr, o.epochs, o.seed);

                Random rng = new Random(o.seed);
                int[] order = new int[train.n];
                for (int i = 0; i < order.length; i++) {
                    order[i] = i;
                }
                double totalTrainSecs = 0;
                System.out.println(
                        "epoch | train wall s | train img/s | train loss | eval wall s | test acc"
                                + " | own CPU s | others' CPU s | med step ms | img/s@med");
                for (int epoch = 1; epoch <= o.epochs; epoch++) {
                    shuffle(order, rng);
                    CpuSample c0 = CpuSample.now();
                    long t0 = System.nanoTime();
                    long[] stepNs = new long[train.n / o.batch];
                    double lossSum =
                            runEpoch(trainer, loss, train, order, train.n, o.batch, stepNs);
                    double trainSecs = secs(System.nanoTime() - t0);
                    CpuSample c1 = CpuSample.now();
                    totalTrainSecs += trainSecs;
                    long t1 = System.nanoTime();
                    double acc = accuracy(trainer.getManager(), net, test, o.evalBatch);
                    double evalSecs = secs(System.nanoTime() - t1);
                    Arrays.sort(stepNs);
                    double medStep = stepNs.length > 0 ? stepNs[stepNs.length / 2] / 1e6 : 0;
                    System.out.printf(
                            "%5d | %12.2f | %11.1f | %10.4f | %11.2f | %.4f   | %9.1f | %13.1f"
                                    + " | %12.2f | %10.1f%n",
                            epoch,
                            trainSecs,
                            train.n / trainSecs,
                            lossSum / train.n,
                            evalSecs,
                            acc,
                            c1.self - c0.self,
                            c1.others() - c0.others(),
                            medStep,
                            o.batch / (medStep / 1e3));
                }
                if (o.epochs > 0) {
                    System.out.printf(
                            "total train wall %.2f s, mean %.1f img/s%n",
                            totalTrainSecs, (double) o.epochs * train.n / totalTrainSecs);
                }

                if (o.latencyRuns > 0) { // --latency-runs 0: training figures only
                    latency(trainer.getManager(), net, test, 1, o);
                    latency(trainer.getManager(), net, test, 64, o);
                }

                if (o.profile != null) { // last, so that it changes none of the figures above
                    profile(trainer, loss, train, o);
                }
            }
        }
        System.out.println("peak RSS (VmHWM): " + vmHwm());
    }

    /** The reference CNN (see the class comment). */
    static SequentialBlock referenceCnn() {
        return new SequentialBlock()
                .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).setFilters(32).build())
                .add(BatchNorm.builder().build())
                .add(Activation.reluBlock())
                .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).setFilters(64).build())
                .add(BatchNorm.builder().build())
                .add(Activation.reluBlock())
                .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(128).build())
                .add(Activation.reluBlock())
                .add(Linear.builder().setUnits(CLASSES).build());
    }

    /** One pass over the (shuffled) training set; returns the summed per-sample loss. */
    private static double runEpoch(
            Trainer trainer, Loss loss, Split train, int[] order, int n, int batch, long[] stepNs) {
        NDManager root = trainer.getManager();
        double lossSum = 0;
        int step = 0;
        float[] xb = new float[batch * PIXELS];
        long[] yb = new long[batch];
        for (int start = 0; start < n; start += batch) {
            int b = Math.min(batch, n - start); // last partial batch is kept (like Keras)
            long t0 = System.nanoTime();
            fill(train, order, start, b, xb, yb);
            try (NDManager m = root.newSubManager()) {
                NDArray x = m.create(b == batch ? xb : Arrays.copyOf(xb, b * PIXELS),
                        new Shape(b, 1, H, W));
                NDArray y = m.create(b == batch ? yb : Arrays.copyOf(yb, b), new Shape(b));
                try (GradientCollector gc = trainer.newGradientCollector()) {
                    NDList pred = trainer.forward(new NDList(x));
                    NDArray l = loss.evaluate(new NDList(y), pred);
                    gc.backward(l);
                    lossSum += l.getFloat() * b;
                }
                trainer.step();
            }
            if (stepNs != null && b == batch) {
                stepNs[step++] = System.nanoTime() - t0;
            }
        }
        return lossSum;
    }

    private static void fill(Split s, int[] order, int start, int b, float[] xb, long[] yb) {
        for (int i = 0; i < b; i++) {
            int idx = order[start + i];
            System.arraycopy(s.x, idx * PIXELS, xb, i * PIXELS, PIXELS);
            yb[i] = s.y[idx];
        }
    }

    /** Test accuracy, inference mode (BN running statistics, no autograd). */
    private static double accuracy(NDManager root, SequentialBlock net, Split test, int evalBatch) {
        ParameterStore ps = new ParameterStore(root, false);
        long correct = 0;
        for (int start = 0; start < test.n; start += evalBatch) {
            int b = Math.min(evalBatch, test.n - start);
            try (NDManager m = root.newSubManager()) {
                NDArray x =
                        m.create(
                                Arrays.copyOfRange(test.x, start * PIXELS, (start + b) * PIXELS),
                                new Shape(b, 1, H, W));
                NDArray logits = net.forward(ps, new NDList(x), false).singletonOrThrow();
                long[] pred = logits.argMax(1).toType(DataType.INT64, false).toLongArray();
                for (int i = 0; i < b; i++) {
                    if (pred[i] == test.y[start + i]) {
                        correct++;
                    }
                }
            }
        }
        return (double) correct / test.n;
    }

    /**
     * Single-batch inference latency, end to end as a Java caller sees it: Java float[] -> NDArray
     * -> forward (eval mode, no autograd) -> logits copied back to a Java float[].
     */
    private static void latency(NDManager root, SequentialBlock net, Split test, int b, Opts o) {
        ParameterStore ps = new ParameterStore(root, false);
        float[] xb = Arrays.copyOfRange(test.x, 0, b * PIXELS);
        Shape shape = new Shape(b, 1, H, W);
        float sink = 0;
        for (int i = 0; i < o.warmup; i++) {
            sink += runOnce(root, net, ps, xb, shape);
        }
        long[] ns = new long[o.latencyRuns];
        CpuSample c0 = CpuSample.now();
        for (int i = 0; i < o.latencyRuns; i++) {
            long t0 = System.nanoTime();
            sink += runOnce(root, net, ps, xb, shape);
            ns[i] = System.nanoTime() - t0;
        }
        CpuSample c1 = CpuSample.now();
        Arrays.sort(ns);
        double mean = Arrays.stream(ns).average().orElse(0) / 1e3;
        System.out.printf(
                "latency batch=%d: median %.1f us  p10 %.1f us  p90 %.1f us  mean %.1f us"
                        + "  (%d runs after %d warm-up; %.0f img/s at median; others' CPU %.2f s"
                        + " in %.2f s)  [sink %.3f]%n",
                b,
                ns[ns.length / 2] / 1e3,
                ns[ns.length / 10] / 1e3,
                ns[ns.length * 9 / 10] / 1e3,
                mean,
                o.latencyRuns,
                o.warmup,
                b / (ns[ns.length / 2] / 1e9),
                c1.others() - c0.others(),
                c1.wall - c0.wall,
                sink);
    }

    private static float runOnce(
            NDManager root, SequentialBlock net, ParameterStore ps, float[] xb, Shape shape) {
        try (NDManager m = root.newSubManager()) {
            NDArray x = m.create(xb, shape);
            float[] logits = net.forward(ps, new NDList(x), false).singletonOrThrow().toFloatArray();
            return logits[0];
        }
    }

    /**
     * Captures a PyTorch profiler trace of a few training steps and a few batch-64 inferences, to
     * see which native kernels run. Runs after all measurements, so it changes no figure.
     */
    private static void profile(Trainer trainer, Loss loss, Split train, Opts o) {
        int n = Math.min(train.n, o.profileSteps * o.batch);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SequentialBlock net = (SequentialBlock) trainer.getModel().getBlock();
        ParameterStore ps = new ParameterStore(trainer.getManager(), false);
        float[] xb = Arrays.copyOfRange(train.x, 0, o.batch * PIXELS);
        JniUtils.startProfile(false, true, false);
        runEpoch(trainer, loss, train, order, n, o.batch, null);
        for (int i = 0; i < 5; i++) {
            runOnce(trainer.getManager(), net, ps, xb, new Shape(o.batch, 1, H, W));
        }
        JniUtils.stopProfile(o.profile);
        System.out.println("profiler trace written to " + o.profile);
    }

    // ---------------------------------------------------------------- data

    static Split loadSplit(Path dir, String prefix, int limit) throws IOException {
        float[] x;
        long[] y;
        try (DataInputStream in = open(dir.resolve(prefix + "-images-idx3-ubyte.gz"))) {
            if (in.readInt() != 0x00000803) {
                throw new IOException("bad image magic in " + prefix);
            }
            int n = in.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            if (rows != H || cols != W) {
                throw new IOException("unexpected image size " + rows + "x" + cols);
            }
            int keep = limit > 0 ? Math.min(limit, n) : n;
            byte[] raw = new byte[keep * PIXELS];
            in.readFully(raw);
            x = new float[raw.length];
            for (int i = 0; i < raw.length; i++) {
                x[i] = (raw[i] & 0xff) / 255f;
            }
        }
        try (DataInputStream in = open(dir.resolve(prefix + "-labels-idx1-ubyte.gz"))) {
            if (in.readInt() != 0x00000801) {
                throw new IOException("bad label magic in " + prefix);
            }
            int n = in.readInt();
            int keep = x.length / PIXELS;
            if (n < keep) {
                throw new IOException("fewer labels than images in " + prefix);
            }
            byte[] raw = new byte[keep];
            in.readFully(raw);
            y = new long[keep];
            for (int i = 0; i < keep; i++) {
                y[i] = raw[i] & 0xff;
            }
        }
        return new Split(x, y);
    }

    private static DataInputStream open(Path p) throws IOException {
        InputStream in = Files.newInputStream(p);
        return new DataInputStream(new GZIPInputStream(in, 1 << 16));
    }

    // ---------------------------------------------------------------- utils

    /**
     * CPU seconds used by this process and by the whole machine (from /proc), so that each figure
     * says whether something else was competing for the 2 cores while it was measured.
     */
    static final class CpuSample {
        static final double TICK = 100.0; // USER_HZ on Linux
        final double self;
        final double machineBusy;
        final double wall;

        private CpuSample(double self, double machineBusy, double wall) {
            this.self = self;
            this.machineBusy = machineBusy;
            this.wall = wall;
        }

        double others() {
            return machineBusy - self;
        }

        static CpuSample now() {
            double self = Double.NaN;
            double busy = Double.NaN;
            try {
                String st = Files.readString(Paths.get("/proc/self/stat"));
                String[] f = st.substring(st.lastIndexOf(')') + 2).split(" ");
                self = (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICK; // utime + stime
                String cpu = Files.readAllLines(Paths.get("/proc/stat")).get(0);
                String[] c = cpu.trim().split("\\s+");
                long total = 0;
                for (int i = 1; i <= 8 && i < c.length; i++) {
                    total += Long.parseLong(c[i]);
                }
                long idle = Long.parseLong(c[4]) + Long.parseLong(c[5]); // idle + iowait
                busy = (total - idle) / TICK;
            } catch (IOException | RuntimeException e) {
                // not Linux: leave NaN
            }
            return new CpuSample(self, busy, System.nanoTime() / 1e9);
        }
    }

    private static void shuffle(int[] a, Random rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    private static void defaultProperty(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    private static double secs(long ns) {
        return ns / 1e9;
    }

    private static String vmHwm() {
        try {
            return Files.readAllLines(Paths.get("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("VmHWM"))
                    .map(l -> l.substring(6).trim())
                    .findFirst()
                    .orElse("n/a");
        } catch (IOException e) {
            return "n/a";
        }
    }
}
