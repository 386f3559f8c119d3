package dev.yardmaster.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier.HostEntryPair;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.junit.jupiter.api.Test;

/**
 * The known_hosts index finds, for any host and port, exactly the entries MINA's own
 * pattern-by-pattern scan finds, in the same order: plain names, [host]:port, several names on
 * one line, wildcards, negations, hashed names, upper case.
 */
class KnownHostsIndexTest {

    static final String KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBBfaWMzrt0MjGEhM0M3yMFuxHHnKbXvKhkAaAysCLOH";

    @Test
    void findsWhatMinasScanFindsInFileOrder() throws Exception {
        List<String> lines = new ArrayList<>();
        for (int n = 1; n <= 50; n++) {
            lines.add("[127.0.1." + n + "]:2430 " + KEY);
        }
        lines.add("web1.example.com,10.0.0.1 " + KEY);
        lines.add("[Web2.Example.com]:22 " + KEY);
        lines.add("*.db.example.com,!secret.db.example.com " + KEY);
        lines.add("[10.0.0.?]:2222 " + KEY);
        lines.add(hashed("hidden.example.com") + " " + KEY);
        lines.add(hashed("[127.0.1.7]:2430") + " " + KEY);
        lines.add("[127.0.1.7]:2430 " + KEY); // a second key for the same host
        lines.add("@revoked web1.example.com " + KEY);
        List<KnownHostEntry> entries = KnownHostEntry.readKnownHostEntries(
                new ByteArrayInputStream(String.join("\n", lines).getBytes(StandardCharsets.UTF_8)), true);
        java.security.PublicKey key = java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic();
        List<HostEntryPair> pairs = entries.stream().map(e -> new HostEntryPair(e, key)).toList();
        KnownHostsIndex index = new KnownHostsIndex(pairs);
        assertThat(index.indexed()).as("plain entries indexed").isEqualTo(50 + 4);

        List<SshdSocketAddress> probes = new ArrayList<>();
        for (String host : List.of("127.0.1.1", "127.0.1.7", "127.0.1.50", "127.0.1.51", "web1.example.com", "WEB1.example.com",
                "10.0.0.1", "web2.example.com", "a.db.example.com", "secret.db.example.com", "10.0.0.5", "hidden.example.com",
                "nobody.example.com")) {
            for (int port : List.of(0, 22, 2222, 2430)) {
                probes.add(new SshdSocketAddress(host, port));
            }
        }
        int matched = 0;
        for (SshdSocketAddress probe : probes) {
            List<HostEntryPair> expected = pairs.stream().filter(p -> p.getHostEntry().isHostMatch(probe.getHostName(), probe.getPort()))
                    .toList();
            assertThat(index.find(List.of(probe))).as(probe.toString()).containsExactlyElementsOf(expected);
            matched += expected.isEmpty() ? 0 : 1;
        }
        assertThat(matched).as("probes that match something").isGreaterThan(10);
        // Two candidates (the connect address and the peer address), as the verifier passes them.
        SshdSocketAddress a = new SshdSocketAddress("web1.example.com", 22);
        SshdSocketAddress b = new SshdSocketAddress("10.0.0.1", 22);
        assertThat(index.find(List.of(a, b))).containsExactlyElementsOf(pairs.stream()
                .filter(p -> p.getHostEntry().isHostMatch(a.getHostName(), 22) || p.getHostEntry().isHostMatch(b.getHostName(), 22))
                .toList());
    }

    private static String hashed(String host) throws Exception {
        byte[] salt = new byte[20];
        for (int i = 0; i < salt.length; i++) {
            salt[i] = (byte) (i * 7 + host.length());
        }
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(salt, "HmacSHA1"));
        byte[] hash = mac.doFinal(host.getBytes(StandardCharsets.UTF_8));
        return "|1|" + Base64.getEncoder().encodeToString(salt) + "|" + Base64.getEncoder().encodeToString(hash);
    }
}
