package dev.yardmaster.core;

import java.util.Map;

/**
 * A refusal the user can act on: unknown build, out-of-order promotion, locked environment.
 * Each subclass (or factory) fixes a stable problem type; the message is the human sentence.
 * The API answers it as problem+json, pages as a readable message, and a refused change is
 * written to the audit log.
 */
public class YardmasterException extends RuntimeException {

    private final String slug;
    private final String title;
    private final int status;
    private final Map<String, Object> extensions;

    public YardmasterException(int status, String slug, String title, String message) {
        this(status, slug, title, message, Map.of());
    }

    public YardmasterException(int status, String slug, String title, String message,
            Map<String, Object> extensions) {
        super(message);
        this.status = status;
        this.slug = slug;
        this.title = title;
        this.extensions = Map.copyOf(extensions);
    }

    public static YardmasterException notFound(String what, String message) {
        return new YardmasterException(404, what + "-not-found", "Not found", message);
    }

    public static YardmasterException badRequest(String slug, String message) {
        return new YardmasterException(400, slug, "Bad request", message);
    }

    public static YardmasterException conflict(String slug, String message) {
        return new YardmasterException(409, slug, "Conflict", message);
    }

    public static YardmasterException forbidden(String slug, String message) {
        return new YardmasterException(403, slug, "Forbidden", message);
    }

    public int status() {
        return status;
    }

    public Problem problem() {
        Problem problem = Problem.of(slug, title, status, getMessage());
        for (var entry : extensions.entrySet()) {
            problem = problem.with(entry.getKey(), entry.getValue());
        }
        return problem;
    }
}
