package dev.yardmaster.core;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An RFC 9457 problem detail. {@code type} is a stable URI per kind of error that bots can
 * switch on; {@code detail} is the sentence a person reads.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String instance,
        Map<String, Object> extensions) {

    public static final String MEDIA_TYPE = "application/problem+json";
    public static final MediaType MEDIA = MediaType.valueOf(MEDIA_TYPE);
    /** Problem types are documented under this base. */
    public static final String TYPE_BASE = "https://yardmaster.dev/problems/";

    public Problem {
        extensions = extensions == null ? Map.of() : Map.copyOf(extensions);
    }

    public static Problem of(String slug, String title, int status, String detail) {
        return new Problem(TYPE_BASE + slug, title, status, detail, null, Map.of());
    }

    public Problem at(String path) {
        return new Problem(type, title, status, detail, path, extensions);
    }

    public Problem with(String key, Object value) {
        var copy = new LinkedHashMap<>(extensions);
        copy.put(key, value);
        return new Problem(type, title, status, detail, instance, copy);
    }

    /** Extension members are written at the top level, as RFC 9457 asks. */
    @JsonAnyGetter
    public Map<String, Object> extensionMembers() {
        return extensions;
    }

    @JsonIgnore
    public Map<String, Object> extensions() {
        return extensions;
    }

    public Response toResponse() {
        return Response.status(status).type(MEDIA).entity(this).build();
    }
}
