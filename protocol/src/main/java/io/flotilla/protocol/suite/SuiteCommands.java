package io.flotilla.protocol.suite;

import java.util.ArrayList;
import java.util.List;

/**
 * The commands a suite runs in its container: the listing step of each kind, and the runner of a group of pytest
 * tests. They rely only on what the tests themselves need there ({@code /bin/sh}, {@code python3} with pytest,
 * {@code ctest}), never on anything of Flotilla's.
 */
public final class SuiteCommands {
    /** Starts each line a test runner writes about one test: {@code ##flotilla-test OUTCOME MILLIS NAME}. */
    public static final String VERDICT_PREFIX = "##flotilla-test ";
    /**
     * Starts the line a test runner writes, before a failed test's verdict line, about what failed it: base64 of the
     * UTF-8 of {@code NAME \0 TYPE \0 MESSAGE \0 TRACE}.
     */
    public static final String FAILURE_PREFIX = "##flotilla-failure ";
    /**
     * Starts the line a test runner writes, after a failed test's failure line, about what the test printed while it
     * ran: base64 of the UTF-8 of {@code NAME \0 STDOUT \0 STDERR}, each the end of it that the runner kept.
     */
    public static final String OUTPUT_PREFIX = "##flotilla-output ";
    /** Starts the line before each GoogleTest binary's listing. */
    public static final String BINARY_PREFIX = "##flotilla-binary ";
    /** Where a JUnit suite's containers find the launcher and the JUnit Platform's jars: a layer the CLI adds. */
    public static final String JUNIT_LAUNCHER_DIR = "/flotilla-junit";
    /** The launcher's main class, in that directory's jars. */
    public static final String JUNIT_LAUNCHER_CLASS = "io.flotilla.junit.JUnitLauncher";
    /** The exit status by which a plain executable, a command or a ctest test says it skipped (as automake's). */
    public static final int SKIP_EXIT_CODE = 77;

    /**
     * Runs some of a suite's pytest tests in one interpreter: {@code RUNNER COUNT NODEID... ARGS...}. It collects with
     * the suite's own arguments, as its listing did (so rootdir, conftest.py, ini options, plugins and --pyargs mean
     * the same), then keeps the given node ids, as pytest-xdist's workers do: node ids are never turned back into
     * paths, which a conftest.py or a rootdir above the working directory would break. When every id's file is a
     * file, under the rootdir or (as pytest names files outside it, with --pyargs say) under one of the paths it was
     * given, collection skips the other files (and their imports). A node id pytest no longer
     * collects gets the verdict line {@code notfound}. It writes one verdict line per test to a copy of stderr taken
     * before pytest captures it, whatever the test prints. Works with pytest 7 and later.
     */
    private static final String PYTEST_RUNNER = """
            import base64, os, sys, pytest
            out = os.fdopen(os.dup(2), "w", buffering=1)
            count = int(sys.argv[1])
            wanted, args = sys.argv[2:2 + count], sys.argv[2 + count:]
            class FlotillaSelection:
                files = dirs = session = None
                def pytest_sessionstart(self, session):
                    self.session = session
                def narrow(self):
                    bases = [self.session.config.rootpath]
                    bases += sorted(getattr(self.session, "_initialpaths", ()))
                    files = set()
                    for nodeid in wanted:
                        found = [b / nodeid.split("::")[0] for b in bases if (b / nodeid.split("::")[0]).is_file()]
                        if not found:
                            return None
                        files.update(found)
                    self.dirs = {d for f in files for d in f.parents}
                    return files
                def pytest_ignore_collect(self, collection_path, config):
                    if self.files is None:
                        self.files = self.narrow() or ()
                    if not self.files or collection_path.name in ("__init__.py", "conftest.py"):
                        return None
                    if collection_path.is_dir():
                        return None if collection_path in self.dirs else True
                    return None if collection_path in self.files else True
                @pytest.hookimpl(trylast=True)
                def pytest_collection_modifyitems(self, session, config, items):
                    by_id = {item.nodeid: item for item in items}
                    chosen = [by_id[nodeid] for nodeid in wanted if nodeid in by_id]
                    keep = set(wanted)
                    config.hook.pytest_deselected(items=[i for i in items if i.nodeid not in keep])
                    items[:] = chosen
                    for nodeid in wanted:
                        if nodeid not in by_id:
                            out.write("%snotfound 0 %s\\n" % (PREFIX, nodeid))
            class FlotillaVerdicts:
                def __init__(self):
                    self.tests = {}
                def pytest_runtest_logreport(self, report):
                    test = self.tests.setdefault(report.nodeid, ["passed", 0.0, None, None])
                    test[1] += report.duration
                    if report.capstdout or report.capstderr:
                        test[3] = "\\0".join([report.nodeid, report.capstdout, report.capstderr])
                    if report.failed and test[0] in ("passed", "skipped"):
                        test[0] = "failed" if report.when == "call" else "error"
                        crash = getattr(report.longrepr, "reprcrash", None)
                        text = crash.message if crash else ""
                        head, _, rest = text.partition(": ")
                        named = head.replace(".", "").replace("_", "").isalnum()
                        kind, message = (head, rest) if named else ("", text)
                        test[2] = "\\0".join([report.nodeid, kind, message, report.longreprtext])
                    elif report.skipped and test[0] == "passed":
                        test[0] = "skipped"
                def pytest_runtest_logfinish(self, nodeid, location):
                    outcome, seconds, failure, printed = self.tests.pop(nodeid, ["error", 0.0, None, None])
                    for prefix, record in ((FAILED, failure), (OUTPUT, failure and printed)):
                        if record:
                            encoded = base64.b64encode(record.encode("utf-8", "replace")).decode()
                            out.write("%s%s\\n" % (prefix, encoded))
                    out.write("%s%s %d %s\\n" % (PREFIX, outcome, seconds * 1000, nodeid))
            sys.exit(pytest.main(["-p", "no:cacheprovider"] + args, plugins=[FlotillaSelection(), FlotillaVerdicts()]))
            """.replace("PREFIX", "\"" + VERDICT_PREFIX + "\"").replace("FAILED", "\"" + FAILURE_PREFIX + "\"")
            .replace("OUTPUT", "\"" + OUTPUT_PREFIX + "\"");

    private static final String GTEST_LISTING = "for b in \"$@\"; do printf '" + BINARY_PREFIX.replace("%", "%%")
            + "%s\\n' \"$b\"; \"$b\" --gtest_list_tests || exit $?; done";
    /**
     * ctest writes logs into a build directory that has a {@code Testing} directory, which fails on a read-only layer;
     * so it lists from a copy of the build tree's {@code CTestTestfile.cmake} files in /tmp, and puts the build
     * directory back in the working directories it derives from where those files are.
     */
    private static final String CTEST_LISTING = "src=$PWD; dst=$(mktemp -d) && "
            + "find . -name CTestTestfile.cmake -exec sh -c 'mkdir -p \"$0/${1%/*}\" && cp \"$1\" \"$0/$1\"' \"$dst\" {} \\; "
            + "&& cd \"$dst\" || exit 1; out=$(ctest --show-only=json-v1 \"$@\"); rc=$?; "
            + "printf '%s\\n' \"$out\" | sed \"s|$dst|$src|g\"; exit $rc";
    private static final String EXEC_LISTING = "for g in \"$@\"; do for f in $g; do "
            + "if [ -f \"$f\" ] && [ -x \"$f\" ]; then printf '%s\\n' \"$f\"; fi; done; done";
    /** Runs a ctest test whose properties change its exit status: {@code skip-code will-fail command...}. */
    private static final String CTEST_WRAPPER = "skip=$1; willfail=$2; shift 2; \"$@\"; rc=$?; "
            + "if [ \"$skip\" != none ] && [ $rc -eq \"$skip\" ]; then exit " + SKIP_EXIT_CODE + "; fi; "
            + "if [ \"$willfail\" = 1 ]; then if [ $rc -ne 0 ] && [ $rc -lt 128 ]; then exit 0; fi; "
            + "echo \"expected to fail, but exited $rc\" >&2; exit 1; fi; exit $rc";

    private SuiteCommands() {
    }

    /**
     * What lists the suite's tests. A command suite's targets are its tests: it expands as it is accepted, and this
     * stands in for the listing step it never runs. pytest lists without rewriting asserts, which changes no test's
     * id and took three quarters of networkx's collection; the jobs that run the tests rewrite them as pytest does.
     */
    public static List<String> listing(SuiteSpec suite) {
        List<String> command = new ArrayList<>();
        switch (suite.kind()) {
            case PYTEST -> {
                command.addAll(List.of("python3", "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                        "--assert=plain"));
                if (!suite.marker().isEmpty()) {
                    command.addAll(List.of("-m", suite.marker()));
                }
            }
            case CTEST -> {
                command.addAll(List.of("/bin/sh", "-c", CTEST_LISTING, "sh"));
                if (!suite.marker().isEmpty()) {
                    command.addAll(List.of("-L", suite.marker()));
                }
            }
            case GTEST -> command.addAll(List.of("/bin/sh", "-c", GTEST_LISTING, "sh"));
            case JUNIT -> {
                command.addAll(junitLauncher(suite, "list"));
                if (!suite.marker().isEmpty()) {
                    command.addAll(List.of("--tags", suite.marker()));
                }
            }
            case EXEC -> command.addAll(List.of("/bin/sh", "-c", EXEC_LISTING, "sh"));
            case COMMANDS -> {
                return List.of("true");
            }
        }
        command.addAll(suite.targets());
        return command;
    }

    /** Runs some of a pytest suite's tests, given by node id, in one interpreter. */
    public static List<String> pytest(SuiteSpec suite, List<String> nodeIds) {
        List<String> command = new ArrayList<>(List.of("python3", "-c", PYTEST_RUNNER,
                Integer.toString(nodeIds.size())));
        command.addAll(nodeIds);
        command.addAll(suite.targets());
        return command;
    }

    /**
     * Runs JUnit test methods, given by selector name ({@code com.example.FooTest#bar()}), in one JVM. A container
     * shows no {@code /sys/fs/cgroup}, so a JVM would size its heap from the host's memory and be killed at the job's
     * limit where it would throw {@link OutOfMemoryError} in a Docker container: {@code -XX:MaxRAM} gives it the job's
     * memory limit ({@code memoryBytes}, 0 for none) to size from, unless the suite's JVM options give their own.
     */
    public static List<String> junit(SuiteSpec suite, List<String> methods, long memoryBytes) {
        List<String> command = junitLauncher(suite, "run");
        if (memoryBytes > 0 && suite.jvmArgs().stream().noneMatch(arg -> arg.startsWith("-XX:MaxRAM="))) {
            command.add(1, "-XX:MaxRAM=" + memoryBytes);
        }
        command.addAll(methods);
        return command;
    }

    /**
     * The launcher ahead of the suite's class path, so that its JUnit Platform is the one that runs, in a JVM with the
     * suite's options.
     */
    private static List<String> junitLauncher(SuiteSpec suite, String action) {
        List<String> command = new ArrayList<>(List.of("java"));
        command.addAll(suite.jvmArgs());
        command.addAll(List.of("-cp", JUNIT_LAUNCHER_DIR + "/*:" + String.join(":", suite.targets()),
                JUNIT_LAUNCHER_CLASS, action));
        return command;
    }

    /**
     * Runs a ctest test's own command; when it has a skip code other than {@link #SKIP_EXIT_CODE}, or is expected to
     * fail, through a shell that turns its exit status into ours.
     */
    public static List<String> ctest(List<String> command, Integer skipCode, boolean willFail) {
        if ((skipCode == null || skipCode == SKIP_EXIT_CODE) && !willFail) {
            return command;
        }
        List<String> wrapped = new ArrayList<>(List.of("/bin/sh", "-c", CTEST_WRAPPER, "sh",
                skipCode == null ? "none" : skipCode.toString(), willFail ? "1" : "0"));
        wrapped.addAll(command);
        return wrapped;
    }

    /** Runs one command of a command suite. */
    public static List<String> shell(String command) {
        return List.of("/bin/sh", "-c", command);
    }
}
