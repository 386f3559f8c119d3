package dev.yardmaster.testing.aws;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Starts one {@link FakeAws} for the test run and points the console's AWS clients at it. The
 * SDK reads the static test credentials through its default provider chain (system properties),
 * exactly as it would read real ones in production.
 */
@QuarkusTestResource(FakeAwsResource.class) // not restricted: every test class shares one application and one fake
public class FakeAwsResource implements QuarkusTestResourceLifecycleManager {

    private static FakeAws fake;

    /** The fake the running application talks to. */
    public static synchronized FakeAws fake() {
        if (fake == null) {
            try {
                fake = FakeAws.start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return fake;
    }

    @Override
    public Map<String, String> start() {
        System.setProperty("aws.accessKeyId", FakeAws.ACCESS_KEY_ID);
        System.setProperty("aws.secretAccessKey", FakeAws.SECRET_ACCESS_KEY);
        return Map.of(
                "yardmaster.scaling.enabled", "true",
                "yardmaster.scaling.region", FakeAws.REGION,
                "yardmaster.scaling.endpoint-override", fake().endpoint().toString(),
                "yardmaster.scaling.refresh-every", "off",
                "yardmaster.scaling.repo-url-template", "http://repo.test.internal/{environment}",
                // The SDK's own backoff, from a smaller base so throttling tests stay quick.
                "yardmaster.scaling.retry.throttling-base-delay", "20ms",
                "yardmaster.scaling.retry.base-delay", "10ms");
    }

    @Override
    public void stop() {
        // The fake lives as long as the JVM: Quarkus may restart between test classes.
    }
}
