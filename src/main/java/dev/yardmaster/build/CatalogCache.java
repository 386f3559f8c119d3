package dev.yardmaster.build;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.function.Supplier;
import java.util.zip.CRC32C;

/**
 * The catalog API's answers, serialized, under the catalog's version: a number in PostgreSQL
 * that triggers move at the commit of every transaction that changes a build, a promotion or
 * an environment (migrations V62, V63), from any replica or by hand. Every request reads that
 * number (one primary-key read) and serves the stored bytes when they were made from the same
 * version, so a catalog polled by bots and browsers costs one small query instead of an entity
 * load and a serialization, and is never staler than the database. Answers carry an ETag; a
 * client that sends it back with If-None-Match gets 304.
 *
 * <p>The version is read before the answer's own queries, and each statement sees what was
 * committed when it began, so an answer is at least as new as the version it is stored under:
 * a write that lands in between makes it newer, never older, and the next request, seeing the
 * new number, makes it again.
 */
@ApplicationScoped
public class CatalogCache {

    /** At most this many bytes of answers per replica (a 50-build page is about 60 kB). */
    static final long MAX_BYTES = 32L * 1024 * 1024;

    /** One serialized answer, the catalog version it was made from, and the next page's cursor if any. */
    record Entry(long version, byte[] body, EntityTag etag, String next) {
    }

    private final AgroalDataSource dataSource;
    private final ObjectMapper json;
    private final Cache<String, Entry> entries = Caffeine.newBuilder()
            .maximumWeight(MAX_BYTES)
            .weigher((String key, Entry entry) -> key.length() + entry.body().length)
            .build();

    CatalogCache(AgroalDataSource dataSource, ObjectMapper json) {
        this.dataSource = dataSource;
        this.json = json;
    }

    /** The catalog's version now. */
    public long version() {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement("SELECT version FROM catalog_version WHERE id = 1");
                ResultSet row = statement.executeQuery()) {
            if (!row.next()) {
                throw new IllegalStateException("catalog_version has no row; was migration V62 applied?");
            }
            return row.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the catalog version: " + e.getMessage(), e);
        }
    }

    /**
     * The answer stored under {@code key} if it was made from the current version, else the one
     * {@code compute} makes now (stored for the next request), as JSON with an ETag; 304 when the
     * request's If-None-Match already names it.
     */
    public Response answer(String key, Request request, Supplier<?> compute) {
        Entry entry = entry(key, compute);
        Response.ResponseBuilder notModified = request == null ? null : request.evaluatePreconditions(entry.etag());
        if (notModified != null) {
            return notModified.build();
        }
        return Response.ok(entry.body(), MediaType.APPLICATION_JSON_TYPE).tag(entry.etag()).build();
    }

    /**
     * As {@link #answer}, for one page of a list: the body is the page's items (a JSON array, as
     * before lists were paged), and a {@code Link: <...>; rel="next"} header (RFC 8288) names the
     * next page when there is one.
     */
    public Response answerPage(String key, Request request, Supplier<BuildQueries.Slice<?>> compute,
            java.util.function.Function<String, java.net.URI> nextLink) {
        Entry entry = entry(key, compute::get);
        Response.ResponseBuilder notModified = request == null ? null : request.evaluatePreconditions(entry.etag());
        if (notModified != null) {
            return notModified.build();
        }
        Response.ResponseBuilder ok = Response.ok(entry.body(), MediaType.APPLICATION_JSON_TYPE).tag(entry.etag());
        if (entry.next() != null) {
            ok.link(nextLink.apply(entry.next()), "next");
        }
        return ok.build();
    }

    Entry entry(String key, Supplier<?> compute) {
        long version = version();
        Entry cached = entries.getIfPresent(key);
        if (cached != null && cached.version() == version) {
            return cached;
        }
        byte[] body;
        String next = null;
        try {
            Object answer = compute.get();
            if (answer instanceof BuildQueries.Slice<?> slice) {
                next = slice.next();
                answer = slice.items();
            }
            body = json.writeValueAsBytes(answer);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not write the answer for " + key, e);
        }
        CRC32C crc = new CRC32C();
        crc.update(body);
        Entry made = new Entry(version, body, new EntityTag(version + "-" + HexFormat.of().toHexDigits((int) crc.getValue())),
                next);
        // Two requests may race; keep whichever was made from the newer version.
        return entries.asMap().merge(key, made, (old, mine) -> old.version() > mine.version() ? old : mine);
    }
}
