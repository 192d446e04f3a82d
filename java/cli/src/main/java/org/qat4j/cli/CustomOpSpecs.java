package org.qat4j.cli;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.qat4j.runtime.CustomOp;
import org.qat4j.runtime.Interpreter;

/**
 * {@code --custom-op NAME=CLASS[:MIN[-MAX]]}: Java implementations of a model's CUSTOM operators,
 * loaded from the class path (one instance per option, made with the public no-arg constructor) and
 * registered with every interpreter the command opens. Versions default to 1.
 */
final class CustomOpSpecs {
  private static final String OPT = "--custom-op";
  private static final Pattern SPEC =
      Pattern.compile("([^=]+)=([^:]+)(?::([0-9]{1,4})(?:-([0-9]{1,4}))?)?");

  private record Spec(String name, int min, int max, CustomOp op) {}

  /** No custom operators. */
  static final CustomOpSpecs NONE = new CustomOpSpecs(List.of());

  private final List<Spec> specs;

  private CustomOpSpecs(List<Spec> specs) {
    this.specs = specs;
  }

  /**
   * Parses, loads and checks every {@code --custom-op} value (null: none); usage errors name it.
   */
  static CustomOpSpecs parse(List<String> values, boolean isolated) {
    if (values == null || values.isEmpty()) return NONE;
    if (isolated)
      throw CliException.usage(
          OPT + ": Java custom ops run in this JVM, so they cannot be combined with --isolate");
    List<Spec> specs = new ArrayList<>();
    Interpreter.Options.Builder check = Interpreter.Options.builder();
    for (String v : values) {
      Matcher m = SPEC.matcher(v);
      if (!m.matches())
        throw CliException.usage(
            OPT + ": expected NAME=fully.qualified.Class[:MIN[-MAX]], got '" + v + "'");
      int min = m.group(3) == null ? 1 : Integer.parseInt(m.group(3));
      int max = m.group(4) == null ? min : Integer.parseInt(m.group(4));
      Spec s = new Spec(m.group(1), min, max, load(m.group(2).strip(), v));
      try {
        check.customOp(s.name(), s.min(), s.max(), s.op()); // the runtime's own checks
      } catch (IllegalArgumentException e) {
        throw CliException.usage(OPT + " " + v + ": " + e.getMessage());
      }
      specs.add(s);
    }
    return new CustomOpSpecs(List.copyOf(specs));
  }

  /** Registers every op with {@code b}; returns {@code b}. */
  Interpreter.Options.Builder apply(Interpreter.Options.Builder b) {
    for (Spec s : specs) b.customOp(s.name(), s.min(), s.max(), s.op());
    return b;
  }

  boolean isEmpty() {
    return specs.isEmpty();
  }

  /** A new instance of {@code className}, which must be a public {@link CustomOp} class. */
  private static CustomOp load(String className, String value) {
    Class<?> c;
    try {
      c = Class.forName(className, true, loader());
    } catch (ClassNotFoundException e) {
      throw fail(value, "class " + className + " is not on the class path (see QAT4J_CLASSPATH)");
    } catch (LinkageError e) {
      throw fail(value, "class " + className + " cannot be loaded: " + e);
    }
    if (!CustomOp.class.isAssignableFrom(c))
      throw fail(value, className + " does not implement " + CustomOp.class.getName());
    if (c.isInterface() || Modifier.isAbstract(c.getModifiers()))
      throw fail(value, className + " is abstract; give a concrete class");
    if (!Modifier.isPublic(c.getModifiers())) throw fail(value, className + " is not public");
    try {
      return (CustomOp) c.getConstructor().newInstance();
    } catch (NoSuchMethodException | IllegalAccessException e) {
      throw fail(value, className + " has no public no-argument constructor");
    } catch (InvocationTargetException e) {
      throw fail(value, "the constructor of " + className + " threw " + e.getCause());
    } catch (InstantiationException | RuntimeException | LinkageError e) {
      throw fail(value, className + " cannot be instantiated: " + e);
    }
  }

  private static ClassLoader loader() {
    ClassLoader l = Thread.currentThread().getContextClassLoader();
    return l != null ? l : CustomOpSpecs.class.getClassLoader();
  }

  private static CliException fail(String value, String why) {
    return CliException.usage(OPT + " " + value + ": " + why);
  }
}
