package dev.yardmaster.web;

import dev.yardmaster.environment.Environments;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Refuses a query or path parameter holding a NUL character (%00) before any endpoint sees it:
 * PostgreSQL refuses NUL in text, so such a parameter reached the database as a 500. API calls
 * get a 400 problem ({@code invalid-parameter}); pages and forms get the usual readable error.
 */
public class ParameterFilter {

    @ServerRequestFilter
    public void refuseNul(UriInfo uri) {
        check(uri.getQueryParameters(), "query");
        check(uri.getPathParameters(), "path");
    }

    private static void check(MultivaluedMap<String, String> params, String where) {
        for (Map.Entry<String, List<String>> param : params.entrySet()) {
            for (String value : param.getValue()) {
                if (value != null && value.indexOf('\0') >= 0) {
                    throw YardmasterException.badRequest("invalid-parameter",
                            "The " + where + " parameter '" + Environments.printable(param.getKey()) + "' holds a NUL character.");
                }
            }
        }
    }
}
