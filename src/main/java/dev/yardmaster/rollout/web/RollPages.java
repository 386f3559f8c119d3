package dev.yardmaster.rollout.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.yardmaster.core.Names;
import dev.yardmaster.core.YardmasterException;
import dev.yardmaster.environment.Environment;
import dev.yardmaster.environment.Environments;
import dev.yardmaster.rollout.Roll;
import dev.yardmaster.rollout.RollPlan;
import dev.yardmaster.rollout.RollQueries.HostLog;
import dev.yardmaster.rollout.RollQueries.RollView;
import dev.yardmaster.rollout.RollQueries;
import dev.yardmaster.rollout.RollStream;
import dev.yardmaster.rollout.Rolls;
import dev.yardmaster.rollout.RunningTime;
import dev.yardmaster.rollout.Step;
import dev.yardmaster.rollout.runner.RollRunner;
import dev.yardmaster.security.CurrentUser;
import dev.yardmaster.security.Roles;
import dev.yardmaster.web.Flash;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import jakarta.annotation.security.RolesAllowed;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

/** Rolls for people: the list with a plan form, the preview, and the live roll page. */
@Path("/rolls")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed(Roles.VIEWER)
public class RollPages {

    /** The plan form as typed, shown back in the preview. */
    public record PlanForm(String packageName, String environment, String target, String nodeType, String tag, String names,
            String canary, String canaryDelay, String batchSize, String parallelism, String pauseBetweenBatches,
            String failureBudget, String unreachableBudget, String onFailure) {

        /** The form as first shown: the defaults a person usually keeps, and what a link pre-filled. */
        static PlanForm fresh(String packageName, String environment, String names) {
            return new PlanForm(packageName, environment, "", "", "", names, "1", "", "25%", "10", "0s", "0", "0", "");
        }

        /** The plan; a count that is not a number is left to the default here and named by {@link #numberErrors}. */
        RollPlan plan() {
            return new RollPlan(packageName, environment, target, nodeType, tag, names, integer(canary), canaryDelay,
                    batchSize, integer(parallelism), pauseBetweenBatches, failureBudget, unreachableBudget,
                    null, null, null, null, null, null, onFailure);
        }

        /** The counts typed that are not whole numbers, one sentence each. */
        List<String> numberErrors() {
            List<String> errors = new ArrayList<>();
            if (integer(canary) == null && !blank(canary)) {
                errors.add("canary: '" + Names.printable(canary) + "' is not a whole number of hosts.");
            }
            if (integer(parallelism) == null && !blank(parallelism)) {
                errors.add("parallelism: '" + Names.printable(parallelism) + "' is not a whole number.");
            }
            return errors;
        }

        private static boolean blank(String text) {
            return text == null || text.isBlank();
        }

        private static Integer integer(String text) {
            return blank(text) || !text.strip().matches("[0-9]{1,4}") ? null : Integer.valueOf(text.strip());
        }
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance list(List<RollView> rolls, List<String> environments, PlanForm form, List<String> errors);

        static native TemplateInstance preview(PlanForm form, Rolls.Preview preview, String formKey);

        static native TemplateInstance roll(RollView roll, List<Integer> batches, long lastEventId, boolean canControl,
                RollWords.Said said, RollWords.Controls controls, RunningTime running, List<RollWords.HostState> hostStates,
                List<Step> steps, String rollStatesJson, String hostStatesJson);
    }

    private final Rolls rolls;
    private final RollQueries queries;
    private final RollStream stream;
    private final RollRunner runner;
    private final CurrentUser user;
    private final Flash flash;
    private final Environments environments;
    private final ObjectMapper json;

    RollPages(Rolls rolls, RollQueries queries, RollStream stream, RollRunner runner, CurrentUser user, Flash flash,
            Environments environments, ObjectMapper json) {
        this.json = json;
        this.rolls = rolls;
        this.queries = queries;
        this.stream = stream;
        this.runner = runner;
        this.user = user;
        this.flash = flash;
        this.environments = environments;
    }

    /** The list with the plan form; a link (e.g. the drift page's "roll to fix") may pre-fill it: shown back, never trusted. */
    @GET
    @Transactional
    public TemplateInstance list(@QueryParam("package") String packageName, @QueryParam("environment") String environment,
            @QueryParam("names") String names) {
        return list(PlanForm.fresh(clip(packageName, 100), clip(environment, 32), clip(names, RollPlan.MAX_NAMES)), List.of());
    }

    private TemplateInstance list(PlanForm form, List<String> errors) {
        return Templates.list(queries.newestFirst(100), Environment.inLifecycleOrder().stream().map(e -> e.name).toList(),
                form, errors);
    }

    /** The list again with the form as typed and every reason it was refused (status of the refusal). */
    private Response refused(PlanForm form, List<String> errors, int status) {
        return Response.status(status).type(MediaType.TEXT_HTML).entity(list(form, errors)).build();
    }

    /**
     * A refused start comes back here (its form was on the preview page, the answer to a POST):
     * show the list with the reason instead of a 405.
     */
    @GET
    @Path("/preview")
    @Transactional
    public TemplateInstance previewAgain() {
        return list(null, null, null);
    }

    private static String clip(String text, int max) {
        return text == null || text.isBlank() ? "" : text.length() > max ? text.substring(0, max) : text.strip();
    }

    /** The preview, with the start form's Idempotency-Key: fresh and random for each render of the form. */
    @POST
    @Path("/preview")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(Roles.DEPLOYER)
    public Response preview(@FormParam("package") String packageName, @FormParam("environment") String environment,
            @FormParam("target") String target, @FormParam("nodeType") String nodeType, @FormParam("tag") String tag,
            @FormParam("names") String names, @FormParam("canary") String canary, @FormParam("canaryDelay") String canaryDelay,
            @FormParam("batchSize") String batchSize, @FormParam("parallelism") String parallelism,
            @FormParam("pauseBetweenBatches") String pause, @FormParam("failureBudget") String failureBudget,
            @FormParam("unreachableBudget") String unreachableBudget, @FormParam("onFailure") String onFailure) {
        PlanForm form = new PlanForm(packageName, environment, target, nodeType, tag, names, canary, canaryDelay, batchSize,
                parallelism, pause, failureBudget, unreachableBudget, onFailure);
        List<String> errors = new ArrayList<>(form.numberErrors());
        int status = 400;
        try {
            Rolls.Preview preview = rolls.preview(user, form.plan());
            if (errors.isEmpty()) {
                return Response.ok(Templates.preview(form, preview, "form-" + UUID.randomUUID())).type(MediaType.TEXT_HTML).build();
            }
        } catch (RollPlan.Invalid invalid) {
            errors.addAll(invalid.messages());
        } catch (YardmasterException refused) {
            errors.add(refused.getMessage());
            status = errors.size() == 1 ? refused.status() : 400;
        }
        return refused(form, errors, status);
    }

    /**
     * Starts the previewed roll. A second submit of the same rendered form (a double click, a
     * reload) gives back the roll the first one started, and the page says so rather than
     * claiming a new start.
     */
    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(Roles.DEPLOYER)
    public Response start(@FormParam("package") String packageName, @FormParam("environment") String environment,
            @FormParam("target") String target, @FormParam("nodeType") String nodeType, @FormParam("tag") String tag,
            @FormParam("names") String names, @FormParam("canary") String canary, @FormParam("canaryDelay") String canaryDelay,
            @FormParam("batchSize") String batchSize, @FormParam("parallelism") String parallelism,
            @FormParam("pauseBetweenBatches") String pause, @FormParam("failureBudget") String failureBudget,
            @FormParam("unreachableBudget") String unreachableBudget, @FormParam("onFailure") String onFailure,
            @FormParam("idempotencyKey") String key) {
        PlanForm form = new PlanForm(packageName, environment, target, nodeType, tag, names, canary, canaryDelay, batchSize,
                parallelism, pause, failureBudget, unreachableBudget, onFailure);
        Rolls.Started started;
        try {
            started = rolls.start(user, user.actor(), form.plan(), key);
        } catch (RollPlan.Invalid invalid) {
            return refused(form, invalid.messages(), 400);
        } catch (YardmasterException refused) {
            return refused(form, List.of(refused.getMessage()), refused.status());
        }
        Roll roll = started.roll();
        if (!started.created()) {
            return flash.redirect("/rolls/" + roll.id, "This form already started roll " + roll.id + " (now "
                    + roll.status.name().toLowerCase() + "); nothing new was started.");
        }
        runner.wake();
        return flash.redirect("/rolls/" + roll.id, "Roll " + roll.id + " started.");
    }

    @GET
    @Path("/{id}")
    @Transactional
    public TemplateInstance roll(@PathParam("id") long id) {
        Roll roll = queries.require(id);
        List<Integer> batches = IntStream.range(0, roll.batchCount).boxed().toList();
        boolean canControl = user.has(environments.roleToChange(environments.require(roll.environment)));
        RollView view = queries.get(id);
        return Templates.roll(view, batches, queries.lastEventId(id), canControl,
                RollWords.said(roll.status, roll.reason), RollWords.Controls.of(roll.status, RollWords.retryable(view.counts())),
                RunningTime.of(roll, OffsetDateTime.now(ZoneOffset.UTC)), RollWords.hostStates(), List.of(Step.values()),
                json(RollWords.rollStates()), json(RollWords.hostStates()));
    }

    private String json(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    // The roll page's own data under /rolls: the browser's session cookie authenticates pages,
    // while /api is answered for bearer tokens.

    @GET
    @Path("/{id}/hosts.json")
    @Produces(MediaType.APPLICATION_JSON)
    public List<RollQueries.PageHost> hosts(@PathParam("id") long id) {
        return queries.pageHosts(id);
    }

    @GET
    @Path("/{id}/hosts/{hostId}/log.json")
    @Produces(MediaType.APPLICATION_JSON)
    public HostLog log(@PathParam("id") long id, @PathParam("hostId") long hostId) {
        return queries.log(id, hostId);
    }

    @GET
    @Path("/{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Blocking
    public Multi<OutboundSseEvent> events(@PathParam("id") long id, @HeaderParam("Last-Event-ID") String lastEventId,
            @QueryParam("since") Long since, @Context Sse sse) {
        return stream.open(user.name(), id, RollStream.position(lastEventId, since), sse);
    }

    @POST
    @Path("/{id}/{action:pause|resume|continue|cancel|interrupt|retry}")
    @RolesAllowed(Roles.DEPLOYER)
    public Response control(@PathParam("id") long id, @PathParam("action") String action) {
        var actor = user.actor();
        switch (action) {
            case "pause" -> rolls.pause(user, actor, id);
            case "resume" -> rolls.resume(user, actor, id);
            case "continue" -> rolls.continueAfterCanary(user, actor, id);
            case "cancel" -> rolls.cancel(user, actor, id, false);
            case "interrupt" -> rolls.cancel(user, actor, id, true);
            default -> rolls.retryFailed(user, actor, id);
        }
        runner.wake();
        return flash.redirect("/rolls/" + id, RollWords.done(id, action));
    }
}
