package io.flotilla.ci;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A status said as GitHub Check Runs say it, for a repository with a GitHub App: a check run named as the status's
 * context, queued, in progress or completed with its conclusion, and for each failing test an annotation. GitHub
 * takes at most 50 annotations per request, so the first batch goes with the run's creation and each further one in
 * an update of the same run (GitHub adds them up); the summary is cut to fit GitHub's 65,535 characters. Each report
 * creates a new check run: GitHub shows the latest of a name, so a report made again after a failover replaces the
 * one before instead of adding to it.
 */
final class CheckRuns {
    /** GitHub's most annotations in one request. */
    static final int ANNOTATIONS_PER_REQUEST = 50;
    /** GitHub's limit is 65,535; the summary stays under it. */
    static final int MAX_SUMMARY = 65_534;
    private static final int MAX_TITLE = 255;
    private static final int MAX_MESSAGE = 4_096;
    private static final ObjectMapper JSON = new ObjectMapper();

    private CheckRuns() {
    }

    /** The requests' bodies: the first creates the check run, each next one updates it with 50 more annotations. */
    static List<ObjectNode> bodies(CommitStatus status, List<SuiteRuns.FailedTest> failures) {
        ObjectNode create = JSON.createObjectNode().put("name", status.context()).put("head_sha", status.sha());
        if (!status.targetUrl().isEmpty()) {
            create.put("details_url", status.targetUrl());
        }
        switch (status.state()) {
            case PENDING -> create.put("status", "queued");
            case RUNNING -> create.put("status", "in_progress");
            default -> create.put("status", "completed").put("conclusion", conclusion(status.state()));
        }
        String summary = summary(status, failures);
        List<ObjectNode> bodies = new ArrayList<>();
        bodies.add(create);
        for (int from = 0; from < failures.size() || from == 0; from += ANNOTATIONS_PER_REQUEST) {
            ObjectNode body = from == 0 ? create : JSON.createObjectNode();
            ObjectNode output = body.putObject("output").put("title", cut(status.description(), MAX_TITLE))
                    .put("summary", summary);
            ArrayNode annotations = output.putArray("annotations");
            failures.subList(from, Math.min(failures.size(), from + ANNOTATIONS_PER_REQUEST))
                    .forEach(failure -> annotations.add(annotation(failure)));
            if (from > 0) {
                bodies.add(body);
            }
        }
        return bodies;
    }

    private static String conclusion(CommitStatus.State state) {
        return switch (state) {
            case SUCCESS -> "success";
            case CANCELED -> "cancelled";
            default -> "failure";
        };
    }

    /** The description, then each failing test with the first line of why, cut to fit. */
    private static String summary(CommitStatus status, List<SuiteRuns.FailedTest> failures) {
        StringBuilder summary = new StringBuilder(status.description());
        if (!failures.isEmpty()) {
            summary.append("\n\n| failing test | why |\n|---|---|\n");
            failures.forEach(failure -> summary.append("| `").append(failure.name().replace("|", "\\|"))
                    .append("` | ").append(failure.message().replace("|", "\\|")).append(" |\n"));
        }
        return cut(summary.toString(), MAX_SUMMARY);
    }

    /**
     * An annotation on the test's file when its name gives one (pytest's {@code path.py::test}), else on the
     * commit's {@link PipelineConfig#FILE}, which named the suite: GitHub needs a path for each annotation.
     */
    private static ObjectNode annotation(SuiteRuns.FailedTest failure) {
        int separator = failure.name().indexOf("::");
        String path = separator > 0 ? failure.name().substring(0, separator) : PipelineConfig.FILE;
        return JSON.createObjectNode().put("path", path).put("start_line", 1).put("end_line", 1)
                .put("annotation_level", "failure").put("title", cut(failure.name(), MAX_TITLE))
                .put("message", failure.message().isEmpty() ? "failed" : cut(failure.message(), MAX_MESSAGE));
    }

    private static String cut(String text, int most) {
        return text.length() <= most ? text : text.substring(0, most - 1) + "…";
    }
}
