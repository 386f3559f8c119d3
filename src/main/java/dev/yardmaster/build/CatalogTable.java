package dev.yardmaster.build;

import dev.yardmaster.build.BuildFiles.Indexed;
import dev.yardmaster.build.BuildFiles.Outcome;
import dev.yardmaster.build.BuildFiles.Rejected;
import dev.yardmaster.repo.RepoFiles;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The build and rejected_file tables as a scan reads and writes them: plain JDBC on the scan's
 * own transaction, each kind of write one batch or one array-parameter statement, so no
 * statement grows with the directory (an IN list broke above 32,768 files).
 */
final class CatalogTable {

    private CatalogTable() {
    }

    /** A build row as a scan compares it: mtime in microseconds, as PostgreSQL keeps it. */
    record Known(long id, long size, long mtimeMicros, boolean present) {
        boolean same(RepoFiles.Entry entry) {
            return size == entry.size() && mtimeMicros == BuildFiles.micros(entry.modified());
        }
    }

    /**
     * Every build's file name, size and mtime, through JDBC: at 100,000 builds Hibernate's
     * row handling was most of an unchanged rescan, and this is all a rescan reads.
     */
    static Map<String, Known> known() {
        Map<String, Known> known = new HashMap<>();
        Build.getEntityManager().unwrap(org.hibernate.Session.class).doWork(connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT file_name, id, file_size, (extract(epoch FROM file_mtime) * 1000000)::bigint, state = 'present' FROM build")) {
                select.setFetchSize(10_000);
                try (java.sql.ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        known.put(rows.getString(1), new Known(rows.getLong(2), rows.getLong(3), rows.getLong(4), rows.getBoolean(5)));
                    }
                }
            }
        });
        return known;
    }

    /** A file rejected by an earlier scan, as it was then. */
    record KnownRejection(String reason, Long size, Long mtimeMicros) {
        /** Rejected for its content, so the same bytes will be rejected again. */
        boolean unreadable() {
            return reason.startsWith(BuildFiles.UNREADABLE);
        }

        boolean same(RepoFiles.Entry entry) {
            return size != null && size == entry.size() && mtimeMicros != null && mtimeMicros == BuildFiles.micros(entry.modified());
        }

        boolean same(Rejected now) {
            return reason.equals(now.reason()) && same(now.entry());
        }
    }

    static Map<String, KnownRejection> knownRejections() {
        Map<String, KnownRejection> rejections = new HashMap<>();
        Build.getEntityManager().unwrap(org.hibernate.Session.class).doWork(connection -> {
            try (PreparedStatement select = connection.prepareStatement("SELECT file_name, reason, file_size, "
                    + "(extract(epoch FROM file_mtime) * 1000000)::bigint FROM rejected_file")) {
                select.setFetchSize(10_000);
                try (java.sql.ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        long size = rows.getLong(3);
                        Long sizeOrNull = rows.wasNull() ? null : size;
                        long mtime = rows.getLong(4);
                        rejections.put(rows.getString(1), new KnownRejection(rows.getString(2), sizeOrNull,
                                rows.wasNull() ? null : mtime));
                    }
                }
            }
        });
        return rejections;
    }

    /**
     * Sort keys for builds that have none: rows from before migration V95, or written by hand.
     * One statement with two array parameters, however many.
     */
    static void fillSortKeys() {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = Build.getEntityManager()
                .createNativeQuery("SELECT id, epoch, version, release FROM build WHERE evr_key = '\\x'").getResultList();
        if (rows.isEmpty()) {
            return;
        }
        Long[] ids = new Long[rows.size()];
        String[] keys = new String[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            Object[] row = rows.get(i);
            ids[i] = ((Number) row[0]).longValue();
            Evr evr = new Evr(row[1] == null ? 0 : ((Number) row[1]).intValue(), (String) row[2], (String) row[3]);
            keys[i] = HexFormat.of().formatHex(evr.sortKey());
        }
        execute("UPDATE build b SET evr_key = decode(k.key, 'hex') FROM unnest(?, ?) AS k(id, key) WHERE b.id = k.id",
                new SqlArray("bigint", ids), new SqlArray("text", keys));
    }

    /** An array bound as one parameter. */
    record SqlArray(String type, Object[] values) {
    }

    static SqlArray ids(List<Long> ids) {
        return new SqlArray("bigint", ids.toArray(new Long[0]));
    }

    static SqlArray names(Set<String> names) {
        return new SqlArray("text", names.toArray(new String[0]));
    }

    /** One statement through the scan's own connection; arrays go as JDBC arrays. */
    static void execute(String sql, Object... params) {
        Build.getEntityManager().flush();
        Build.getEntityManager().unwrap(org.hibernate.Session.class).doWork(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                for (int i = 0; i < params.length; i++) {
                    if (params[i] instanceof SqlArray array) {
                        statement.setArray(i + 1, connection.createArrayOf(array.type(), array.values()));
                    } else {
                        statement.setObject(i + 1, params[i]);
                    }
                }
                statement.executeUpdate();
            }
        });
    }

    /**
     * {@link #refuseDuplicate} over one chunk, in order. {@code owners} holds NEVRA → file name
     * of what this scan has indexed so far, topped up here with the present builds that carry
     * the chunk's NEVRAs: one array-parameter query per chunk instead of every build's NEVRA
     * loaded for a scan that found one new file.
     */
    static List<Outcome> refuseDuplicates(Map<String, String> owners, List<Outcome> chunk) {
        String[] nevras = chunk.stream().filter(o -> o instanceof Indexed).map(o -> ((Indexed) o).header().nevra())
                .filter(n -> !owners.containsKey(n)).distinct().toArray(String[]::new);
        if (nevras.length > 0) {
            Build.getEntityManager().unwrap(org.hibernate.Session.class).doWork(connection -> {
                try (PreparedStatement select = connection.prepareStatement(
                        "SELECT nevra, file_name FROM build WHERE state = 'present' AND nevra = ANY(?)")) {
                    select.setArray(1, connection.createArrayOf("text", nevras));
                    try (java.sql.ResultSet rows = select.executeQuery()) {
                        while (rows.next()) {
                            owners.putIfAbsent(rows.getString(1), rows.getString(2));
                        }
                    }
                }
            });
        }
        List<Outcome> settled = new ArrayList<>(chunk.size());
        for (Outcome outcome : chunk) {
            settled.add(refuseDuplicate(owners, outcome));
        }
        return settled;
    }

    /**
     * A second file carrying a NEVRA the catalog already has (a copy under another name) is
     * rejected rather than indexed: one NEVRA is one build, and promotions refer to it. Called
     * in the order real files before symlinks, then by name: the same choice every scan.
     */
    private static Outcome refuseDuplicate(Map<String, String> owners, Outcome outcome) {
        if (outcome instanceof Indexed indexed) {
            String name = indexed.entry().name();
            String first = owners.putIfAbsent(indexed.header().nevra(), name);
            if (first != null && !first.equals(name)) {
                return new Rejected(indexed.entry(), "same NEVRA (" + indexed.header().nevra() + ") as " + first
                        + ", which is already in the catalog");
            }
        }
        return outcome;
    }

    /** Column order of {@link #UPSERT}; one statement both adds new files and re-reads changed ones. */
    private static final String UPSERT = """
            INSERT INTO build (file_name, package, epoch, version, release, arch, nevra, summary, build_time, build_host,
                license, file_size, sha256, source_rpm, vcs, changelog_text, changelog_author, changelog_time,
                commit_author, commit_reviewer, commit_message, unreviewed, file_mtime, state, last_seen_at, evr_key)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'present', ?, ?)
            ON CONFLICT (file_name) DO UPDATE SET package = excluded.package, epoch = excluded.epoch,
                version = excluded.version, release = excluded.release, arch = excluded.arch, nevra = excluded.nevra,
                summary = excluded.summary, build_time = excluded.build_time, build_host = excluded.build_host,
                license = excluded.license, file_size = excluded.file_size, sha256 = excluded.sha256,
                source_rpm = excluded.source_rpm, vcs = excluded.vcs, changelog_text = excluded.changelog_text,
                changelog_author = excluded.changelog_author, changelog_time = excluded.changelog_time,
                commit_author = excluded.commit_author, commit_reviewer = excluded.commit_reviewer,
                commit_message = excluded.commit_message, unreviewed = excluded.unreviewed,
                file_mtime = excluded.file_mtime, state = 'present', last_seen_at = excluded.last_seen_at,
                evr_key = excluded.evr_key
            """;

    private static final String UPSERT_REJECTED = """
            INSERT INTO rejected_file (file_name, reason, file_size, file_mtime, last_seen_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (file_name) DO UPDATE SET reason = excluded.reason, file_size = excluded.file_size,
                file_mtime = excluded.file_mtime, last_seen_at = excluded.last_seen_at
            """;

    /**
     * Writes one chunk of outcomes, each kind as one JDBC batch (an entity persist per file with
     * database-generated ids was one round trip each and most of a cold index's time). A file
     * rejected again for the same reason is not written: its row already says so.
     */
    static void write(List<Outcome> batch, Map<String, KnownRejection> wasRejected, Set<String> rejectedNow) {
        if (batch.isEmpty()) {
            return;
        }
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        List<Indexed> builds = new ArrayList<>();
        List<Rejected> rejections = new ArrayList<>();
        for (Outcome outcome : batch) {
            if (outcome instanceof Indexed indexed) {
                builds.add(indexed);
            } else if (outcome instanceof Rejected rejected) {
                rejectedNow.add(rejected.entry().name());
                KnownRejection before = wasRejected.get(rejected.entry().name());
                if (before == null || !before.same(rejected)) {
                    rejections.add(rejected);
                }
            }
        }
        Build.getEntityManager().unwrap(org.hibernate.Session.class).doWork(connection -> {
            if (!builds.isEmpty()) {
                try (PreparedStatement insert = connection.prepareStatement(UPSERT)) {
                    for (Indexed indexed : builds) {
                        bind(insert, indexed, now);
                        insert.addBatch();
                    }
                    insert.executeBatch();
                }
            }
            if (!rejections.isEmpty()) {
                try (PreparedStatement insert = connection.prepareStatement(UPSERT_REJECTED)) {
                    for (Rejected rejected : rejections) {
                        insert.setString(1, rejected.entry().name());
                        insert.setString(2, rejected.reason());
                        insert.setLong(3, rejected.entry().size());
                        insert.setObject(4, OffsetDateTime.ofInstant(BuildFiles.truncate(rejected.entry().modified()), ZoneOffset.UTC));
                        insert.setObject(5, now);
                        insert.addBatch();
                    }
                    insert.executeBatch();
                }
            }
        });
    }

    private static void bind(PreparedStatement insert, Indexed indexed, OffsetDateTime now) throws SQLException {
        RpmHeader h = indexed.header();
        int i = 0;
        insert.setString(++i, indexed.entry().name());
        insert.setString(++i, h.name());
        insert.setInt(++i, h.epoch());
        insert.setString(++i, h.version());
        insert.setString(++i, h.release());
        insert.setString(++i, h.arch());
        insert.setString(++i, h.nevra());
        insert.setString(++i, h.summary());
        insert.setObject(++i, h.buildTime());
        insert.setString(++i, h.buildHost());
        insert.setString(++i, h.license());
        insert.setLong(++i, indexed.entry().size());
        insert.setString(++i, indexed.sha256());
        insert.setString(++i, h.sourceRpm());
        insert.setString(++i, h.vcs());
        insert.setString(++i, h.changelogText());
        insert.setString(++i, h.changelogAuthor());
        insert.setObject(++i, h.changelogTime());
        insert.setString(++i, h.commitAuthor());
        insert.setString(++i, h.commitReviewer());
        insert.setString(++i, h.commitMessage());
        insert.setBoolean(++i, h.unreviewed());
        insert.setObject(++i, OffsetDateTime.ofInstant(BuildFiles.truncate(indexed.entry().modified()), ZoneOffset.UTC));
        insert.setObject(++i, now);
        insert.setBytes(++i, new Evr(h.epoch(), h.version(), h.release()).sortKey());
    }
}
