package dev.yardmaster.web;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.yardmaster.core.Names;
import dev.yardmaster.core.Problem;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.temporal.Temporal;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Strict JSON input: a body whose shape does not fit the endpoint is a 400 problem that names
 * the field, instead of Jackson's empty 400 or a silently ignored typo. An unknown property
 * ({@code "host"} for {@code "names"}) lists the known ones; a wrong type ({@code []} for an
 * object, {@code "abc"} for a number) says which type the field takes. Unknown properties fail
 * at all because of {@code quarkus.jackson.fail-on-unknown-properties=true}.
 */
public class InputErrors {

    @ServerExceptionMapper
    public Response unknownProperty(UnrecognizedPropertyException e, UriInfo uri) {
        return problem(e, uri).toResponse();
    }

    @ServerExceptionMapper
    public Response mismatched(MismatchedInputException e, UriInfo uri) {
        return problem(e, uri).toResponse();
    }

    /** The problem for a body Jackson could not bind; also used when the framework wraps it. */
    static Problem problem(MismatchedInputException e, UriInfo uri) {
        String field = field(e.getPath());
        if (e instanceof UnrecognizedPropertyException unknown) {
            List<String> known = unknown.getKnownPropertyIds() == null ? List.of()
                    : unknown.getKnownPropertyIds().stream().map(Objects::toString).sorted().toList();
            return Problem.of("unknown-property", "Unknown property", 400,
                    "'" + Names.printable(unknown.getPropertyName()) + "' is not a property of this request"
                            + (known.isEmpty() ? "." : "; known: " + String.join(", ", known) + "."))
                    .with("property", field)
                    .with("knownProperties", known)
                    .at(uri.getPath());
        }
        String expected = jsonType(e.getTargetType());
        String got = e instanceof InvalidFormatException format && format.getValue() != null
                ? " (got " + Names.printable(String.valueOf(format.getValue())) + ")" : "";
        String where = field.isEmpty() ? "The request body" : "'" + field + "'";
        return Problem.of("invalid-type", "Wrong type", 400, where + " must be " + article(expected) + got + ".")
                .with("property", field.isEmpty() ? "(body)" : field)
                .with("expected", expected)
                .at(uri.getPath());
    }

    /** The JSON path of the failing field, e.g. {@code hosts[2].name}; empty for the body itself. */
    static String field(List<JsonMappingException.Reference> path) {
        StringBuilder text = new StringBuilder();
        for (JsonMappingException.Reference ref : path) {
            if (ref.getFieldName() != null) {
                text.append(text.isEmpty() ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                text.append('[').append(ref.getIndex()).append(']');
            }
        }
        return Names.printable(text.toString());
    }

    /** The JSON name of a Java type, as a caller writing JSON thinks of it. */
    public static String jsonType(Class<?> type) {
        if (type == null) {
            return "value of another type";
        }
        if (type == String.class || type == Character.class || type == char.class) {
            return "string";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "boolean (true or false)";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class
                || type == Short.class || type == short.class || type == BigInteger.class) {
            return "integer";
        }
        if (Number.class.isAssignableFrom(type) || type == double.class || type == float.class || type == BigDecimal.class) {
            return "number";
        }
        if (type.isEnum()) {
            return "one of " + java.util.Arrays.stream(type.getEnumConstants()).map(Object::toString)
                    .collect(Collectors.joining(", "));
        }
        if (Temporal.class.isAssignableFrom(type)) {
            return "ISO-8601 time string";
        }
        if (type.isArray() || Collection.class.isAssignableFrom(type)) {
            return "array";
        }
        if (Map.class.isAssignableFrom(type)) {
            return "object";
        }
        return "object";
    }

    private static String article(String type) {
        return type.startsWith("one of") || type.startsWith("value") ? type
                : ("aeiouAEIOU".indexOf(type.charAt(0)) >= 0 ? "an " : "a ") + type;
    }

}
