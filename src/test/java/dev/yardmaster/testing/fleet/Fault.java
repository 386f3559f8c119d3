package dev.yardmaster.testing.fleet;

/** The faults a fleet host can be switched into; see docs/fleet.md for what a client sees. */
public enum Fault {
    /** The host's address refuses TCP connections (ECONNREFUSED). */
    REFUSED("refused"),
    /** Commands are accepted and never answer until the channel is closed. */
    HANG("hang"),
    /** yum/dnf exits 1 with "Error: Failed to download metadata ..." on stderr. */
    YUM_FAIL("yum-fail"),
    /** The host presents a host key that is not the one in known_hosts. */
    HOSTKEY("hostkey"),
    /** Every command starts 2 s late. */
    SLOW("slow"),
    /** A restarted service comes up failed: is-active prints "failed" and exits 3. */
    HEALTH_FAIL("health-fail"),
    /** From its next restart the service is active but GET /healthz answers 500 (every request an error in /metrics). */
    HTTP_500("http-500"),
    /** From its next restart half the service's requests count as errors in /metrics; /healthz still answers 200. */
    ERRORS("errors");

    private final String cliName;

    Fault(String cliName) {
        this.cliName = cliName;
    }

    /** The name bin/fleet uses. */
    public String cliName() {
        return cliName;
    }
}
