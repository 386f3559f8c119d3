package dev.yardmaster.fleet;

import dev.yardmaster.core.Names;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/** Reads Yardmaster's CSV inventory: {@code address,port,environment,node_type,packages,services} (lists space-separated). */
final class CsvInventory {

    private CsvInventory() {
    }

    static List<ParsedHost> parse(String text) {
        CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).setIgnoreSurroundingSpaces(true)
                .setIgnoreEmptyLines(true).setCommentMarker('#').get();
        List<ParsedHost> hosts = new ArrayList<>();
        try (CSVParser records = format.parse(new StringReader(text))) {
            List<String> header = records.getHeaderNames();
            for (String required : List.of("address", "environment", "node_type")) {
                if (!header.contains(required)) {
                    throw InventoryFormat.badLine(1, "the CSV header needs the columns "
                            + "address,port,environment,node_type,packages,services (missing: " + required + ").");
                }
            }
            for (CSVRecord r : records) {
                hosts.add(host(r, lineOf(text, r.getCharacterPosition())));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException e) {
            // commons-csv names the line in its message ("(line 4) invalid char between encapsulated token and delimiter")
            throw InventoryFormat.bad("Not readable as CSV: " + Names.printable(e.getMessage()));
        }
        return hosts;
    }

    private static ParsedHost host(CSVRecord r, int line) {
        String port = get(r, "port");
        Integer number = null;
        if (port != null && !port.isBlank()) {
            if (!port.strip().matches("[0-9]{1,5}")) {
                return new ParsedHost(line, input(r, null), "port '" + Names.printable(port) + "' is not a number.");
            }
            number = Integer.valueOf(port.strip());
        }
        return ParsedHost.of(line, input(r, number));
    }

    private static Inventory.HostInput input(CSVRecord r, Integer port) {
        return new Inventory.HostInput(get(r, "name"), get(r, "address"), port, get(r, "environment"), get(r, "node_type"),
                Inventory.list(get(r, "tags")), Inventory.list(get(r, "packages")), Inventory.list(get(r, "services")));
    }

    /**
     * 1-based line of a record at a character offset. commons-csv counts a record from the
     * blank lines and comments before it, so those are skipped.
     */
    static int lineOf(String text, long position) {
        String[] lines = text.split("\n", -1);
        int line = 0;
        for (int offset = 0; line < lines.length && offset + lines[line].length() < position; line++) {
            offset += lines[line].length() + 1;
        }
        while (line < lines.length - 1 && (lines[line].isBlank() || lines[line].stripLeading().startsWith("#"))) {
            line++;
        }
        return line + 1;
    }

    private static String get(CSVRecord record, String column) {
        return record.isMapped(column) && record.isSet(column) ? record.get(column) : null;
    }
}
