package io.flotilla.junit;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.ClassNameFilter;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TagFilter;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * What a JUnit 5 suite runs in its containers, on the tests' own class path:
 * <ul>
 *   <li>{@code list [--tags EXPR] ENTRY...} prints the test methods of the test roots among the class-path entries
 *       (directories, and tests jars: the jars that Maven's test-jar goal and Gradle name {@code *-tests.jar} or
 *       {@code *-test.jar}; the other jars are the tests' dependencies), one per line as
 *       {@code com.example.FooTest#bar(int)}, then {@code N tests listed}. Only classes named as tests count,
 *       {@code Test*}, {@code *Test} or {@code *Tests}: JUnit's default pattern, which its console launcher's scan
 *       applies too, so that helpers and benchmarks in a tests jar are not taken for tests;</li>
 *   <li>{@code run NAME...} runs those methods and writes one line per method to stderr, taken before any test can
 *       redirect it: {@code ##flotilla-test OUTCOME MILLIS NAME}, OUTCOME being passed, failed (an assertion),
 *       error (any other exception) or skipped (disabled or aborted). A parameterized or dynamic method fails when
 *       one of its invocations does. Before a failed or erring method's line comes
 *       {@code ##flotilla-failure BASE64}, the UTF-8 of {@code NAME \0 TYPE \0 MESSAGE \0 TRACE}: the exception's
 *       class, message and stack trace, trimmed of the framework's frames; and, when the method printed anything,
 *       {@code ##flotilla-output BASE64}, the UTF-8 of {@code NAME \0 STDOUT \0 STDERR}: what it wrote to
 *       {@link System#out} and {@link System#err} while it ran (the end of each, at most
 *       {@value #OUTPUT_KEPT} bytes), as Surefire keeps a test's output for its report. The output still reaches the
 *       job's own stdout and stderr as it is written.</li>
 * </ul>
 * The names are the ones the JUnit Platform's method selector takes, so a listed name runs as it was listed.
 */
public final class JUnitLauncher {
    private static final String VERDICT_PREFIX = "##flotilla-test ";
    private static final String FAILURE_PREFIX = "##flotilla-failure ";
    private static final String OUTPUT_PREFIX = "##flotilla-output ";
    /** How much of a failed method's stdout, and of its stderr, its report keeps: the end. */
    static final int OUTPUT_KEPT = 64 * 1024;
    /** Frames of the JUnit Platform, its engine and reflection, which say nothing of the test: cut, as Surefire does. */
    private static final List<String> FRAMEWORK_FRAMES = List.of("at org.junit.platform.",
            "at org.junit.jupiter.engine.", "at java.base/jdk.internal.reflect.", "at java.base/java.lang.reflect.",
            "at java.base/java.util.", "at io.flotilla.junit.");
    private static final int TRACE_LINES = 100;

    private JUnitLauncher() {
    }

    public static void main(String[] args) {
        if (args.length >= 1 && args[0].equals("list")) {
            list(Arrays.asList(args).subList(1, args.length));
        } else if (args.length >= 2 && args[0].equals("run")) {
            System.exit(run(Arrays.asList(args).subList(1, args.length)) ? 0 : 1);
        } else {
            System.err.println("usage: JUnitLauncher list [--tags EXPR] CLASSPATH-ENTRY... | run METHOD...");
            System.exit(2);
        }
    }

    private static void list(List<String> args) {
        String tags = null;
        List<String> entries = new ArrayList<>(args);
        if (entries.size() >= 2 && entries.get(0).equals("--tags")) {
            tags = entries.get(1);
            entries = entries.subList(2, entries.size());
        }
        Set<Path> roots = new LinkedHashSet<>();
        entries.stream().map(Path::of).filter(JUnitLauncher::isTestRoot).forEach(roots::add);
        LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request()
                .selectors(DiscoverySelectors.selectClasspathRoots(roots))
                .filters(ClassNameFilter.includeClassNamePatterns(ClassNameFilter.STANDARD_INCLUDE_PATTERN));
        if (tags != null) {
            request.filters(TagFilter.includeTags(tags));
        }
        TestPlan plan = LauncherFactory.create().discover(request.build());
        Set<String> names = new LinkedHashSet<>();
        plan.getRoots().forEach(root -> collect(plan, root, names));
        names.forEach(System.out::println);
        System.out.println(names.size() + " tests listed");
    }

    private static boolean isTestRoot(Path entry) {
        String name = entry.getFileName() == null ? "" : entry.getFileName().toString();
        return Files.isDirectory(entry)
                || Files.isRegularFile(entry) && (name.endsWith("-tests.jar") || name.endsWith("-test.jar"));
    }

    private static void collect(TestPlan plan, TestIdentifier id, Set<String> names) {
        Optional<String> name = methodName(plan, id);
        if (name.isPresent()) {
            names.add(name.get());
            return;
        }
        plan.getChildren(id).forEach(child -> collect(plan, child, names));
    }

    /** The selector name of a test method; empty for classes, engines and a method's invocations. */
    private static Optional<String> methodName(TestPlan plan, TestIdentifier id) {
        if (!(id.getSource().orElse(null) instanceof MethodSource method)) {
            return Optional.empty();
        }
        boolean invocation = plan.getParent(id).flatMap(TestIdentifier::getSource)
                .filter(MethodSource.class::isInstance).isPresent();
        return invocation ? Optional.empty() : Optional.of(method.getClassName() + "#" + method.getMethodName()
                + "(" + method.getMethodParameterTypes() + ")");
    }

    /** Runs the methods; whether all passed or skipped. */
    private static boolean run(List<String> methods) {
        PrintStream verdicts = new PrintStream(new FileOutputStream(FileDescriptor.err), true,
                StandardCharsets.UTF_8);
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(methods.stream().map(DiscoverySelectors::selectMethod).toList()).build();
        Launcher launcher = LauncherFactory.create();
        TestOutput stdout = new TestOutput(System.out);
        TestOutput stderr = new TestOutput(System.err);
        System.setOut(new PrintStream(stdout, true));
        System.setErr(new PrintStream(stderr, true));
        VerdictWriter writer = new VerdictWriter(verdicts, stdout, stderr);
        launcher.execute(request, writer);
        return writer.allPassed;
    }

    /** Writes a verdict line as each test method ends. */
    private static final class VerdictWriter implements TestExecutionListener {
        private final PrintStream out;
        private final TestOutput stdout;
        private final TestOutput stderr;
        private final Map<String, Long> started = new HashMap<>();
        private final Map<String, String> failedInvocations = new HashMap<>();
        private final Map<String, Throwable> failures = new HashMap<>();
        private TestPlan plan;
        boolean allPassed = true;

        VerdictWriter(PrintStream out, TestOutput stdout, TestOutput stderr) {
            this.out = out;
            this.stdout = stdout;
            this.stderr = stderr;
        }

        @Override
        public void testPlanExecutionStarted(TestPlan testPlan) {
            plan = testPlan;
        }

        @Override
        public void executionStarted(TestIdentifier id) {
            methodName(plan, id).ifPresent(name -> {
                started.put(name, System.nanoTime());
                stdout.take();
                stderr.take();
            });
        }

        @Override
        public void executionSkipped(TestIdentifier id, String reason) {
            methodName(plan, id).ifPresent(name -> write("skipped", 0, name));
        }

        @Override
        public void executionFinished(TestIdentifier id, TestExecutionResult result) {
            Optional<String> name = methodName(plan, id);
            if (name.isEmpty()) {
                if (result.getStatus() == TestExecutionResult.Status.FAILED) {
                    owningMethod(id).ifPresent(method -> {
                        failedInvocations.putIfAbsent(method, outcome(result));
                        result.getThrowable().ifPresent(e -> failures.putIfAbsent(method, e));
                    });
                }
                return;
            }
            result.getThrowable().ifPresent(e -> failures.putIfAbsent(name.get(), e));
            long millis = (System.nanoTime() - started.getOrDefault(name.get(), System.nanoTime())) / 1_000_000;
            String outcome = switch (result.getStatus()) {
                case SUCCESSFUL -> failedInvocations.getOrDefault(name.get(), "passed");
                case ABORTED -> "skipped";
                case FAILED -> outcome(result);
            };
            write(outcome, millis, name.get());
        }

        private Optional<String> owningMethod(TestIdentifier id) {
            for (Optional<TestIdentifier> up = plan.getParent(id); up.isPresent(); up = plan.getParent(up.get())) {
                Optional<String> name = methodName(plan, up.get());
                if (name.isPresent()) {
                    return name;
                }
            }
            return Optional.empty();
        }

        /** The stack trace as Java prints it, less the framework's frames, at most {@link #TRACE_LINES} lines. */
        private static String trace(Throwable failure) {
            StringWriter text = new StringWriter();
            failure.printStackTrace(new PrintWriter(text));
            List<String> kept = text.toString().lines()
                    .filter(line -> FRAMEWORK_FRAMES.stream().noneMatch(line.strip()::startsWith)).toList();
            return String.join("\n", kept.subList(0, Math.min(TRACE_LINES, kept.size())));
        }

        private static String encode(String record) {
            return Base64.getEncoder().encodeToString(record.getBytes(StandardCharsets.UTF_8));
        }

        private static String outcome(TestExecutionResult result) {
            return result.getThrowable().filter(AssertionError.class::isInstance).isPresent() ? "failed" : "error";
        }

        private void write(String outcome, long millis, String name) {
            if (outcome.equals("failed") || outcome.equals("error")) {
                allPassed = false;
                Throwable failure = failures.get(name);
                if (failure != null) {
                    String record = name + "\0" + failure.getClass().getName() + "\0"
                            + (failure.getMessage() == null ? "" : failure.getMessage()) + "\0" + trace(failure);
                    out.println(FAILURE_PREFIX + encode(record));
                }
                String printed = stdout.take();
                String complained = stderr.take();
                if (!printed.isEmpty() || !complained.isEmpty()) {
                    out.println(OUTPUT_PREFIX + encode(name + "\0" + printed + "\0" + complained));
                }
            }
            out.println(VERDICT_PREFIX + outcome + " " + millis + " " + name);
        }
    }
}
