package dev.yardmaster.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * Streams a filtered range of the audit log as CSV or JSON, oldest first, a chunk at a time,
 * so an export of millions of events holds one chunk in memory and a JDBC connection only
 * while one chunk is read. The JSON export carries what bin/audit-verify needs to re-hash each
 * event offline ({@code detailsText}, {@code occurredAtMicros}); CSV cells that a spreadsheet
 * would run as a formula are neutralised.
 */
@ApplicationScoped
public class AuditExport {

    static final int CHUNK = 1000;
    static final String[] COLUMNS = {"id", "seq", "occurred_at", "actor", "on_behalf_of", "roles", "client_id",
        "source_ip", "user_agent", "action", "outcome", "environment", "package", "subject", "details",
        "prev_hash", "hash"};

    private final ObjectMapper json;

    AuditExport(ObjectMapper json) {
        this.json = json;
    }

    public StreamingOutput csv(AuditQuery query) {
        return output -> {
            Writer writer = new OutputStreamWriter(output, StandardCharsets.UTF_8);
            try (CSVPrinter csv = new CSVPrinter(writer, CSVFormat.RFC4180.builder().setHeader(COLUMNS).get())) {
                forEachChunk(query, events -> {
                    for (AuditEvent e : events) {
                        csv.printRecord(e.id, e.seq, e.occurredAt, cell(e.actor), cell(e.onBehalfOf), cell(e.roles),
                                cell(e.clientId), cell(e.sourceIp), cell(e.userAgent), cell(e.action), cell(e.outcome),
                                cell(e.environment), cell(e.packageName), cell(e.subject),
                                cell(json.writeValueAsString(e.details)), e.prevHash, e.hash);
                    }
                    csv.flush();
                });
            }
        };
    }

    public StreamingOutput json(AuditQuery query) {
        return output -> {
            try (JsonGenerator generator = json.getFactory().createGenerator(output)) {
                generator.writeStartArray();
                forEachChunk(query, events -> {
                    for (AuditEvent e : events) {
                        ObjectNode node = json.valueToTree(e);
                        node.put("occurredAtMicros", AuditDigest.micros(e.occurredAt));
                        node.put("detailsText", e.detailsText);
                        json.writeTree(generator, node);
                    }
                    generator.flush();
                });
                generator.writeEndArray();
            }
        };
    }

    /**
     * OWASP's rule for CSV injection: a cell that begins with {@code = + - @}, a tab or a
     * carriage return is read by spreadsheets as a formula, so it gets a leading {@code '}
     * (shown by the spreadsheet as text, and visible to a reader of the raw file).
     */
    static String cell(String value) {
        if (value == null || value.isEmpty()) {
            return value;
        }
        char first = value.charAt(0);
        return first == '=' || first == '+' || first == '-' || first == '@' || first == '\t' || first == '\r'
                ? "'" + value : value;
    }

    private interface ChunkWriter {
        void write(List<AuditEvent> events) throws java.io.IOException;
    }

    private static void forEachChunk(AuditQuery query, ChunkWriter writer) throws java.io.IOException {
        Long after = null;
        while (true) {
            Long cursor = after;
            List<AuditEvent> chunk = QuarkusTransaction.requiringNew().call(() -> query.oldestFirst(cursor, CHUNK));
            if (chunk.isEmpty()) {
                return;
            }
            writer.write(chunk);
            if (chunk.size() < CHUNK) {
                return;
            }
            after = chunk.get(chunk.size() - 1).id;
        }
    }
}
