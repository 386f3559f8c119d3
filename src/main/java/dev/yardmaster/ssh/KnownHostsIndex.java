package dev.yardmaster.ssh;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.apache.sshd.client.config.hosts.HostPatternValue;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier.HostEntryPair;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.util.net.SshdSocketAddress;

/**
 * The known_hosts entries a connection has to look at, found by host and port. MINA matches
 * every entry's patterns (a regex each) against every new connection: with one line per server
 * that is O(hosts) per connection and O(hosts²) per roll. Entries that name plain hosts
 * ({@code host} or {@code [host]:port}, the lines ssh-keyscan and ssh write) are looked up in a
 * map; hashed entries and those with wildcards or negations are matched as MINA matches them.
 * The matches come back in file order, as MINA returns them.
 */
final class KnownHostsIndex {

    /** The loaded entries this index was built from (MINA replaces the collection on reload). */
    final Collection<HostEntryPair> source;
    private final Map<String, List<Integer>> byHost = new HashMap<>();
    /** Positions of the entries that need MINA's own matching. */
    private final List<Integer> scanned = new ArrayList<>();
    private final List<HostEntryPair> entries;

    KnownHostsIndex(Collection<HostEntryPair> source) {
        this.source = source;
        this.entries = new ArrayList<>(source);
        for (int i = 0; i < entries.size(); i++) {
            List<String> keys = literalKeys(entries.get(i).getHostEntry());
            if (keys == null) {
                scanned.add(i);
            } else {
                for (String key : keys) {
                    byHost.computeIfAbsent(key, k -> new ArrayList<>(1)).add(i);
                }
            }
        }
    }

    /** The entries that match any of the candidates (MINA's {@code findKnownHostEntries}). */
    List<HostEntryPair> find(Collection<SshdSocketAddress> candidates) {
        TreeSet<Integer> found = new TreeSet<>();
        for (SshdSocketAddress candidate : candidates) {
            String host = candidate.getHostName();
            if (host == null || host.isEmpty()) {
                continue;
            }
            List<Integer> hits = byHost.get(key(host, candidate.getPort()));
            if (hits != null) {
                found.addAll(hits);
            }
        }
        for (int i : scanned) {
            KnownHostEntry entry = entries.get(i).getHostEntry();
            for (SshdSocketAddress candidate : candidates) {
                if (entry.isHostMatch(candidate.getHostName(), candidate.getPort())) {
                    found.add(i);
                    break;
                }
            }
        }
        List<HostEntryPair> matches = new ArrayList<>(found.size());
        found.forEach(i -> matches.add(entries.get(i)));
        return matches;
    }

    int indexed() {
        return entries.size() - scanned.size();
    }

    /** The host:port keys of an entry made of plain host names only; null when it needs matching. */
    private static List<String> literalKeys(KnownHostEntry entry) {
        if (entry == null || entry.getHashedEntry() != null || entry.getPatterns() == null || entry.getPatterns().isEmpty()) {
            return null;
        }
        List<String> keys = new ArrayList<>();
        for (HostPatternValue value : entry.getPatterns()) {
            if (value.isNegated() || value.getPattern() == null) {
                return null;
            }
            // MINA's pattern for a host: '.' escaped as "\.", '?' as '.', '*' as ".*"; nothing else
            // is special (host pattern characters are letters, digits, '_', '-', ':', '%').
            String regex = value.getPattern().pattern();
            if (regex.replace("\\.", "").indexOf('.') >= 0) {
                return null;
            }
            keys.add(key(regex.replace("\\.", "."), value.getPort()));
        }
        return keys;
    }

    /** MINA matches host patterns ignoring case, and a pattern without a port means port 22. */
    private static String key(String host, int port) {
        return host.toLowerCase(Locale.ROOT) + " " + SshConstants.TO_EFFECTIVE_PORT.applyAsInt(port);
    }
}
