package dev.yardmaster.web;

import dev.yardmaster.core.Names;
import dev.yardmaster.core.YardmasterException;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.UriInfo;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Refuses a query or path parameter holding a NUL character (%00) before any endpoint sees it:
 * PostgreSQL refuses NUL in text, so such a parameter reached the database as a 500. API calls
 * get a 400 problem ({@code invalid-parameter}); pages and forms get the usual readable error.
 *
 * <p>On the API, query parameters are as strict as JSON bodies: a name the endpoint does not
 * take is a 400 listing the ones it does ({@code unknown-parameter}), and a value that does not
 * convert to the parameter's type is a 400 naming the type ({@code invalid-parameter-type});
 * JAX-RS would answer that one with a bare 404.
 */
public class ParameterFilter {

    @ServerRequestFilter
    public void refuseNul(UriInfo uri) {
        check(uri.getQueryParameters(), "query");
        check(uri.getPathParameters(), "path");
    }

    @ServerRequestFilter
    public void refuseUnknownOrMistyped(UriInfo uri, ResourceInfo resource) {
        Method method = resource.getResourceMethod();
        if (method == null || !uri.getPath().startsWith("/api/")) {
            return;
        }
        Map<String, Parameter> known = new TreeMap<>();
        for (Parameter parameter : method.getParameters()) {
            QueryParam query = parameter.getAnnotation(QueryParam.class);
            if (query != null) {
                known.put(query.value(), parameter);
            }
        }
        for (Map.Entry<String, List<String>> param : uri.getQueryParameters().entrySet()) {
            Parameter parameter = known.get(param.getKey());
            if (parameter == null) {
                throw new YardmasterException(400, "unknown-parameter", "Unknown parameter",
                        "'" + Names.printable(param.getKey()) + "' is not a query parameter of "
                                + uri.getPath() + (known.isEmpty() ? "; it takes none." : "; known: " + String.join(", ", known.keySet()) + "."),
                        Map.of("parameter", Names.printable(param.getKey()), "knownParameters", List.copyOf(known.keySet())));
            }
            for (String value : param.getValue()) {
                if (!converts(parameter, value)) {
                    String expected = InputErrors.jsonType(parameter.getType());
                    throw new YardmasterException(400, "invalid-parameter-type", "Wrong type",
                            "The query parameter '" + param.getKey() + "' must be " + expected + ", not '"
                                    + Names.printable(value) + "'.",
                            Map.of("parameter", param.getKey(), "expected", expected));
                }
            }
        }
    }

    /** Whether JAX-RS can turn the text into the parameter's type (empty means its default). */
    private static boolean converts(Parameter parameter, String value) {
        Class<?> type = parameter.getType();
        String text = value == null ? "" : value.strip();
        if (text.isEmpty()) {
            return type != int.class && type != long.class || parameter.isAnnotationPresent(DefaultValue.class);
        }
        try {
            if (type == int.class || type == Integer.class) {
                Integer.parseInt(text);
            } else if (type == long.class || type == Long.class) {
                Long.parseLong(text);
            } else if (type == boolean.class || type == Boolean.class) {
                return text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false");
            } else if (type.isEnum()) {
                for (Object constant : type.getEnumConstants()) {
                    if (constant.toString().equals(text)) {
                        return true;
                    }
                }
                return false;
            }
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static void check(MultivaluedMap<String, String> params, String where) {
        for (Map.Entry<String, List<String>> param : params.entrySet()) {
            for (String value : param.getValue()) {
                if (value != null && value.indexOf('\0') >= 0) {
                    throw YardmasterException.badRequest("invalid-parameter",
                            "The " + where + " parameter '" + Names.printable(param.getKey()) + "' holds a NUL character.");
                }
            }
        }
    }
}
