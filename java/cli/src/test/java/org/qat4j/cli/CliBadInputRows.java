package org.qat4j.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * The rows of {@link CliBadInputTest} about missing, damaged and mistyped files and models, grouped
 * by kind; docs/RELIABILITY.md lists the totals.
 */
final class CliBadInputRows {
  private CliBadInputRows() {}

  private static final List<CliBadInputTest.Row> ROWS = new ArrayList<>();

  private static void row(String kind, String name, String args, int code, String message) {
    ROWS.add(new CliBadInputTest.Row(kind, name, args, code, message, false));
  }

  static final String OUT = " --out {f:sub/o.tflite}";
  static final String QOUT = " --out {f:sub/o.q4j}";
  static final String SMALL = " --limit 128 --test-limit 50 --epochs 1";

  static {
    missingFiles();
    damagedTflite();
    wrongTypes();
    damagedModels();
    nonFinite();
    mismatched();
  }

  /** Every row: files and models here, options and outputs in {@link CliBadOptionRows}. */
  static final List<CliBadInputTest.Row> ALL = all();

  private static List<CliBadInputTest.Row> all() {
    List<CliBadInputTest.Row> all = new ArrayList<>(ROWS);
    all.addAll(CliBadOptionRows.ALL);
    return List.copyOf(all);
  }

  private static void missingFiles() {
    String k = "missing file";
    row(
        k,
        "train --model missing",
        "train --model {f:nope.q4j}" + QOUT,
        2,
        "neither a known architecture");
    row(
        k,
        "train --model unknown architecture",
        "train --model resnet18" + QOUT,
        2,
        "known architecture (reference-cnn, mobilenet-mini");
    row(k, "quantize --in missing", "quantize --in {f:nope.q4j}" + QOUT, 2, "nope.q4j' is neither");
    row(k, "ptq --in missing", "ptq --in {f:nope.q4j}" + OUT, 2, "nope.q4j' is neither");
    row(
        k,
        "export --in missing",
        "export --in {f:nope.q4j} --format float" + OUT,
        2,
        "nope.q4j' is neither");
    row(k, "eval --model missing", "eval --model {f:nope.tflite}", 2, "no such file");
    row(k, "bench --model missing", "bench --model {f:nope.tflite}", 2, "no such file");
    row(k, "inspect missing", "inspect {f:nope.tflite}", 2, "no such file");
    row(k, "edgetpu check missing", "edgetpu check {f:nope.tflite}", 2, "no such file");
    row(
        k,
        "verify --model missing",
        "verify --model {f:nope.q4j} --tflite {f:int8.tflite}",
        2,
        "nope.q4j' is neither");
    row(
        k,
        "verify --tflite missing",
        "verify --model {f:cnn.q4j} --tflite {f:nope.tflite}",
        2,
        "no such file");
    row(k, "report missing", "report {f:nope.json}", 2, "no such file");
    row(k, "eval --model a folder", "eval --model {f:folder.tflite}", 2, "not a regular file");
    row(
        k,
        "export --in zoo:unknown",
        "export --in zoo:alexnet --format int8" + OUT,
        2,
        "unknown zoo model 'alexnet'; known: reference-cnn");
    row(
        k,
        "eval --model zoo:unknown",
        "eval --model zoo:alexnet",
        2,
        "unknown zoo model 'alexnet'");
  }

  private static void damagedTflite() {
    String k = "damaged .tflite";
    row(k, "inspect empty file", "inspect {f:empty.tflite}", 2, "not a .tflite");
    row(k, "inspect text file", "inspect {f:notes.txt}", 2, "not a .tflite");
    row(
        k,
        "inspect truncated to 100 bytes",
        "inspect {f:trunc100.tflite}",
        2,
        "not a valid .tflite");
    row(k, "inspect truncated to half", "inspect {f:trunc-half.tflite}", 2, "not a valid .tflite");
    row(
        k,
        "inspect root offset 0xFFFFFFFF",
        "inspect {f:bad-root.tflite}",
        2,
        "not a valid .tflite");
    row(k, "inspect identifier only", "inspect {f:header-only.tflite}", 2, "not a valid .tflite");
    row(k, "inspect body overwritten with 0xFF", "inspect {f:ff.tflite}", 2, "not a valid .tflite");
    row(k, "eval truncated", "eval --model {f:trunc-half.tflite}", 2, "not a valid .tflite");
    row(k, "eval identifier only", "eval --model {f:header-only.tflite}", 2, "not a valid .tflite");
    row(k, "bench truncated", "bench --model {f:trunc100.tflite}", 2, "not a valid .tflite");
    row(
        k,
        "edgetpu check truncated",
        "edgetpu check {f:trunc-half.tflite}",
        2,
        "not a valid .tflite");
    row(k, "edgetpu check 0xFF body", "edgetpu check {f:ff.tflite}", 2, "not a valid .tflite");
    row(
        k,
        "ptq --in truncated float .tflite",
        "ptq --in {f:trunc-half.tflite} --data {data}" + OUT,
        2,
        "not a valid .tflite");
    row(
        k,
        "ptq --in bad root offset",
        "ptq --in {f:bad-root.tflite} --data {data}" + OUT,
        2,
        "not a valid .tflite");
    row(
        k,
        "verify --tflite truncated",
        "verify --model {f:cnn.q4j} --tflite {f:trunc-half.tflite}",
        2,
        "not a valid .tflite");
  }

  private static void wrongTypes() {
    String k = "wrong file type";
    row(
        k,
        "train --model .tflite",
        "train --model {f:float.tflite}" + QOUT,
        2,
        "is a .tflite file");
    row(
        k,
        "quantize --in .tflite",
        "quantize --in {f:float.tflite}" + QOUT,
        2,
        "is a .tflite file");
    row(
        k,
        "export --in .tflite",
        "export --in {f:float.tflite} --format int8" + OUT,
        2,
        "is a .tflite file");
    row(
        k,
        "verify --model .tflite",
        "verify --model {f:float.tflite} --tflite {f:int8.tflite}",
        2,
        "is a .tflite file");
    row(
        k,
        "verify --tflite a saved model",
        "verify --model {f:cnn.q4j} --tflite {f:cnn.q4j}",
        2,
        "not a .tflite");
    row(k, "eval --model a saved model", "eval --model {f:cnn.q4j}", 2, "not a .tflite");
    row(k, "bench --model a QAT model", "bench --model {f:cnn.qat}", 2, "not a .tflite");
    row(
        k,
        "ptq --in int8 .tflite",
        "ptq --in {f:int8.tflite} --data {data}" + OUT,
        2,
        "already quantized");
    row(
        k,
        "ptq --in QAT model",
        "ptq --in {f:cnn.qat} --data {data}" + OUT,
        2,
        "already a QAT model");
    row(
        k,
        "train --model QAT model",
        "train --model {f:cnn.qat} --data {data}" + QOUT,
        2,
        "is a QAT model");
    row(
        k,
        "report on a .tflite",
        "report {f:float.tflite}",
        2,
        "is a .tflite model; report expects the report.json");
    row(
        k,
        "report on binary data",
        "report {f:report-binary.json}",
        2,
        "report expects the report.json");
    row(k, "report on a JSON array", "report {f:report-array.json}", 2, "not a JSON object");
    row(
        k,
        "report on another JSON object",
        "report {f:report-other.json}",
        2,
        "neither 'headline' nor 'stages'");
    row(k, "report on an empty file", "report {f:empty.q4j}", 2, "not a JSON object");
  }

  private static void damagedModels() {
    String k = "damaged saved model";
    row(
        k,
        "export --in truncated .q4j",
        "export --in {f:trunc.q4j} --format float" + OUT,
        2,
        "not a readable qat4j model");
    row(
        k,
        "export --in empty .q4j",
        "export --in {f:empty.q4j} --format float" + OUT,
        2,
        "not a readable qat4j model");
    row(
        k,
        "export --in random bytes",
        "export --in {f:noise.q4j} --format int8" + OUT,
        2,
        "not a readable qat4j model");
    row(
        k,
        "export --in a zip without a model",
        "export --in {f:other.zip} --format float" + OUT,
        2,
        "not a readable qat4j model");
    row(
        k,
        "export --in a QAT zip lacking entries",
        "export --in {f:half.qat} --format int8" + OUT,
        2,
        "lacks float.model");
    row(
        k,
        "quantize --in truncated .q4j",
        "quantize --in {f:trunc.q4j} --data {data}" + QOUT,
        2,
        "not a readable qat4j model");
    row(
        k,
        "train --model random bytes",
        "train --model {f:noise.q4j} --data {data}" + QOUT,
        2,
        "not a readable qat4j model");
    row(
        k,
        "verify --model truncated .q4j",
        "verify --model {f:trunc.q4j} --tflite {f:int8.tflite} --data {data}",
        2,
        "not a readable qat4j model");
  }

  private static void nonFinite() {
    String k = "non-finite weights";
    row(
        k,
        "export float of a NaN model",
        "export --in {f:nan.q4j} --format float" + OUT,
        2,
        "non-finite weights");
    row(
        k,
        "export int8 of an Inf model",
        "export --in {f:inf.q4j} --format int8" + OUT,
        2,
        "non-finite weights");
    row(
        k,
        "ptq of a NaN model",
        "ptq --in {f:nan.q4j} --data {data}" + OUT,
        2,
        "non-finite weights");
    row(
        k,
        "ptq of a NaN float .tflite",
        "ptq --in {f:nan-float.tflite} --data {data}" + OUT,
        2,
        "non-finite weights");
    row(
        k,
        "quantize a NaN model",
        "quantize --in {f:nan.q4j} --data {data}" + QOUT,
        2,
        "non-finite weights");
    row(
        k,
        "train on from a NaN model",
        "train --model {f:inf.q4j} --data {data}" + QOUT,
        2,
        "non-finite weights");
    row(
        k,
        "eval a NaN float .tflite",
        "eval --model {f:nan-float.tflite} --data {data}",
        2,
        "non-finite weights");
    row(
        k,
        "verify with a NaN model",
        "verify --model {f:nan.q4j} --tflite {f:int8.tflite} --data {data}",
        2,
        "non-finite weights");
  }

  private static void mismatched() {
    String k = "mismatched pair";
    row(
        k,
        "verify an MLP against a CNN's int8 file",
        "verify --model {f:mlp.q4j} --tflite {f:int8.tflite} --data {data}",
        2,
        "does not come from --model");
    row(
        k,
        "verify zoo:mobilenet-mini against a CNN's int8 file",
        "verify --model zoo:mobilenet-mini --tflite {f:int8.tflite} --data {data}",
        2,
        "does not come from --model");
    row(
        k,
        "verify a CNN against its float .tflite",
        "verify --model {f:cnn.q4j} --tflite {f:nan-float.tflite} --data {data}",
        2,
        "non-finite weights");
  }
}
