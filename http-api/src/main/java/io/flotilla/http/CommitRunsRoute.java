package io.flotilla.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flotilla.ci.Forge;
import io.flotilla.ci.Repositories;
import io.flotilla.ci.Repository;
import io.flotilla.protocol.CiProtocol;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /v1/runs?repo=NAME&sha=SHA[&forge=github|gitlab]}: the runs a commit's webhook started, one per suite
 * of its {@code .flotilla.yml}, with the last status each sent, as the CI inbox knows them.
 */
final class CommitRunsRoute extends AllDirectives {
    private static final Pattern SHA = Pattern.compile("[0-9a-f]{40}");

    private final Supplier<Repositories> repositories;
    private final ActorRef<CiProtocol.Command> inbox;
    private final ActorSystem<?> system;
    private final Duration timeout;
    private final Auth auth;

    CommitRunsRoute(Supplier<Repositories> repositories, ActorRef<CiProtocol.Command> inbox, ActorSystem<?> system,
                    Duration timeout, Auth auth) {
        this.repositories = repositories;
        this.inbox = inbox;
        this.system = system;
        this.timeout = timeout;
        this.auth = auth;
    }

    Route route() {
        return pathPrefix("v1", () -> path("runs", () -> get(() -> auth.require(Caller.Role.READ, caller ->
                parameterOptional("repo", repo -> parameterOptional("sha", sha -> parameterOptional("forge",
                        forge -> find(repo, sha, forge))))))));
    }

    private Route find(Optional<String> repo, Optional<String> sha, Optional<String> forgeName) {
        if (repo.isEmpty() || sha.isEmpty()) {
            return complete(ApiErrors.response(StatusCodes.BAD_REQUEST, "GET /v1/runs finds a commit's runs: give "
                    + "?repo=NAME&sha=SHA", repo.isEmpty() ? "repo" : "sha"));
        }
        if (!SHA.matcher(sha.get()).matches()) {
            return complete(ApiErrors.response(StatusCodes.BAD_REQUEST, "a commit is named by 40 lowercase hex "
                    + "digits, got '" + sha.get() + "'", "sha"));
        }
        Optional<Forge> forge = forgeName.map(Forge::named).orElse(Optional.empty());
        if (forgeName.isPresent() && forge.isEmpty()) {
            return complete(ApiErrors.response(StatusCodes.BAD_REQUEST, "unknown forge '" + forgeName.get()
                    + "'; one of github, gitlab", "forge"));
        }
        List<Repository> registered = (forge.isPresent() ? List.of(forge.get()) : List.of(Forge.values())).stream()
                .flatMap(each -> repositories.get().find(each, repo.get()).stream()).toList();
        if (registered.size() != 1) {
            return complete(ApiErrors.response(registered.isEmpty() ? StatusCodes.NOT_FOUND
                    : StatusCodes.BAD_REQUEST, registered.isEmpty() ? "repository '" + repo.get()
                    + "' is not registered with this cluster" : "repository '" + repo.get() + "' is registered for "
                    + "both forges: give ?forge=github or ?forge=gitlab", registered.isEmpty() ? "repo" : "forge"));
        }
        Repository repository = registered.get(0);
        return onComplete(AskPattern.<CiProtocol.Command, CiProtocol.CommitFound>ask(inbox,
                replyTo -> new CiProtocol.FindCommit(repository.forge().key(), repository.name(), sha.get(), replyTo),
                timeout, system.scheduler()), reply -> complete(reply.isFailure()
                ? ApiErrors.unavailable("the CI inbox did not answer within " + timeout.toSeconds()
                        + " s; it may be moving to another node: retry")
                : ApiJson.response(StatusCodes.OK, body(repository, sha.get(), reply.get()))));
    }

    private static ObjectNode body(Repository repository, String sha, CiProtocol.CommitFound found) {
        ObjectNode body = ApiJson.MAPPER.createObjectNode().put("forge", repository.forge().key())
                .put("repo", repository.name()).put("sha", sha);
        ArrayNode commits = body.putArray("commits");
        for (CiProtocol.CommitRuns commit : found.commits()) {
            ObjectNode each = commits.addObject().put("commit", commit.commitKey()).put("fromFork", commit.fromFork())
                    .put("checkedOut", commit.checkedOut()).put("failure", commit.failure());
            ArrayNode suites = each.putArray("suites");
            commit.suites().forEach(suite -> suites.addObject().put("suite", suite.suite())
                    .put("context", suite.context()).put("runId", suite.runId())
                    .put("submitted", suite.submitted()).put("status", suite.status()));
        }
        return body;
    }
}
