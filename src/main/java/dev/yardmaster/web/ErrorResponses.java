package dev.yardmaster.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.yardmaster.audit.AuditLog;
import dev.yardmaster.core.Problem;
import dev.yardmaster.core.YardmasterException;
import dev.yardmaster.security.CurrentUser;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Turns every failure into what the caller can read: RFC 9457 problem+json for the API (and
 * any client that does not ask for HTML), an error page for the browser. A refused change
 * (any non-GET that fails with a 4xx the user caused) is written to the audit log. Stack
 * traces go to the server log under an error id, never to the client.
 */
public class ErrorResponses {

    private static final Logger LOG = Logger.getLogger(ErrorResponses.class);

    @CheckedTemplate(basePath = "ErrorResponses")
    static class Templates {
        static native TemplateInstance error(int status, String title, String message, String errorId);
    }

    @Inject
    AuditLog auditLog;

    @Inject
    CurrentUser currentUser;

    @Inject
    Flash flash;

    @ServerExceptionMapper
    public Uni<Response> domain(YardmasterException e, UriInfo uri, HttpHeaders headers, HttpServerRequest request) {
        return audited(request, e.problem(), () -> domainResponse(e, uri, headers, request));
    }

    private Response domainResponse(YardmasterException e, UriInfo uri, HttpHeaders headers, HttpServerRequest request) {
        if (isFormPost(request, uri, headers)) {
            // A refused form post goes back to the page it came from, with the reason on top.
            String back = headers.getHeaderString("Referer");
            String path = back == null ? "/" : java.net.URI.create(back).getRawPath();
            String query = back == null ? null : java.net.URI.create(back).getRawQuery();
            return flash.redirectWithError(query == null ? path : path + "?" + query, e.getMessage());
        }
        return respond(e.problem(), uri, headers);
    }

    private static boolean isFormPost(HttpServerRequest request, UriInfo uri, HttpHeaders headers) {
        return !request.method().name().equals("GET") && wantsHtml(uri.getPath(), headers)
                && headers.getMediaType() != null
                && headers.getMediaType().isCompatible(MediaType.APPLICATION_FORM_URLENCODED_TYPE);
    }

    @ServerExceptionMapper
    public Response unauthorized(UnauthorizedException e, UriInfo uri, HttpHeaders headers) {
        return unauthenticated(uri, headers, "Sign in, or send an OIDC bearer token in the Authorization header.");
    }

    @ServerExceptionMapper
    public Response authenticationFailed(AuthenticationFailedException e, UriInfo uri, HttpHeaders headers) {
        return unauthenticated(uri, headers, "The bearer token was refused (expired, or not issued by this realm).");
    }

    private Response unauthenticated(UriInfo uri, HttpHeaders headers, String detail) {
        Problem problem = Problem.of("unauthenticated", "Unauthorized", 401, detail);
        return Response.fromResponse(respond(problem, uri, headers))
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"yardmaster\"").build();
    }

    @ServerExceptionMapper
    public Uni<Response> forbidden(ForbiddenException e, UriInfo uri, HttpHeaders headers, HttpServerRequest request) {
        Problem problem = Problem.of("forbidden", "Forbidden", 403,
                "Your roles (" + String.join(", ", currentUser.roles()) + ") do not allow this.");
        return audited(request, problem, () -> respond(problem, uri, headers));
    }

    /**
     * Audits a refusal, then answers. Role checks fail on the I/O thread, where the blocking
     * audit write may not run: there it moves to a worker and the response waits for it.
     */
    private Uni<Response> audited(HttpServerRequest request, Problem problem, Supplier<Response> response) {
        Uni<Response> work = Uni.createFrom().item(() -> {
            auditRefusal(request, problem);
            return response.get();
        });
        return Context.isOnEventLoopThread() ? work.runSubscriptionOn(Infrastructure.getDefaultWorkerPool()) : work;
    }

    @ServerExceptionMapper
    public Uni<Response> invalid(ConstraintViolationException e, UriInfo uri, HttpHeaders headers, HttpServerRequest request) {
        Map<String, String> violations = e.getConstraintViolations().stream().collect(Collectors.toMap(
                v -> lastNode(v.getPropertyPath().toString()), v -> v.getMessage(), (a, b) -> a + "; " + b));
        String detail = violations.entrySet().stream().map(en -> en.getKey() + ": " + en.getValue())
                .sorted().collect(Collectors.joining("; "));
        Problem problem = Problem.of("invalid-request", "Invalid request", 400, detail).with("violations", violations);
        return audited(request, problem, () -> respond(problem, uri, headers));
    }

    @ServerExceptionMapper
    public Response malformedJson(JsonProcessingException e, UriInfo uri, HttpHeaders headers) {
        String where = e.getLocation() == null ? ""
                : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
        return respond(Problem.of("malformed-json", "Malformed JSON", 400,
                "The request body is not valid JSON for this endpoint" + where + "."), uri, headers);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, UriInfo uri, HttpHeaders headers, HttpServerRequest request) {
        int status = e.getResponse().getStatus();
        if (e.getCause() instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException mismatch) {
            return InputErrors.problem(mismatch, uri).toResponse();
        }
        if (e.getCause() instanceof JsonProcessingException json) {
            return malformedJson(json, uri, headers);
        }
        if (status >= 500) {
            return unexpected(e, uri, headers);
        }
        Response.Status known = Response.Status.fromStatusCode(status);
        String title = known == null ? "Error" : known.getReasonPhrase();
        String detail = switch (status) {
            case 404 -> "There is nothing at " + uri.getPath() + ".";
            case 405 -> uri.getPath() + " does not accept " + request.method().name() + ".";
            case 406 -> "This address cannot answer in the media type asked for.";
            case 415 -> "Send the body as application/json.";
            default -> e.getMessage();
        };
        String slug = title.toLowerCase().replaceAll("[^a-z0-9]+", "-");
        return respond(Problem.of(slug, title, status, detail), uri, headers);
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e, UriInfo uri, HttpHeaders headers) {
        String errorId = UUID.randomUUID().toString().substring(0, 8);
        LOG.errorf(e, "Unexpected error %s on %s", errorId, uri.getPath());
        return respond(Problem.of("internal-error", "Internal error", 500,
                "Something went wrong on our side. Quote error id " + errorId + " to an administrator.")
                .with("errorId", errorId), uri, headers);
    }

    private Response respond(Problem problem, UriInfo uri, HttpHeaders headers) {
        String path = uri.getPath();
        if (wantsHtml(path, headers)) {
            Object errorId = problem.extensions().get("errorId");
            String html = Templates.error(problem.status(), problem.title(), problem.detail(),
                    errorId == null ? null : errorId.toString()).render();
            return Response.status(problem.status()).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"))
                    .entity(html).build();
        }
        Response response = problem.at(path).toResponse();
        Object retryAfter = problem.extensions().get("retryAfter");
        return retryAfter == null ? response : Response.fromResponse(response).header("Retry-After", retryAfter).build();
    }

    /** A write based on a stale read (a racing change won): 409, try again with fresh data. */
    @ServerExceptionMapper
    public Response concurrentChange(jakarta.persistence.OptimisticLockException e, UriInfo uri, HttpHeaders headers) {
        return respond(Problem.of("concurrent-change", "Conflict", 409,
                "Someone changed this at the same moment; reload and try again."), uri, headers);
    }

    static boolean wantsHtml(String path, HttpHeaders headers) {
        if (path.startsWith("/api/") || path.equals("/api")) {
            return false;
        }
        return headers.getAcceptableMediaTypes().stream()
                .anyMatch(type -> type.isCompatible(MediaType.TEXT_HTML_TYPE) && !type.isWildcardType());
    }

    private void auditRefusal(HttpServerRequest request, Problem problem) {
        String method = request.method().name();
        if (method.equals("GET") || method.equals("HEAD")) {
            return;
        }
        try {
            auditLog.refused(currentUser.checkedActor(), method + " " + request.path(), problem);
        } catch (RuntimeException auditFailure) {
            LOG.error("Could not audit a refused request", auditFailure);
        }
    }

    private static String lastNode(String path) {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? path : path.substring(dot + 1);
    }
}
