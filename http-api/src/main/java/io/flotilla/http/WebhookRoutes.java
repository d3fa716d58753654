package io.flotilla.http;

import io.flotilla.ci.Forge;
import io.flotilla.ci.Repositories;
import io.flotilla.ci.WebhookIntake;
import io.flotilla.protocol.CiProtocol;
import java.time.Duration;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/**
 * {@code POST /v1/webhooks/github} and {@code /v1/webhooks/gitlab}: a forge's delivery is verified against its
 * repository's registered secret (which is its only authentication: forges send no bearer token), journaled by the
 * CI inbox, and only then answered {@code 202}; a delivery id seen before is answered {@code 200} and runs nothing.
 * Work that follows happens after the answer, which forges want within seconds.
 */
final class WebhookRoutes extends AllDirectives {
    private final WebhookIntake intake;
    private final ActorRef<CiProtocol.Command> inbox;
    private final ActorSystem<?> system;
    private final Duration timeout;

    WebhookRoutes(Supplier<Repositories> repositories, ActorRef<CiProtocol.Command> inbox, ActorSystem<?> system,
                  Duration timeout) {
        this.intake = new WebhookIntake(repositories);
        this.inbox = inbox;
        this.system = system;
        this.timeout = timeout;
    }

    Route route() {
        return pathPrefix("v1", () -> pathPrefix("webhooks", () -> concat(
                path("github", () -> post(() -> delivery(Forge.GITHUB))),
                path("gitlab", () -> post(() -> delivery(Forge.GITLAB))))));
    }

    private Route delivery(Forge forge) {
        return extractRequest(request -> {
            if (request.entity().getContentLengthOption().orElse(0L) > WebhookIntake.MAX_BODY_BYTES) {
                return complete(tooLarge(forge));
            }
            return withSizeLimit(WebhookIntake.MAX_BODY_BYTES, () -> entity(Unmarshaller.entityToByteArray(),
                    body -> answer(intake.read(forge, name -> request.getHeader(name).map(HttpHeader::value),
                            body))));
        });
    }

    private Route answer(WebhookIntake.Outcome outcome) {
        if (outcome instanceof WebhookIntake.Refused refused) {
            return complete(ApiErrors.response(StatusCodes.get(refused.status()), refused.message(),
                    refused.field()));
        }
        if (outcome instanceof WebhookIntake.Ignored ignored) {
            return complete(ApiJson.response(StatusCodes.OK, ApiJson.MAPPER.createObjectNode()
                    .put("delivery", ignored.deliveryId()).put("ignored", ignored.reason())));
        }
        WebhookIntake.Accepted accepted = (WebhookIntake.Accepted) outcome;
        return onComplete(AskPattern.<CiProtocol.Command, CiProtocol.DeliveryReply>ask(inbox,
                replyTo -> new CiProtocol.RecordDelivery(accepted.deliveryId(), accepted.event(), replyTo), timeout,
                system.scheduler()), reply -> {
            if (reply.isFailure()) {
                return complete(ApiErrors.unavailable("the CI inbox did not record the delivery within "
                        + timeout.toSeconds() + " s; it may be moving to another node: redeliver it"));
            }
            if (reply.get() instanceof CiProtocol.DeliverySeenBefore seen) {
                return complete(ApiJson.response(StatusCodes.OK, ApiJson.MAPPER.createObjectNode()
                        .put("delivery", seen.deliveryId()).put("commit", seen.commitKey())
                        .put("seenBefore", true)));
            }
            CiProtocol.DeliveryRecorded recorded = (CiProtocol.DeliveryRecorded) reply.get();
            return complete(ApiJson.response(StatusCodes.ACCEPTED, ApiJson.MAPPER.createObjectNode()
                    .put("delivery", recorded.deliveryId()).put("commit", recorded.commitKey())
                    .put("newCommit", recorded.newCommit())));
        });
    }

    private static HttpResponse tooLarge(Forge forge) {
        return ApiErrors.response(StatusCodes.CONTENT_TOO_LARGE, "a " + forge.title() + " delivery is at most "
                + WebhookIntake.MAX_BODY_BYTES + " bytes", "body");
    }
}
